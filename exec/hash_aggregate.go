package exec

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
)

// hashAggregate groups its input by hashing the grouping keys (GroupTable)
// and folds every batch into one vectorised accumulator per aggregate.
//
// It is blocking: the first Next consumes the whole input, then the groups
// are emitted in records of at most TaskContext.BatchSize rows, in order of
// each group's first appearance. Memory is the distinct keys plus the
// accumulator state, not the input.
type hashAggregate struct {
	input  Operator
	spec   *aggSpec
	mode   AggregateMode
	schema *arrow.Schema
}

var _ Operator = (*hashAggregate)(nil)

// newHashAggregate returns the hash aggregation operator for n over input.
func newHashAggregate(input Operator, n *plan.Aggregate) (Operator, error) {
	op, err := newHashAggregateOp(input, n.GroupBy, n.Aggs, AggregateSingle)
	if err != nil {
		return nil, err
	}
	if err := sameTypes(n.Schema(), op.schema); err != nil {
		return nil, fmt.Errorf("hash aggregate: plan and operator disagree: %w", err)
	}
	op.schema = n.Schema()
	return op, nil
}

// NewHashAggregateOp returns a hash aggregation of input in the given mode.
// groupBy and aggs (each an *expr.AggFunc, optionally aliased) are
// expressions over the rows being aggregated:
//   - Single: input produces those rows; the output is the grouping columns
//     then one column per aggregate, as a plan.Aggregate's.
//   - Partial: likewise, but the output holds each aggregate's partial state
//     columns instead of its value (a one-column state is named like the
//     aggregate, a wider one "name#i"), and its schema records the input
//     schema under PartialInputMetadataKey.
//   - Final: input produces a Partial's output over the same groupBy and aggs
//     (with that schema metadata); the output is Single's.
//
// With no grouping keys the output is exactly one row, also over empty input.
func NewHashAggregateOp(input Operator, groupBy []expr.Expr, aggs []expr.Expr, mode AggregateMode) (Operator, error) {
	return newHashAggregateOp(input, groupBy, aggs, mode)
}

func newHashAggregateOp(input Operator, groupBy, aggs []expr.Expr, mode AggregateMode) (*hashAggregate, error) {
	if len(groupBy) == 0 && len(aggs) == 0 {
		return nil, fmt.Errorf("hash aggregate: no grouping keys and no aggregates")
	}
	rows := input.Schema()
	if mode == AggregateFinal {
		in, err := partialInput(rows)
		if err != nil {
			return nil, fmt.Errorf("final hash aggregate: %w", err)
		}
		rows = in
	}
	spec, err := newAggSpec(rows, groupBy, aggs)
	if err != nil {
		return nil, fmt.Errorf("hash aggregate: %w", err)
	}
	op := &hashAggregate{input: input, spec: spec, mode: mode}
	switch mode {
	case AggregateSingle:
		op.schema = spec.outputSchema()
	case AggregatePartial:
		if op.schema, err = spec.partialSchema(); err != nil {
			return nil, fmt.Errorf("partial hash aggregate: %w", err)
		}
	case AggregateFinal:
		partial, err := spec.partialSchema()
		if err != nil {
			return nil, fmt.Errorf("final hash aggregate: %w", err)
		}
		if err := checkPartialInput(input.Schema(), partial); err != nil {
			return nil, fmt.Errorf("final hash aggregate: %w", err)
		}
		op.schema = spec.outputSchema()
	default:
		return nil, fmt.Errorf("hash aggregate: unknown mode %d", int(mode))
	}
	return op, nil
}

// sameTypes reports the first column where a and b differ in name or type.
func sameTypes(a, b *arrow.Schema) error {
	if a.NumFields() != b.NumFields() {
		return fmt.Errorf("%d columns vs %d", a.NumFields(), b.NumFields())
	}
	for i := range a.Fields() {
		fa, fb := a.Field(i), b.Field(i)
		if fa.Name != fb.Name || !arrow.TypeEqual(fa.Type, fb.Type) {
			return fmt.Errorf("column %d: %s %s vs %s %s", i, fa.Name, fa.Type, fb.Name, fb.Type)
		}
	}
	return nil
}

func (a *hashAggregate) Schema() *arrow.Schema { return a.schema }
func (a *hashAggregate) Children() []Operator  { return []Operator{a.input} }

// String is e.g. "HashAggregate [word] [count(*) AS n]", with the mode
// after the name unless it is single: "HashAggregate(partial) …".
func (a *hashAggregate) String() string {
	name := "HashAggregate"
	if a.mode != AggregateSingle {
		name += "(" + a.mode.String() + ")"
	}
	aggs := make([]expr.Expr, len(a.spec.aggs))
	for i, fn := range a.spec.aggs {
		aggs[i] = fn
		if out := a.spec.aggFields[i].Name; out != fn.String() {
			aggs[i] = expr.As(fn, out)
		}
	}
	return fmt.Sprintf("%s [%s] [%s]", name, joinExprs(a.spec.groupBy), joinExprs(aggs))
}

func (a *hashAggregate) Execute(ctx context.Context, tc *TaskContext) (batch.Reader, error) {
	in, err := a.input.Execute(ctx, tc)
	if err != nil {
		return nil, err
	}
	return &hashAggregateReader{op: a, tc: tc, in: in}, nil
}

type hashAggregateReader struct {
	op     *hashAggregate
	tc     *TaskContext
	in     batch.Reader // nil once the input is consumed
	loaded bool
	closed bool

	out arrow.RecordBatch // every group; nil when there is none
	off int64             // rows of out emitted so far
}

func (r *hashAggregateReader) Schema() *arrow.Schema { return r.op.schema }

func (r *hashAggregateReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.closed {
		return nil, errClosed
	}
	if !r.loaded {
		out, err := r.load(ctx)
		if err != nil {
			return nil, err
		}
		r.out, r.loaded = out, true
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.out == nil || r.off == r.out.NumRows() {
		r.release()
		return nil, io.EOF
	}
	lo := r.off
	r.off = min(lo+int64(batchSize(r.tc)), r.out.NumRows())
	if lo == 0 && r.off == r.out.NumRows() {
		r.out.Retain()
		return r.out, nil
	}
	return r.out.NewSlice(lo, r.off), nil
}

// load consumes and closes the input, and returns every group's output row
// (nil for none).
func (r *hashAggregateReader) load(ctx context.Context) (arrow.RecordBatch, error) {
	in := r.in
	r.in = nil
	defer in.Close()
	g, err := newAggGroups(r.op.spec)
	if err != nil {
		return nil, err
	}
	defer g.release()
	ectx := r.tc.evalContext(ctx)
	for {
		rec, err := in.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if r.op.mode == AggregateFinal {
			err = g.merge(rec)
		} else {
			err = g.update(ectx, rec)
		}
		rec.Release()
		if err != nil {
			return nil, fmt.Errorf("hash aggregate: %w", err)
		}
	}
	if err := in.Close(); err != nil {
		return nil, err
	}
	return r.result(g)
}

// result assembles the output of every group.
func (r *hashAggregateReader) result(g *aggGroups) (arrow.RecordBatch, error) {
	n := g.numGroups()
	if n == 0 {
		return nil, nil
	}
	mem := r.tc.Mem
	cols, err := g.keyColumns(mem)
	if err != nil {
		return nil, fmt.Errorf("hash aggregate: %w", err)
	}
	defer func() { releaseArrays(cols) }()
	var vals []arrow.Array
	if r.op.mode == AggregatePartial {
		vals, err = g.states(mem)
	} else {
		vals, err = g.values(mem)
	}
	if err != nil {
		return nil, fmt.Errorf("hash aggregate: %w", err)
	}
	cols = append(cols, vals...)
	out, err := newRecord(r.op.schema, cols, int64(n))
	if err != nil {
		return nil, fmt.Errorf("hash aggregate: %w", err)
	}
	return out, nil
}

func (r *hashAggregateReader) release() {
	if r.out != nil {
		r.out.Release()
		r.out = nil
	}
}

func (r *hashAggregateReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.release()
	if r.in != nil {
		err := r.in.Close()
		r.in = nil
		return err
	}
	return nil
}
