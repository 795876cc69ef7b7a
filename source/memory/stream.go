package memory

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/source"
)

var (
	// ErrCommitted is wrapped by Read for a range reaching below a committed
	// offset: those records were dropped.
	ErrCommitted = errors.New("records were committed and dropped")
	// ErrReleased is returned by every method after Release.
	ErrReleased = errors.New("memory stream released")
)

// Stream is an in-memory source of Arrow records.
type Stream struct {
	schema *arrow.Schema

	mu   sync.Mutex
	base int64               // records numbered <= base were committed and dropped
	recs []arrow.RecordBatch // records base+1 … base+len(recs)
	rows []int64             // rows of recs[i]
	dead bool                // Release was called
	// changed is closed, and replaced, when records are added; nil until
	// someone asks for it.
	changed chan struct{}
}

var (
	_ source.Source   = (*Stream)(nil)
	_ source.Notifier = (*Stream)(nil)
)

// Changed implements source.Notifier: the channel is closed by the next
// AddData.
func (s *Stream) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return s.changed
}

// New returns an empty stream of records with schema's columns.
func New(schema *arrow.Schema) *Stream { return &Stream{schema: schema} }

// Schema returns the schema given to New.
func (s *Stream) Schema() *arrow.Schema { return s.schema }

// AddData appends recs, in order, and returns the offset that ends them. The
// stream takes a reference to each record (Retain); the caller keeps its
// own. A record whose columns differ from the stream's (names and types, in
// order) is an error and nothing is added.
func (s *Stream) AddData(recs ...arrow.RecordBatch) (source.Offset, error) {
	for i, rec := range recs {
		if err := sameColumns(s.schema, rec); err != nil {
			return nil, fmt.Errorf("memory stream: add record %d: %w", i, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead {
		return nil, ErrReleased
	}
	for _, rec := range recs {
		rec.Retain()
		s.recs = append(s.recs, rec)
		s.rows = append(s.rows, rec.NumRows())
	}
	if s.changed != nil && len(recs) > 0 {
		close(s.changed)
		s.changed = nil
	}
	return encodeOffset(s.end()), nil
}

// end is the number of records added. REQUIRES: s.mu held.
func (s *Stream) end() int64 { return s.base + int64(len(s.recs)) }

// Latest returns the offset after the records added so far, or fewer if
// limit.MaxRows says so (whole records, at least one); start when nothing
// was added after it.
func (s *Stream) Latest(ctx context.Context, start source.Offset, limit source.ReadLimit) (source.Offset, error) {
	from, err := parseOffset(start)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(from, from); err != nil {
		return nil, err
	}
	if from < s.base {
		return nil, fmt.Errorf("memory stream: latest after offset %d: %w (records up to %d)", from, ErrCommitted, s.base)
	}
	end := s.end()
	if limit.MaxRows > 0 {
		end = s.limitRows(from, limit.MaxRows)
	}
	if end == from {
		return start, nil
	}
	return encodeOffset(end), nil
}

// limitRows returns the end of the longest run of records after from whose
// rows total at most max, but at least one record if there is one.
// REQUIRES: s.mu held; base <= from <= end.
func (s *Stream) limitRows(from, max int64) int64 {
	end, rows := from, int64(0)
	for i := from - s.base; i < int64(len(s.recs)); i++ {
		rows += s.rows[i]
		if rows > max && end > from {
			break
		}
		end++
	}
	return end
}

// Read returns the records numbered start+1 … end, each retained for the
// caller; mem is not used.
func (s *Stream) Read(ctx context.Context, start, end source.Offset, mem memory.Allocator) (batch.Reader, error) {
	from, err := parseOffset(start)
	if err != nil {
		return nil, err
	}
	to, err := parseOffset(end)
	if err != nil {
		return nil, err
	}
	if to < from {
		return nil, fmt.Errorf("memory stream: read (%d, %d]: end before start", from, to)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(from, to); err != nil {
		return nil, err
	}
	if from == to {
		return batch.NewSliceReader(s.schema), nil
	}
	out := make([]arrow.RecordBatch, 0, to-from)
	for _, rec := range s.recs[from-s.base : to-s.base] {
		rec.Retain()
		out = append(out, rec)
	}
	return batch.NewSliceReader(s.schema, out...), nil
}

// check says whether records (from, to] can be read; an empty range can,
// committed or not.
// REQUIRES: s.mu held.
func (s *Stream) check(from, to int64) error {
	switch {
	case s.dead:
		return ErrReleased
	case to > s.end():
		return fmt.Errorf("memory stream: offset %d is beyond the %d records added", to, s.end())
	case from < s.base && from < to:
		return fmt.Errorf("memory stream: read (%d, %d]: %w (records up to %d)", from, to, ErrCommitted, s.base)
	}
	return nil
}

// Commit drops the stream's references to the records up to end. Committing
// an offset at or below an earlier commit does nothing.
func (s *Stream) Commit(ctx context.Context, end source.Offset) error {
	to, err := parseOffset(end)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead {
		return ErrReleased
	}
	if to > s.end() {
		return fmt.Errorf("memory stream: commit offset %d is beyond the %d records added", to, s.end())
	}
	if to <= s.base {
		return nil
	}
	n := to - s.base
	batch.Release(s.recs[:n])
	s.recs = append([]arrow.RecordBatch(nil), s.recs[n:]...)
	s.rows = append([]int64(nil), s.rows[n:]...)
	s.base = to
	return nil
}

// Close does nothing: the stream outlives the query that reads it (see the
// package doc). Release frees it.
func (s *Stream) Close() error { return nil }

// Release drops every record the stream holds; every method fails with
// ErrReleased afterwards. It may be called more than once.
func (s *Stream) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	batch.Release(s.recs)
	s.recs, s.rows, s.dead = nil, nil, true
}

// sameColumns checks that rec has want's columns: the same names and types
// in the same order (nullability and metadata are not compared).
func sameColumns(want *arrow.Schema, rec arrow.RecordBatch) error {
	if rec == nil {
		return errors.New("nil record")
	}
	got := rec.Schema()
	if got.NumFields() != want.NumFields() {
		return fmt.Errorf("%d columns, want %d (%s)", got.NumFields(), want.NumFields(), want)
	}
	for i, f := range want.Fields() {
		g := got.Field(i)
		if g.Name != f.Name || !arrow.TypeEqual(g.Type, f.Type) {
			return fmt.Errorf("column %d is %s %s, want %s %s", i, g.Name, g.Type, f.Name, f.Type)
		}
	}
	return nil
}
