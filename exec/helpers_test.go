package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
)

// checkedMem returns a checked allocator that must be empty when t ends.
func checkedMem(t *testing.T) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// schemaOf builds a schema of nullable fields from name, type pairs.
func schemaOf(pairs ...any) *arrow.Schema {
	fields := make([]arrow.Field, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		fields = append(fields, arrow.Field{Name: pairs[i].(string), Type: pairs[i+1].(arrow.DataType), Nullable: true})
	}
	return arrow.NewSchema(fields, nil)
}

// recordOf builds a record of schema from a JSON array of row objects; it is
// released when t ends.
func recordOf(t *testing.T, mem memory.Allocator, schema *arrow.Schema, rows string) arrow.RecordBatch {
	t.Helper()
	rec, _, err := array.RecordFromJSON(mem, schema, strings.NewReader(rows))
	if err != nil {
		t.Fatalf("record from %s: %v", rows, err)
	}
	t.Cleanup(rec.Release)
	return rec
}

// sliceOf returns rows [i, j) of rec, released when t ends.
func sliceOf(t *testing.T, rec arrow.RecordBatch, i, j int64) arrow.RecordBatch {
	s := rec.NewSlice(i, j)
	t.Cleanup(s.Release)
	return s
}

// rowsOf renders every row of recs as its values joined by ",", NULL as
// "(null)".
func rowsOf(recs []arrow.RecordBatch) []string {
	var out []string
	for _, rec := range recs {
		for i := 0; i < int(rec.NumRows()); i++ {
			vals := make([]string, rec.NumCols())
			for j, c := range rec.Columns() {
				vals[j] = c.ValueStr(i)
			}
			out = append(out, strings.Join(vals, ","))
		}
	}
	return out
}

// sizesOf returns the number of rows of each record.
func sizesOf(recs []arrow.RecordBatch) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.NumRows()
	}
	return out
}

// wantRows fails t unless recs hold exactly want, in order.
func wantRows(t *testing.T, recs []arrow.RecordBatch, want ...string) {
	t.Helper()
	got := rowsOf(recs)
	if !slices.Equal(got, want) {
		t.Fatalf("rows:\n got  %q\n want %q", got, want)
	}
}

// runOp executes op with a task context over mem and drains it.
func runOp(t *testing.T, op Operator, mem memory.Allocator, batchSize int) ([]arrow.RecordBatch, error) {
	t.Helper()
	tc := NewTaskContext(mem)
	if batchSize > 0 {
		tc.BatchSize = batchSize
	}
	return Run(context.Background(), op, tc)
}

// mustRun is runOp that fails t on error; the records are released when t
// ends.
func mustRun(t *testing.T, op Operator, mem memory.Allocator, batchSize int) []arrow.RecordBatch {
	t.Helper()
	recs, err := runOp(t, op, mem, batchSize)
	if err != nil {
		t.Fatalf("run %s: %v", op, err)
	}
	t.Cleanup(func() { batch.Release(recs) })
	return recs
}

// source is a leaf Operator over fixed records, for feeding the operator
// under test. It records every reader it hands out, so a test can check that
// all were closed, and it can be armed: a Next before arm is a test failure,
// which is how tests prove an operator reads nothing before its own first
// Next. failAt > 0 makes the failAt-th Next of each reader fail with errSource.
type source struct {
	t      *testing.T
	schema *arrow.Schema
	recs   []arrow.RecordBatch
	failAt int
	// execErr, if set, is returned by Execute.
	execErr error

	mu      sync.Mutex
	armed   bool
	readers []*sourceReader
}

var errSource = errors.New("source failure")

// newSource returns a source of recs, which it retains until t ends.
func newSource(t *testing.T, schema *arrow.Schema, recs ...arrow.RecordBatch) *source {
	for _, r := range recs {
		r.Retain()
	}
	s := &source{t: t, schema: schema, recs: recs, armed: true}
	t.Cleanup(func() { batch.Release(recs) })
	return s
}

// lazySource is newSource, unarmed.
func lazySource(t *testing.T, schema *arrow.Schema, recs ...arrow.RecordBatch) *source {
	s := newSource(t, schema, recs...)
	s.armed = false
	return s
}

func (s *source) arm() {
	s.mu.Lock()
	s.armed = true
	s.mu.Unlock()
}

func (s *source) Schema() *arrow.Schema { return s.schema }
func (s *source) Children() []Operator  { return nil }
func (s *source) String() string        { return fmt.Sprintf("Source %d records", len(s.recs)) }

func (s *source) Execute(_ context.Context, _ *TaskContext) (batch.Reader, error) {
	if s.execErr != nil {
		return nil, s.execErr
	}
	recs := slices.Clone(s.recs)
	for _, r := range recs {
		r.Retain()
	}
	r := &sourceReader{src: s, inner: batch.NewSliceReader(s.schema, recs...)}
	s.mu.Lock()
	s.readers = append(s.readers, r)
	s.mu.Unlock()
	return r, nil
}

// nexts returns how many times Next was called on all readers.
func (s *source) nexts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.readers {
		n += r.nexts
	}
	return n
}

// assertClosed fails t unless every reader handed out was closed.
func (s *source) assertClosed(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.readers {
		if !r.closed {
			t.Errorf("%s: reader %d not closed", s, i)
		}
	}
}

type sourceReader struct {
	src    *source
	inner  batch.Reader
	nexts  int
	closed bool
}

func (r *sourceReader) Schema() *arrow.Schema { return r.src.schema }

func (r *sourceReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	r.src.mu.Lock()
	armed := r.src.armed
	r.src.mu.Unlock()
	if !armed {
		r.src.t.Errorf("%s: Next before the operator's first Next", r.src)
		return nil, errors.New("not armed")
	}
	if r.closed {
		r.src.t.Errorf("%s: Next after Close", r.src)
		return nil, errClosed
	}
	r.nexts++
	if r.nexts == r.src.failAt {
		return nil, errSource
	}
	return r.inner.Next(ctx)
}

func (r *sourceReader) Close() error {
	r.closed = true
	return r.inner.Close()
}

// testTable is an in-memory plan.Table. Scan returns the named columns of
// its records; it ignores filters, as a table may.
type testTable struct {
	*source
	name    string
	scans   int
	columns []string // of the last Scan
	filters []expr.Expr
}

func newTestTable(t *testing.T, name string, schema *arrow.Schema, recs ...arrow.RecordBatch) *testTable {
	return &testTable{source: newSource(t, schema, recs...), name: name}
}

func (tt *testTable) Name() string { return tt.name }

func (tt *testTable) Scan(ctx context.Context, mem memory.Allocator, columns []string, filters []expr.Expr) (batch.Reader, error) {
	tt.mu.Lock()
	armed := tt.armed
	tt.mu.Unlock()
	if !armed {
		tt.t.Errorf("table %s: Scan before the operator's first Next", tt.name)
	}
	tt.scans++
	tt.columns, tt.filters = columns, filters
	r, err := tt.source.Execute(ctx, nil)
	if err != nil || columns == nil {
		return r, err
	}
	return &projectingReader{in: r, columns: columns}, nil
}

// projectingReader keeps the named columns of in's records.
type projectingReader struct {
	in      batch.Reader
	columns []string
}

func (p *projectingReader) Schema() *arrow.Schema {
	s := p.in.Schema()
	fields := make([]arrow.Field, len(p.columns))
	for i, c := range p.columns {
		fields[i] = s.Field(s.FieldIndices(c)[0])
	}
	return arrow.NewSchema(fields, nil)
}

func (p *projectingReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	rec, err := p.in.Next(ctx)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	cols := make([]arrow.Array, len(p.columns))
	for i, c := range p.columns {
		cols[i] = rec.Column(rec.Schema().FieldIndices(c)[0])
	}
	return array.NewRecordBatch(p.Schema(), cols, rec.NumRows()), nil
}

func (p *projectingReader) Close() error { return p.in.Close() }

// cmpExpr compares an int64 column with a constant through arrow compute
// ("greater", "less", ...), so filters can be tested before expr has
// comparison operators. It is not expr.Infallible, so a filter runs it over
// only the rows earlier conjuncts kept, gathering the column its Children
// name.
type cmpExpr struct {
	fn  string
	col string
	v   int64
}

func gt(col string, v int64) expr.Expr { return &cmpExpr{fn: "greater", col: col, v: v} }

func (c *cmpExpr) String() string        { return fmt.Sprintf("(%s %s %d)", c.col, c.fn, c.v) }
func (c *cmpExpr) Children() []expr.Expr { return []expr.Expr{expr.Col(c.col)} }
func (c *cmpExpr) WithChildren(k []expr.Expr) expr.Expr {
	return &cmpExpr{fn: c.fn, col: k[0].(*expr.Column).Name, v: c.v}
}
func (c *cmpExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	if _, err := expr.Col(c.col).Type(s); err != nil {
		return nil, err
	}
	return arrow.FixedWidthTypes.Boolean, nil
}

func (c *cmpExpr) Eval(ctx *expr.Context, rec arrow.RecordBatch) (arrow.Array, error) {
	col, err := expr.Col(c.col).Eval(ctx, rec)
	if err != nil {
		return nil, err
	}
	defer col.Release()
	out, err := compute.CallFunction(ctx.ComputeCtx(), c.fn, nil, compute.NewDatumWithoutOwning(col), compute.NewDatum(c.v))
	if err != nil {
		return nil, err
	}
	defer out.Release()
	return out.(*compute.ArrayDatum).MakeArray(), nil
}

// failExpr is a boolean expression whose evaluation fails.
type failExpr struct{}

var errEval = errors.New("eval failure")

func (failExpr) String() string                         { return "fail()" }
func (failExpr) Children() []expr.Expr                  { return nil }
func (f failExpr) WithChildren(_ []expr.Expr) expr.Expr { return f }
func (failExpr) Type(_ *arrow.Schema) (arrow.DataType, error) {
	return arrow.FixedWidthTypes.Boolean, nil
}
func (failExpr) Eval(_ *expr.Context, _ arrow.RecordBatch) (arrow.Array, error) {
	return nil, errEval
}

// drain reads r to EOF, releasing every record, and returns how many rows
// it saw.
func drain(r batch.Reader) (int64, error) {
	var n int64
	for {
		rec, err := r.Next(context.Background())
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n += rec.NumRows()
		rec.Release()
	}
}
