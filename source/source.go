package source

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/internal/registry"
)

// Offset is a position in a source as canonical JSON (no insignificant
// whitespace; the same position always encodes to the same bytes). A nil
// Offset is the start, before any data; it is logged as "-".
type Offset json.RawMessage

// Equal reports whether two offsets are the same position.
func Equal(a, b Offset) bool { return bytes.Equal(a, b) }

// ReadLimit bounds how much one micro-batch takes (Spark's maxFilesPerTrigger,
// maxOffsetsPerTrigger, rowsPerSecond); zero fields mean no limit.
type ReadLimit struct {
	MaxFiles int   // files per batch (file sources)
	MaxRows  int64 // rows per batch (memory, rate, Kafka)
	// AllAvailable asks for everything available, past the source's own
	// per-trigger caps too (Spark's ReadAllAvailable): the AvailableNow
	// trigger fixes its end with it, then runs capped batches up to it.
	AllAvailable bool
}

// Source is replayable streaming input.
type Source interface {
	// Schema is fixed for the life of the source.
	Schema() *arrow.Schema
	// Latest returns the newest offset available after start, within limit;
	// start itself when nothing is new.
	Latest(ctx context.Context, start Offset, limit ReadLimit) (Offset, error)
	// Read returns the rows in (start, end]. The same range yields the same
	// rows on every call, after a restart too. The caller closes the reader
	// and releases its records; they are allocated from mem.
	Read(ctx context.Context, start, end Offset, mem memory.Allocator) (batch.Reader, error)
	// Commit says everything up to end is durably processed; the source may
	// forget it.
	Commit(ctx context.Context, end Offset) error
	Close() error
}

// Notifier is implemented by sources that know when data arrives (the
// memory stream; a Kafka consumer could), so that an idle query wakes at
// once rather than at its next poll of Latest.
type Notifier interface {
	// Changed returns a channel that is closed when data is next added
	// after the call.
	Changed() <-chan struct{}
}

// Factory builds a source from string options (as a YAML pipeline gives
// them). Unknown or bad options are errors naming the option.
type Factory func(ctx context.Context, opts map[string]string) (Source, error)

var factories = registry.New[Factory]("source")

// Register makes a source available by name; it panics on a duplicate name,
// which is a programming error.
func Register(name string, f Factory) { factories.Register(name, f) }

// Open builds the source registered as name.
func Open(ctx context.Context, name string, opts map[string]string) (Source, error) {
	f, err := factories.Lookup(name)
	if err != nil {
		return nil, err
	}
	return f(ctx, opts)
}

// Names lists the registered sources, sorted.
func Names() []string { return factories.Names() }
