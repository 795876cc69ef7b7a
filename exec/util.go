package exec

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"

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

// takeRows gathers the rows of cols at rows (batch.Take), one new array per
// column. The caller releases the arrays.
func takeRows(ectx *expr.Context, cols []arrow.Array, rows []int32) ([]arrow.Array, error) {
	out := make([]arrow.Array, len(cols))
	for i, c := range cols {
		t, err := batch.Take(ectx.Ctx, ectx.Mem, c, rows)
		if err != nil {
			releaseArrays(out)
			return nil, err
		}
		out[i] = t
	}
	return out, nil
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
