package exec

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

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
	preds []predicate
}

var _ Operator = (*filter)(nil)

// newFilter returns a filter of input by cond, a boolean expression over the
// input's schema.
func newFilter(input Operator, cond expr.Expr) (*filter, error) {
	if err := checkPredicate(cond, input.Schema()); err != nil {
		return nil, err
	}
	return &filter{input: input, cond: cond, preds: newPredicates([]expr.Expr{cond})}, nil
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
	op  *filter
	tc  *TaskContext
	in  batch.Reader // nil once closed
	sel selection
}

func (r *filterReader) Schema() *arrow.Schema { return r.op.Schema() }

func (r *filterReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.in == nil {
		return nil, errClosed
	}
	ectx := r.tc.evalContext(ctx)
	for {
		rec, err := r.in.Next(ctx)
		if err != nil {
			return nil, err
		}
		out, err := r.filter(ectx, rec)
		rec.Release()
		if err != nil || out != nil {
			return out, err
		}
	}
}

// filter returns the rows of rec the condition keeps: rec itself (retained)
// when it keeps all, nil when it keeps none.
func (r *filterReader) filter(ectx *expr.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	kept, err := selectRows(ectx, r.op.preds, rec, &r.sel)
	switch {
	case err != nil || kept == 0:
		return nil, err
	case kept == int(rec.NumRows()):
		rec.Retain()
		return rec, nil
	}
	cols, err := r.sel.gather(ectx, rec.Columns(), kept)
	if err != nil {
		return nil, err
	}
	defer releaseArrays(cols)
	return array.NewRecordBatch(rec.Schema(), cols, int64(kept)), nil
}

func (r *filterReader) Close() error {
	if r.in == nil {
		return nil
	}
	err := r.in.Close()
	r.in = nil
	return err
}
