package exec

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
)

// sortOp orders its input by keys, stably, as Spark does: NULLs first
// ascending and last descending, NaN greater than every other number.
//
// It is blocking: the first Next reads the whole input, closes it, and
// concatenates it into one record; later Nexts gather the sorted rows from it
// a batch-size chunk at a time. Memory is about twice the input.
type sortOp struct {
	input Operator
	keys  []plan.SortKey
}

var _ Operator = (*sortOp)(nil)

// newSort returns a sort of input by keys, at least one, each of a type Arrow
// can order.
func newSort(input Operator, keys []plan.SortKey) (*sortOp, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("sort: no keys")
	}
	for _, k := range keys {
		t, err := k.Expr.Type(input.Schema())
		if err != nil {
			return nil, fmt.Errorf("sort by %s: %w", k.Expr, err)
		}
		if !sortable(t) {
			return nil, &expr.TypeError{Expr: k.Expr.String(), Types: []arrow.DataType{t}, Msg: "cannot sort by this type"}
		}
	}
	return &sortOp{input: input, keys: keys}, nil
}

// sortable reports whether Arrow's sort_indices kernel orders values of t
// (or, for NULL, whether they need no ordering).
func sortable(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.NULL, arrow.BOOL,
		arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64,
		arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256,
		arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION,
		arrow.INTERVAL_MONTHS, arrow.INTERVAL_DAY_TIME, arrow.INTERVAL_MONTH_DAY_NANO,
		arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY, arrow.FIXED_SIZE_BINARY:
		return true
	}
	return false
}

func (s *sortOp) Schema() *arrow.Schema { return s.input.Schema() }
func (s *sortOp) Children() []Operator  { return []Operator{s.input} }

func (s *sortOp) String() string {
	parts := make([]string, len(s.keys))
	for i, k := range s.keys {
		if k.Desc {
			parts[i] = k.Expr.String() + " DESC NULLS LAST"
		} else {
			parts[i] = k.Expr.String() + " ASC NULLS FIRST"
		}
	}
	return "Sort [" + strings.Join(parts, ", ") + "]"
}

func (s *sortOp) Execute(ctx context.Context, tc *TaskContext) (batch.Reader, error) {
	in, err := s.input.Execute(ctx, tc)
	if err != nil {
		return nil, err
	}
	return &sortReader{op: s, tc: tc, in: in}, nil
}

type sortReader struct {
	op     *sortOp
	tc     *TaskContext
	in     batch.Reader // nil once the input is consumed
	loaded bool
	err    error // from loading, returned by every later Next
	closed bool

	all     arrow.RecordBatch // the whole input; nil if it was empty
	indices arrow.Array       // sorted order of all's rows; nil: all is in order
	off     int               // rows emitted so far
}

func (r *sortReader) Schema() *arrow.Schema { return r.op.Schema() }

func (r *sortReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.closed {
		return nil, errClosed
	}
	if !r.loaded {
		r.loaded = true
		r.err = r.load(ctx)
	}
	if r.err != nil {
		return nil, r.err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.all == nil || int64(r.off) == r.all.NumRows() {
		r.release()
		return nil, io.EOF
	}
	lo := r.off
	hi := min(lo+batchSize(r.tc), int(r.all.NumRows()))
	r.off = hi
	if r.indices == nil {
		return r.all.NewSlice(int64(lo), int64(hi)), nil
	}
	idx := array.NewSlice(r.indices, int64(lo), int64(hi))
	defer idx.Release()
	cols, err := takeColumns(r.tc.evalContext(ctx).ComputeCtx(), r.all.Columns(), idx)
	if err != nil {
		return nil, fmt.Errorf("sort: %w", err)
	}
	defer releaseArrays(cols)
	return newRecord(r.op.Schema(), cols, int64(hi-lo))
}

// load consumes the input, closes it, and computes the sorted order.
func (r *sortReader) load(ctx context.Context) error {
	recs, err := batch.ReadAll(ctx, r.in)
	r.in = nil
	if err != nil {
		return err
	}
	defer batch.Release(recs)
	recs = nonEmpty(recs)
	if len(recs) == 0 {
		return nil
	}
	all, err := batch.Concat(r.tc.Mem, r.op.Schema(), recs)
	if err != nil {
		return fmt.Errorf("sort: %w", err)
	}
	indices, err := sortIndices(r.tc.evalContext(ctx), all, r.op.keys)
	if err != nil {
		all.Release()
		return err
	}
	r.all, r.indices = all, indices
	return nil
}

// nonEmpty returns the records of recs that have rows, releasing the others.
func nonEmpty(recs []arrow.RecordBatch) []arrow.RecordBatch {
	out := recs[:0]
	for _, rec := range recs {
		if rec.NumRows() == 0 {
			rec.Release()
			continue
		}
		out = append(out, rec)
	}
	clear(recs[len(out):])
	return out
}

// sortIndices returns the stable sorted order of rec's rows by keys, or nil
// when no key orders anything (all NULL-typed). The caller releases it.
func sortIndices(ectx *expr.Context, rec arrow.RecordBatch, keys []plan.SortKey) (arrow.Array, error) {
	var (
		cols  []arrow.Array
		order []compute.SortKey
	)
	defer func() { releaseArrays(cols) }()
	add := func(col arrow.Array, desc bool) {
		k := compute.SortKey{ColumnIndex: len(cols), Order: compute.SortOrderAscending, NullPlacement: compute.SortNullsAtStart}
		if desc {
			k.Order, k.NullPlacement = compute.SortOrderDescending, compute.SortNullsAtEnd
		}
		cols, order = append(cols, col), append(order, k)
	}
	for _, k := range keys {
		col, err := k.Expr.Eval(ectx, rec)
		if err != nil {
			return nil, fmt.Errorf("sort by %s: %w", k.Expr, err)
		}
		if col.DataType().ID() == arrow.NULL {
			col.Release()
			continue
		}
		// Arrow puts NaN next to the NULLs; Spark orders it above every
		// number. A leading key "is NaN" (NULL where the value is) fixes that.
		if isNaN := nanMask(ectx.Mem, col); isNaN != nil {
			add(isNaN, k.Desc)
		}
		add(col, k.Desc)
	}
	if len(cols) == 0 {
		return nil, nil
	}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: fmt.Sprintf("k%d", i), Type: c.DataType(), Nullable: true}
	}
	keyRec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, rec.NumRows())
	defer keyRec.Release()
	// The indices come from the Go allocator, not the task's: arrow-go
	// v18.8.0's sort_indices kernel never frees its scratch buffer, which
	// would leak from an accounted allocator (and does no harm to the Go one).
	indices, err := compute.SortIndicesRecordBatch(compute.WithAllocator(ectx.Ctx, memory.DefaultAllocator), keyRec, order)
	if err != nil {
		return nil, fmt.Errorf("sort: %w", err)
	}
	return indices, nil
}

// nanMask returns, for a floating-point col holding at least one NaN, a
// boolean array true where col is NaN and NULL where col is NULL; otherwise
// nil. The caller releases it.
func nanMask(mem memory.Allocator, col arrow.Array) arrow.Array {
	var isNaN func(i int) bool
	switch c := col.(type) {
	case *array.Float64:
		isNaN = func(i int) bool { return math.IsNaN(c.Value(i)) }
	case *array.Float32:
		isNaN = func(i int) bool { return math.IsNaN(float64(c.Value(i))) }
	case *array.Float16:
		isNaN = func(i int) bool { return c.Value(i).IsNaN() }
	default:
		return nil
	}
	first := -1
	for i := 0; i < col.Len() && first < 0; i++ {
		if col.IsValid(i) && isNaN(i) {
			first = i
		}
	}
	if first < 0 {
		return nil
	}
	b := array.NewBooleanBuilder(mem)
	defer b.Release()
	b.Reserve(col.Len())
	for i := 0; i < col.Len(); i++ {
		if col.IsNull(i) {
			b.UnsafeAppendBoolToBitmap(false)
		} else {
			b.UnsafeAppend(isNaN(i))
		}
	}
	return b.NewArray()
}

// release drops the buffered input.
func (r *sortReader) release() {
	if r.all != nil {
		r.all.Release()
		r.all = nil
	}
	if r.indices != nil {
		r.indices.Release()
		r.indices = nil
	}
}

func (r *sortReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.release()
	if r.in == nil {
		return nil
	}
	err := r.in.Close()
	r.in = nil
	return err
}
