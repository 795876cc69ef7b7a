package foreach

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/sink"
)

// Func processes the output of batch id, read from r. See the package doc
// for what it must guarantee.
type Func func(ctx context.Context, id batch.ID, r batch.Reader) error

// Sink calls a Func for every batch.
type Sink struct {
	fn Func
}

var _ sink.Sink = (*Sink)(nil)

// New returns a sink that calls fn for every batch.
//
// REQUIRES: fn != nil.
func New(fn Func) *Sink {
	if fn == nil {
		panic("foreach.New: nil function")
	}
	return &Sink{fn: fn}
}

// Write calls fn with id and r, then closes r. fn's error fails the write.
// The mode is not passed on: r holds the rows the mode asks for.
func (s *Sink) Write(ctx context.Context, id batch.ID, _ sink.OutputMode, r batch.Reader) error {
	defer r.Close()
	if err := s.fn(ctx, id, r); err != nil {
		return fmt.Errorf("foreachBatch: batch %d: %w", id, err)
	}
	return nil
}

// Close implements sink.Sink; it has nothing to release.
func (s *Sink) Close() error { return nil }

var (
	mu    sync.RWMutex
	funcs = map[string]Func{}
)

// Register makes fn available to the "foreachBatch" sink under name, for
// pipelines that name their sink function. It panics on a duplicate name
// or a nil fn, as sink.Register does.
func Register(name string, fn Func) {
	if fn == nil {
		panic(fmt.Sprintf("foreach.Register(%q): nil function", name))
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := funcs[name]; dup {
		panic(fmt.Sprintf("foreachBatch function %q registered twice", name))
	}
	funcs[name] = fn
}

// Names lists the registered functions, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(funcs))
	for n := range funcs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func init() {
	sink.Register("foreachBatch", open)
}

// open is the registered factory. Option: function (required), the name a
// Func was registered under.
func open(_ context.Context, opts map[string]string) (sink.Sink, error) {
	name, ok := "", false
	for k, v := range opts {
		switch k {
		case "function":
			name, ok = v, true
		default:
			return nil, fmt.Errorf("foreachBatch sink: unknown option %q (known: function)", k)
		}
	}
	if !ok {
		return nil, fmt.Errorf("foreachBatch sink: option function is required: it names a function registered with foreach.Register")
	}
	mu.RLock()
	fn := funcs[name]
	mu.RUnlock()
	if fn == nil {
		return nil, fmt.Errorf("foreachBatch sink: option function: no function registered as %q; registered: %v", name, Names())
	}
	return New(fn), nil
}
