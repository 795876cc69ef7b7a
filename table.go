package sluice

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/internal/fileformat"
	"github.com/sluicestream/sluice/plan"
)

// memTable is a plan.Table over records held in memory.
type memTable struct {
	name   string
	schema *arrow.Schema
	recs   []arrow.RecordBatch
	closed atomic.Bool // set by Session.Close, read by Scan from any goroutine
}

var _ plan.Table = (*memTable)(nil)

func newMemTable(name string, schema *arrow.Schema, recs []arrow.RecordBatch) *memTable {
	for _, r := range recs {
		r.Retain()
	}
	return &memTable{name: name, schema: schema, recs: recs}
}

func (t *memTable) release() {
	t.closed.Store(true)
	batch.Release(t.recs)
	t.recs = nil
}

func (t *memTable) Name() string          { return t.name }
func (t *memTable) Schema() *arrow.Schema { return t.schema }

func (t *memTable) Scan(_ context.Context, _ memory.Allocator, columns []string, _ []expr.Expr) (batch.Reader, error) {
	if t.closed.Load() {
		return nil, fmt.Errorf("scan %s: the session that holds it is closed", t.name)
	}
	out := make([]arrow.RecordBatch, 0, len(t.recs))
	schema := t.schema
	for _, r := range t.recs {
		p, err := projectRecord(r, columns)
		if err != nil {
			batch.Release(out)
			return nil, fmt.Errorf("scan %s: %w", t.name, err)
		}
		schema = p.Schema()
		out = append(out, p)
	}
	if columns != nil && len(t.recs) == 0 {
		var err error
		if schema, err = projectSchema(t.schema, columns); err != nil {
			return nil, fmt.Errorf("scan %s: %w", t.name, err)
		}
	}
	return batch.NewSliceReader(schema, out...), nil
}

// projectSchema returns the fields of s named by columns, in that order.
func projectSchema(s *arrow.Schema, columns []string) (*arrow.Schema, error) {
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		idx := s.FieldIndices(c)
		if len(idx) == 0 {
			return nil, &expr.UnknownColumnError{Name: c, Available: fieldNames(s)}
		}
		fields[i] = s.Field(idx[0])
	}
	return arrow.NewSchema(fields, nil), nil
}

// projectRecord returns a new reference to r with only the named columns; nil
// columns means all.
func projectRecord(r arrow.RecordBatch, columns []string) (arrow.RecordBatch, error) {
	if columns == nil {
		r.Retain()
		return r, nil
	}
	s, err := projectSchema(r.Schema(), columns)
	if err != nil {
		return nil, err
	}
	cols := make([]arrow.Array, len(columns))
	for i, c := range columns {
		cols[i] = r.Column(r.Schema().FieldIndices(c)[0])
	}
	return array.NewRecordBatch(s, cols, r.NumRows()), nil
}

func fieldNames(s *arrow.Schema) []string {
	names := make([]string, s.NumFields())
	for i := range names {
		names[i] = s.Field(i).Name
	}
	return names
}

// fileTable is a plan.Table over a set of files of one format.
type fileTable struct {
	name   string
	paths  []string
	opts   fileformat.ReadOptions
	schema *arrow.Schema
}

var _ plan.Table = (*fileTable)(nil)

func (t *fileTable) Name() string          { return t.name }
func (t *fileTable) Schema() *arrow.Schema { return t.schema }

func (t *fileTable) Scan(ctx context.Context, mem memory.Allocator, columns []string, _ []expr.Expr) (batch.Reader, error) {
	opts := t.opts
	opts.Schema = t.schema
	r, err := fileformat.Open(ctx, mem, t.paths, opts)
	if err != nil {
		return nil, err
	}
	if columns == nil {
		return r, nil
	}
	s, err := projectSchema(r.Schema(), columns)
	if err != nil {
		r.Close()
		return nil, err
	}
	return &projectReader{in: r, schema: s, columns: columns}, nil
}

// projectReader keeps only some columns of its input.
type projectReader struct {
	in      batch.Reader
	schema  *arrow.Schema
	columns []string
}

func (p *projectReader) Schema() *arrow.Schema { return p.schema }
func (p *projectReader) Close() error          { return p.in.Close() }

func (p *projectReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	r, err := p.in.Next(ctx)
	if err != nil {
		return nil, err
	}
	defer r.Release()
	return projectRecord(r, p.columns)
}
