package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/source"
)

// StreamTable is a streaming input in a plan: a plan.Table whose Scan reads
// the current micro-batch's range of the source the query binds to it (by
// Name, through Options.Sources). The plan is built once over StreamTables
// and the engine moves each table's range before executing it for a batch.
//
// A StreamTable belongs to at most one running query at a time; outside a
// query, Scan is an error.
type StreamTable struct {
	name   string
	schema *arrow.Schema

	mu    sync.Mutex
	owner *Query
	src   source.Source
	start source.Offset
	end   source.Offset
	rows  *atomic.Int64 // rows read in the current batch
}

var _ plan.Table = (*StreamTable)(nil)

// NewStreamTable returns a stream table named name (the key of its source in
// Options.Sources) with the source's schema.
func NewStreamTable(name string, schema *arrow.Schema) *StreamTable {
	return &StreamTable{name: name, schema: schema}
}

// Name is the key of the table's source in Options.Sources.
func (t *StreamTable) Name() string { return t.name }

// Schema is the source's schema.
func (t *StreamTable) Schema() *arrow.Schema { return t.schema }

// Scan reads (start, end] of the bound source for the current batch. The
// columns and filters are hints; the scan operator selects and filters.
func (t *StreamTable) Scan(ctx context.Context, mem memory.Allocator, _ []string, _ []expr.Expr) (batch.Reader, error) {
	t.mu.Lock()
	src, start, end, rows := t.src, t.start, t.end, t.rows
	t.mu.Unlock()
	if src == nil {
		return nil, fmt.Errorf("stream table %s: not bound to a running query", t.name)
	}
	if source.Equal(start, end) {
		return batch.NewSliceReader(t.schema), nil
	}
	r, err := src.Read(ctx, start, end, mem)
	if err != nil {
		return nil, fmt.Errorf("stream table %s: read (%s, %s]: %w", t.name, showOffset(start), showOffset(end), err)
	}
	return &countingReader{Reader: r, rows: rows}, nil
}

// bind attaches the table to q and src; it fails if another query holds it.
func (t *StreamTable) bind(q *Query, src source.Source, rows *atomic.Int64) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.owner != nil && t.owner != q {
		return fmt.Errorf("stream table %s is used by running query %s", t.name, t.owner.id)
	}
	t.owner, t.src, t.rows = q, src, rows
	return nil
}

func (t *StreamTable) unbind(q *Query) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.owner == q {
		t.owner, t.src, t.start, t.end, t.rows = nil, nil, nil, nil, nil
	}
}

func (t *StreamTable) setRange(start, end source.Offset) {
	t.mu.Lock()
	t.start, t.end = start, end
	t.mu.Unlock()
}

// countingReader counts the rows read from a source.
type countingReader struct {
	batch.Reader
	rows *atomic.Int64
}

func (r *countingReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	rec, err := r.Reader.Next(ctx)
	if err == nil && r.rows != nil {
		r.rows.Add(rec.NumRows())
	}
	return rec, err
}

func showOffset(o source.Offset) string {
	if o == nil {
		return "-"
	}
	return string(o)
}

// streamTables returns the stream tables of a plan by name, and rejects what
// the stateless engine cannot run.
func streamTables(n plan.Node) (map[string]*StreamTable, error) {
	tables := map[string]*StreamTable{}
	var walk func(plan.Node) error
	walk = func(n plan.Node) error {
		switch n := n.(type) {
		case *plan.Scan:
			st, ok := n.Table.(*StreamTable)
			if !ok {
				return fmt.Errorf("engine: scan of %s: not a stream table; static tables in streaming queries are not supported yet", n.Table.Name())
			}
			if prev, ok := tables[st.name]; ok && prev != st {
				return fmt.Errorf("engine: two different stream tables are named %q", st.name)
			}
			tables[st.name] = st
		case *plan.Project, *plan.Filter, *plan.Explode, *plan.Union:
		case *plan.Aggregate, *plan.Join, *plan.Sort, *plan.Limit:
			return fmt.Errorf("engine: streaming support for %T (%s) is not built yet: only stateless queries (select, filter, explode, union) can run", n, n)
		default:
			return fmt.Errorf("engine: streaming support for %T is not built yet", n)
		}
		for _, c := range n.Children() {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(n); err != nil {
		return nil, err
	}
	if len(tables) == 0 {
		return nil, errors.New("engine: the plan reads no stream table")
	}
	return tables, nil
}
