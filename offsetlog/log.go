package offsetlog

import (
	"context"
	"fmt"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/metalog"
)

// Dir is the log's directory under the checkpoint root.
const Dir = "offsets"

// DefaultMinBatchesToRetain is how many entries the engine keeps by default
// (Spark's spark.sql.streaming.minBatchesToRetain).
const DefaultMinBatchesToRetain = metalog.DefaultMinBatchesToRetain

// ErrEmpty: Latest found no entry.
var ErrEmpty = metalog.ErrEmpty

// AlreadyLoggedError is returned by Add when the batch's entry exists; it
// wraps checkpoint.ErrExist.
type AlreadyLoggedError = metalog.AlreadyLoggedError

// Log is the offset log of one checkpoint.
type Log struct{ log *metalog.Log }

// New returns the offset log of the checkpoint st.
func New(st checkpoint.Storage) *Log {
	return &Log{log: metalog.New(st, Dir, Version)}
}

// Path returns the path of batch id's entry, "offsets/<id>".
func (l *Log) Path(id batch.ID) string { return l.log.Path(id) }

// Add writes the entry of batch id. If it exists the error is
// *AlreadyLoggedError and the file is unchanged; of concurrent Adds of one
// id exactly one succeeds.
func (l *Log) Add(ctx context.Context, id batch.ID, e Entry) error {
	body, err := e.encodeBody()
	if err != nil {
		return fmt.Errorf("add %s: %w", l.log.Path(id), err)
	}
	return l.log.Add(ctx, id, body)
}

// Get reads the entry of batch id. A missing entry is an error wrapping
// checkpoint.ErrNotExist; one that does not parse a
// *checkpoint.CorruptionError.
func (l *Log) Get(ctx context.Context, id batch.ID) (Entry, error) {
	rec, err := l.log.Get(ctx, id)
	if err != nil {
		return Entry{}, err
	}
	return parseBody(rec)
}

// Latest returns the entry with the highest id, or an error wrapping
// ErrEmpty if there is none.
func (l *Log) Latest(ctx context.Context) (batch.ID, Entry, error) {
	id, err := l.log.Latest(ctx)
	if err != nil {
		return 0, Entry{}, err
	}
	e, err := l.Get(ctx, id)
	return id, e, err
}

// List returns the ids present, ascending, gaps and all.
func (l *Log) List(ctx context.Context) ([]batch.ID, error) { return l.log.List(ctx) }

// ListDense returns the ids present, ascending, or a
// *checkpoint.CorruptionError naming the first missing entry if there is a
// gap between the lowest and the highest (see package internal/metalog).
func (l *Log) ListDense(ctx context.Context) ([]batch.ID, error) { return l.log.ListDense(ctx) }

// Purge deletes all but the keepNewest newest entries, oldest first.
func (l *Log) Purge(ctx context.Context, keepNewest int) error {
	return l.log.Purge(ctx, keepNewest)
}

// PurgeBefore deletes the entries with ids below threshold, oldest first.
func (l *Log) PurgeBefore(ctx context.Context, threshold batch.ID) error {
	return l.log.PurgeBefore(ctx, threshold)
}
