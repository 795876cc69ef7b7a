package memory

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/sink"
)

// Sink writes a query's output to the memory table of its name.
type Sink struct {
	name   string
	t      *table // nil once closed
	closed bool
}

var _ sink.Sink = (*Sink)(nil)

// New returns the sink of the memory table called name, creating the table
// or continuing an existing one (see the package doc). A table held by
// another open sink is ErrInUse.
func New(name string) (*Sink, error) {
	if name == "" {
		return nil, fmt.Errorf("memory sink: empty query name")
	}
	t, err := acquire(name)
	if err != nil {
		return nil, err
	}
	return &Sink{name: name, t: t}, nil
}

// Name returns the table's name.
func (s *Sink) Name() string { return s.name }

// Write reads r (and closes it) and applies batch id to the table in mode:
// Append and Update add the rows, Complete replaces the table. An id at or
// below the last one applied is skipped.
func (s *Sink) Write(ctx context.Context, id batch.ID, mode sink.OutputMode, r batch.Reader) error {
	if s.closed {
		r.Close()
		return fmt.Errorf("memory sink %q: write batch %d after Close", s.name, id)
	}
	if mode < sink.Append || mode > sink.Complete {
		r.Close()
		return fmt.Errorf("memory sink %q: batch %d: invalid output mode %v", s.name, id, mode)
	}
	schema := r.Schema()
	recs, err := batch.ReadAll(ctx, r)
	if err != nil {
		return fmt.Errorf("memory sink %q: batch %d: %w", s.name, id, err)
	}
	if err := s.t.apply(id, schema, nonEmpty(recs), mode == sink.Complete); err != nil {
		return fmt.Errorf("memory sink %q: %w", s.name, err)
	}
	return nil
}

// nonEmpty releases the records without rows and returns the others.
func nonEmpty(recs []arrow.RecordBatch) []arrow.RecordBatch {
	out := recs[:0]
	for _, r := range recs {
		if r.NumRows() == 0 {
			r.Release()
			continue
		}
		out = append(out, r)
	}
	clear(recs[len(out):])
	return out
}

// Close gives up the table's name; the table stays readable until Drop.
// Closing twice is not an error.
func (s *Sink) Close() error {
	if !s.closed {
		s.closed = true
		s.t.release()
		s.t = nil
	}
	return nil
}

func init() {
	sink.Register("memory", open)
	sink.RegisterTables(Table)
}

// open is the registered factory. Option: queryName (required), the
// table's name, as Spark's memory sink takes the query's name.
func open(_ context.Context, opts map[string]string) (sink.Sink, error) {
	name, ok := "", false
	for k, v := range opts {
		switch k {
		case "queryName":
			name, ok = v, true
		default:
			return nil, fmt.Errorf("memory sink: unknown option %q (known: queryName)", k)
		}
	}
	if !ok || name == "" {
		return nil, fmt.Errorf("memory sink: option queryName is required: it names the table")
	}
	return New(name)
}
