package exec

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
)

// explode emits one row per element of the list its expression evaluates to:
// every input column, repeated, plus the element. A NULL or empty list yields
// no row. One input record may explode into many rows, so its output is cut
// into records of at most the task's batch size.
type explode struct {
	input  Operator
	list   expr.Expr
	as     string
	keep   []int // input columns passed through, by index
	schema *arrow.Schema
}

var _ Operator = (*explode)(nil)

// newExplode returns an explosion of list over input; schema is the input's
// fields followed by the element field.
func newExplode(input Operator, list expr.Expr, as string, schema *arrow.Schema) (*explode, error) {
	in := input.Schema()
	if schema.NumFields() < 1 || schema.NumFields() > in.NumFields()+1 {
		return nil, fmt.Errorf("explode %s: schema has %d fields, input %d", list, schema.NumFields(), in.NumFields())
	}
	// The schema names the input columns passed through (the plan may drop
	// some); find them by name, in order.
	keep := make([]int, schema.NumFields()-1)
	for i := range keep {
		name := schema.Field(i).Name
		idx := in.FieldIndices(name)
		if len(idx) == 0 {
			return nil, fmt.Errorf("explode %s: output column %q is not an input column", list, name)
		}
		keep[i] = idx[0]
	}
	t, err := list.Type(in)
	if err != nil {
		return nil, fmt.Errorf("explode %s: %w", list, err)
	}
	lt, ok := t.(arrow.ListLikeType)
	if !ok {
		return nil, &expr.TypeError{Expr: "explode(" + list.String() + ")", Types: []arrow.DataType{t}, Msg: "explode needs a list"}
	}
	if want := schema.Field(schema.NumFields() - 1).Type; !arrow.TypeEqual(lt.Elem(), want) {
		return nil, fmt.Errorf("explode %s: element type %s, schema says %s", list, lt.Elem(), want)
	}
	return &explode{input: input, list: list, as: as, keep: keep, schema: schema}, nil
}

func (e *explode) Schema() *arrow.Schema { return e.schema }
func (e *explode) Children() []Operator  { return []Operator{e.input} }
func (e *explode) String() string        { return fmt.Sprintf("Explode %s AS %s", e.list, e.as) }

func (e *explode) Execute(ctx context.Context, tc *TaskContext) (batch.Reader, error) {
	in, err := e.input.Execute(ctx, tc)
	if err != nil {
		return nil, err
	}
	return &explodeReader{op: e, tc: tc, in: in}, nil
}

type explodeReader struct {
	op *explode
	tc *TaskContext
	in batch.Reader // nil once closed

	// The input record being emitted, its flattened elements, the row each
	// element came from, and how many elements are emitted already.
	rec     arrow.RecordBatch
	values  arrow.Array
	parents []int32
	off     int
}

func (r *explodeReader) Schema() *arrow.Schema { return r.op.schema }

func (r *explodeReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.in == nil {
		return nil, errClosed
	}
	for r.rec == nil || r.off == len(r.parents) {
		r.releasePending()
		if err := r.load(ctx); err != nil {
			return nil, err
		}
	}
	lo := r.off
	hi := min(lo+batchSize(r.tc), len(r.parents))
	r.off = hi
	return r.emit(ctx, lo, hi)
}

// load reads the next input record and flattens its lists.
func (r *explodeReader) load(ctx context.Context) error {
	rec, err := r.in.Next(ctx)
	if err != nil {
		return err
	}
	defer rec.Release()
	if rec.NumRows() == 0 {
		return nil
	}
	ectx := r.tc.evalContext(ctx)
	list, err := r.op.list.Eval(ectx, rec)
	if err != nil {
		return fmt.Errorf("explode %s: %w", r.op.list, err)
	}
	defer list.Release()
	values, parents, err := expr.ExplodeList(r.tc.Mem, list)
	if err != nil {
		return fmt.Errorf("explode %s: %w", r.op.list, err)
	}
	rec.Retain()
	r.rec, r.values, r.parents, r.off = rec, values, parents, 0
	return nil
}

// emit builds the output record of elements [lo, hi) of the pending record.
func (r *explodeReader) emit(ctx context.Context, lo, hi int) (arrow.RecordBatch, error) {
	cols, err := r.repeat(ctx, r.parents[lo:hi])
	if err != nil {
		return nil, fmt.Errorf("explode %s: %w", r.op.list, err)
	}
	defer releaseArrays(cols)
	elems := array.NewSlice(r.values, int64(lo), int64(hi))
	defer elems.Release()
	out, err := newRecord(r.op.schema, append(cols, elems), int64(hi-lo))
	if err != nil {
		return nil, fmt.Errorf("explode %s: %w", r.op.list, err)
	}
	return out, nil
}

// repeat returns the input columns at rows parents: zero-copy slices when the
// rows are consecutive (every list had one element), gathered otherwise.
func (r *explodeReader) repeat(ctx context.Context, parents []int32) ([]arrow.Array, error) {
	kept := make([]arrow.Array, len(r.op.keep))
	for i, k := range r.op.keep {
		kept[i] = r.rec.Column(k)
	}
	if len(kept) == 0 {
		return nil, nil
	}
	if consecutive(parents) {
		lo, hi := int64(parents[0]), int64(parents[len(parents)-1])+1
		cols := make([]arrow.Array, len(kept))
		for i, c := range kept {
			cols[i] = array.NewSlice(c, lo, hi)
		}
		return cols, nil
	}
	return takeRows(r.tc.evalContext(ctx), kept, parents)
}

// consecutive reports whether s is non-empty and counts up by one.
func consecutive(s []int32) bool {
	for i := 1; i < len(s); i++ {
		if s[i] != s[i-1]+1 {
			return false
		}
	}
	return len(s) > 0
}

// releasePending drops the record being emitted.
func (r *explodeReader) releasePending() {
	if r.rec != nil {
		r.rec.Release()
		r.values.Release()
	}
	r.rec, r.values, r.parents, r.off = nil, nil, nil, 0
}

func (r *explodeReader) Close() error {
	if r.in == nil {
		return nil
	}
	r.releasePending()
	err := r.in.Close()
	r.in = nil
	return err
}
