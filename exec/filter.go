package exec

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
)

// filter keeps the rows for which its condition is true; false and NULL drop
// the row. It never returns an empty record: an input record with no row kept
// is skipped and the next one read. An input record whose rows are all kept
// is passed on as it is.
type filter struct {
	input Operator
	cond  expr.Expr
}

var _ Operator = (*filter)(nil)

// newFilter returns a filter of input by cond, a boolean expression over the
// input's schema.
func newFilter(input Operator, cond expr.Expr) (*filter, error) {
	if err := checkPredicate(cond, input.Schema()); err != nil {
		return nil, err
	}
	return &filter{input: input, cond: cond}, nil
}

func (f *filter) Schema() *arrow.Schema { return f.input.Schema() }
func (f *filter) Children() []Operator  { return []Operator{f.input} }
func (f *filter) String() string        { return "Filter " + f.cond.String() }

func (f *filter) Execute(ctx context.Context, tc *TaskContext) (batch.Reader, error) {
	in, err := f.input.Execute(ctx, tc)
	if err != nil {
		return nil, err
	}
	return &filterReader{op: f, tc: tc, in: in}, nil
}

type filterReader struct {
	op *filter
	tc *TaskContext
	in batch.Reader // nil once closed
}

func (r *filterReader) Schema() *arrow.Schema { return r.op.Schema() }

func (r *filterReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.in == nil {
		return nil, errClosed
	}
	ectx := r.tc.evalContext(ctx)
	conds := []expr.Expr{r.op.cond}
	for {
		rec, err := r.in.Next(ctx)
		if err != nil {
			return nil, err
		}
		out, err := applyFilters(ectx, conds, rec)
		rec.Release()
		if err != nil {
			return nil, err
		}
		if out != nil {
			return out, nil
		}
	}
}

func (r *filterReader) Close() error {
	if r.in == nil {
		return nil
	}
	err := r.in.Close()
	r.in = nil
	return err
}
