package exec

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
)

// errClosed is returned by Next after Close.
var errClosed = errors.New("exec: Next on a closed reader")

// batchSize is tc's target rows per output record, defaulted.
func batchSize(tc *TaskContext) int {
	if tc.BatchSize <= 0 {
		return DefaultBatchSize
	}
	return tc.BatchSize
}

// closeAll closes every non-nil reader and joins their errors.
func closeAll(rs ...batch.Reader) error {
	var errs []error
	for _, r := range rs {
		if r != nil {
			errs = append(errs, r.Close())
		}
	}
	return errors.Join(errs...)
}

// releaseArrays releases every non-nil array.
func releaseArrays(arrs []arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}

// newRecord is array.NewRecordBatch that returns an error, naming the column,
// instead of panicking when cols do not fit schema. The record retains cols.
func newRecord(schema *arrow.Schema, cols []arrow.Array, rows int64) (arrow.RecordBatch, error) {
	if len(cols) != schema.NumFields() {
		return nil, fmt.Errorf("%d columns for a schema of %d fields", len(cols), schema.NumFields())
	}
	for i, c := range cols {
		f := schema.Field(i)
		if !arrow.TypeEqual(c.DataType(), f.Type) {
			return nil, fmt.Errorf("column %q is %s, schema says %s", f.Name, c.DataType(), f.Type)
		}
		if int64(c.Len()) != rows {
			return nil, fmt.Errorf("column %q has %d rows, want %d", f.Name, c.Len(), rows)
		}
	}
	return array.NewRecordBatch(schema, cols, rows), nil
}

// checkPredicate returns an error unless cond is a boolean (or untyped NULL)
// expression over s.
func checkPredicate(cond expr.Expr, s *arrow.Schema) error {
	t, err := cond.Type(s)
	if err != nil {
		return err
	}
	if t.ID() != arrow.BOOL && t.ID() != arrow.NULL {
		return &expr.TypeError{Expr: cond.String(), Types: []arrow.DataType{t}, Msg: "a condition must be boolean"}
	}
	return nil
}

// filterRecord keeps the rows of rec where mask is true: false and NULL drop
// the row. It returns nil, nil when no row is kept, and rec itself (retained)
// when every row is. The caller releases the result; rec is not released.
func filterRecord(ctx context.Context, rec arrow.RecordBatch, mask arrow.Array) (arrow.RecordBatch, error) {
	if int64(mask.Len()) != rec.NumRows() {
		return nil, fmt.Errorf("condition has %d values for %d rows", mask.Len(), rec.NumRows())
	}
	if mask.DataType().ID() == arrow.NULL || mask.NullN() == mask.Len() {
		return nil, nil
	}
	b, ok := mask.(*array.Boolean)
	if !ok {
		return nil, fmt.Errorf("condition is %s, not boolean", mask.DataType())
	}
	data := b.Data()
	set := 0
	if bufs := data.Buffers(); len(bufs) > 1 && bufs[1] != nil {
		set = bitutil.CountSetBits(bufs[1].Bytes(), data.Offset(), data.Len())
	}
	switch {
	case set == 0:
		return nil, nil
	case set == b.Len() && b.NullN() == 0:
		rec.Retain()
		return rec, nil
	}
	out, err := compute.FilterRecordBatch(ctx, rec, mask, &compute.FilterOptions{NullSelection: compute.SelectionDropNulls})
	if err != nil {
		return nil, err
	}
	if out.NumRows() == 0 {
		out.Release()
		return nil, nil
	}
	return out, nil
}

// applyFilters keeps the rows of rec for which every condition is true,
// evaluating each condition only over the rows the previous ones kept (so a
// condition never sees a row an earlier one dropped). It returns nil, nil when
// no row is kept. The caller releases the result; rec is not released.
func applyFilters(ectx *expr.Context, conds []expr.Expr, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	if rec.NumRows() == 0 {
		return nil, nil
	}
	rec.Retain()
	for _, cond := range conds {
		mask, err := cond.Eval(ectx, rec)
		if err != nil {
			rec.Release()
			return nil, fmt.Errorf("filter %s: %w", cond, err)
		}
		out, err := filterRecord(ectx.ComputeCtx(), rec, mask)
		mask.Release()
		rec.Release()
		if err != nil {
			return nil, fmt.Errorf("filter %s: %w", cond, err)
		}
		if out == nil {
			return nil, nil
		}
		rec = out
	}
	return rec, nil
}

// int32Array wraps s, without copying, as an Int32 array with no NULLs. The
// array must not outlive s.
func int32Array(s []int32) arrow.Array {
	buf := memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(s))
	data := array.NewData(arrow.PrimitiveTypes.Int32, len(s), []*memory.Buffer{nil, buf}, nil, 0, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

// takeColumns gathers the rows of cols at indices, one new array per column.
// The caller releases the arrays.
func takeColumns(ctx context.Context, cols []arrow.Array, indices arrow.Array) ([]arrow.Array, error) {
	out := make([]arrow.Array, len(cols))
	for i, c := range cols {
		t, err := compute.TakeArrayOpts(ctx, c, indices, compute.TakeOptions{BoundsCheck: false})
		if err != nil {
			releaseArrays(out)
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// joinExprs renders exprs as a comma-separated list.
func joinExprs(exprs []expr.Expr) string {
	parts := make([]string, len(exprs))
	for i, e := range exprs {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}
