package sluice

import (
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
)

// Session is the entry point of the Go API: it reads data into DataFrames and
// runs them. A Session is safe for concurrent use.
type Session struct {
	mem       memory.Allocator
	batchSize int

	mu     sync.Mutex
	tables []*memTable // released by Close
}

// Option configures a Session.
type Option func(*Session)

// WithAllocator makes every Arrow array the session builds come from mem;
// tests pass a memory.CheckedAllocator to prove nothing leaks.
func WithAllocator(mem memory.Allocator) Option {
	return func(s *Session) { s.mem = mem }
}

// WithBatchSize sets the number of rows operators aim for per record batch.
func WithBatchSize(n int) Option {
	return func(s *Session) { s.batchSize = n }
}

// NewSession returns a session with the given options.
func NewSession(opts ...Option) *Session {
	s := &Session{mem: memory.DefaultAllocator}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Allocator returns the allocator the session builds arrays with.
func (s *Session) Allocator() memory.Allocator { return s.mem }

// FromRecords returns a DataFrame over in-memory records, all of schema. The
// session retains the records until Close; the caller keeps its own
// references.
func (s *Session) FromRecords(name string, schema *arrow.Schema, recs ...arrow.RecordBatch) *DataFrame {
	for i, r := range recs {
		if !r.Schema().Equal(schema) {
			return s.errFrame(fmt.Errorf("from records %q: record %d has schema %s, want %s", name, i, r.Schema(), schema))
		}
	}
	t := newMemTable(name, schema, recs)
	s.mu.Lock()
	s.tables = append(s.tables, t)
	s.mu.Unlock()
	return s.frame(plan.NewScan(t), nil)
}

// Table returns a DataFrame over the in-memory table called name: the
// output of a streaming query writing to the memory sink under that query
// name (Spark's spark.table(queryName)), as of now. It is an error if no
// such table exists (is "github.com/sluicestream/sluice/sink/memory"
// imported?) or no batch has been written to it yet.
func (s *Session) Table(name string) *DataFrame {
	schema, recs, ok := sink.Table(name)
	if !ok {
		return s.errFrame(fmt.Errorf("table %q: no such in-memory table (a streaming query writing to the memory sink with that query name creates it; import _ \"github.com/sluicestream/sluice/sink/memory\")", name))
	}
	if schema == nil {
		return s.errFrame(fmt.Errorf("table %q: no batch written yet", name))
	}
	df := s.FromRecords(name, schema, recs...)
	for _, r := range recs {
		r.Release() // FromRecords retained its own references
	}
	return df
}

// Close stops the session's streaming queries and releases the records its
// in-memory DataFrames hold. Using those DataFrames afterwards is an error.
func (s *Session) Close() error {
	// Queries first: they may still read the session's tables.
	s.Streams().StopAll()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tables {
		t.release()
	}
	s.tables = nil
	return nil
}

func (s *Session) frame(n plan.Node, err error) *DataFrame {
	return &DataFrame{s: s, node: n, err: err}
}

func (s *Session) errFrame(err error) *DataFrame { return &DataFrame{s: s, err: err} }
