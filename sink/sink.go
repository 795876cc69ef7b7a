package sink

import (
	"context"
	"fmt"
	"strings"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/internal/registry"
)

// OutputMode says which rows of the result a batch writes, as in Spark.
type OutputMode int

const (
	// Append writes only rows that will never change again.
	Append OutputMode = iota
	// Update writes the rows that changed in the batch.
	Update
	// Complete writes the whole result every batch.
	Complete
)

func (m OutputMode) String() string {
	switch m {
	case Append:
		return "append"
	case Update:
		return "update"
	case Complete:
		return "complete"
	}
	return fmt.Sprintf("OutputMode(%d)", int(m))
}

// ParseOutputMode reads "append", "update" or "complete" in any case.
func ParseOutputMode(s string) (OutputMode, error) {
	switch strings.ToLower(s) {
	case "append":
		return Append, nil
	case "update":
		return Update, nil
	case "complete":
		return Complete, nil
	}
	return 0, fmt.Errorf("unknown output mode %q; use append, update or complete", s)
}

// Sink receives the result of every micro-batch.
type Sink interface {
	// Write consumes r (and closes it) as batch id's output in mode. Writing
	// an id again must not duplicate output.
	Write(ctx context.Context, id batch.ID, mode OutputMode, r batch.Reader) error
	Close() error
}

// Committer is a two-phase sink: Write stages, Commit publishes after the
// engine has made commits/id durable. Commit of an id already published is a
// no-op.
type Committer interface {
	Commit(ctx context.Context, id batch.ID) error
}

// Factory builds a sink from string options.
type Factory func(ctx context.Context, opts map[string]string) (Sink, error)

var factories = registry.New[Factory]("sink")

// Register makes a sink available by name; it panics on a duplicate name,
// which is a programming error.
func Register(name string, f Factory) { factories.Register(name, f) }

// Open builds the sink registered as name.
func Open(ctx context.Context, name string, opts map[string]string) (Sink, error) {
	f, err := factories.Lookup(name)
	if err != nil {
		return nil, err
	}
	return f(ctx, opts)
}

// Names lists the registered sinks, sorted.
func Names() []string { return factories.Names() }
