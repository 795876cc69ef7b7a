package exec

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
)

// scan reads a plan.Table. It opens the table on the first Next, asks it for
// the output columns plus any column only the pushed-down filters need, and
// applies the filters itself, since a table treats them only as a hint.
type scan struct {
	table   plan.Table
	columns []string    // output columns; nil means every column of the table
	filters []expr.Expr // conjuncts; a row is kept when all are true
	preds   []predicate // filters, ready to run
	read    []string    // columns asked of the table; nil means all
	schema  *arrow.Schema
}

var _ Operator = (*scan)(nil)

// newScan returns a scan of table producing schema: the table's columns named
// by columns (nil: all), in that order, of the rows for which every filter is
// true.
func newScan(table plan.Table, columns []string, filters []expr.Expr, schema *arrow.Schema) (*scan, error) {
	if columns != nil && len(columns) != schema.NumFields() {
		return nil, fmt.Errorf("scan %s: %d columns for a schema of %d fields", table.Name(), len(columns), schema.NumFields())
	}
	s := &scan{table: table, columns: columns, filters: filters, preds: newPredicates(filters), schema: schema}
	if columns != nil {
		s.read = slices.Clone(columns)
		for _, f := range filters {
			for _, c := range expr.Columns(f) {
				if !slices.Contains(s.read, c) {
					s.read = append(s.read, c)
				}
			}
		}
	}
	readSchema := table.Schema()
	for _, f := range filters {
		if err := checkPredicate(f, readSchema); err != nil {
			return nil, fmt.Errorf("scan %s: filter %s: %w", table.Name(), f, err)
		}
	}
	return s, nil
}

func (s *scan) Schema() *arrow.Schema { return s.schema }
func (s *scan) Children() []Operator  { return nil }

func (s *scan) String() string {
	names := make([]string, s.schema.NumFields())
	for i := range names {
		names[i] = s.schema.Field(i).Name
	}
	out := fmt.Sprintf("Scan %s [%s]", s.table.Name(), strings.Join(names, ", "))
	if len(s.filters) > 0 {
		out += " filters=[" + joinExprs(s.filters) + "]"
	}
	return out
}

func (s *scan) Execute(_ context.Context, tc *TaskContext) (batch.Reader, error) {
	return &scanReader{op: s, tc: tc}, nil
}

type scanReader struct {
	op     *scan
	tc     *TaskContext
	in     batch.Reader // nil until the first Next
	outIdx []int        // output column i is column outIdx[i] of the table's records
	sel    selection
	closed bool
}

func (r *scanReader) Schema() *arrow.Schema { return r.op.schema }

func (r *scanReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.closed {
		return nil, errClosed
	}
	if r.in == nil {
		if err := r.open(ctx); err != nil {
			return nil, err
		}
	}
	ectx := r.tc.evalContext(ctx)
	for {
		rec, err := r.in.Next(ctx)
		if err != nil {
			return nil, err
		}
		out, err := r.filter(ectx, rec)
		rec.Release()
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", r.op.table.Name(), err)
		}
		if out != nil {
			return out, nil
		}
	}
}

// filter returns the output columns of the rows of rec every filter keeps,
// or nil when it keeps none. Only the output columns are gathered: a column
// read just for a filter is dropped before any copy.
func (r *scanReader) filter(ectx *expr.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	kept, err := selectRows(ectx, r.op.preds, rec, &r.sel)
	if err != nil || kept == 0 {
		return nil, err
	}
	cols := make([]arrow.Array, len(r.outIdx))
	for i, j := range r.outIdx {
		cols[i] = rec.Column(j)
	}
	out, err := r.sel.gather(ectx, cols, kept)
	if err != nil {
		return nil, err
	}
	defer releaseArrays(out)
	return newRecord(r.op.schema, out, int64(kept))
}

// open starts the table scan and maps output columns to the table's.
func (r *scanReader) open(ctx context.Context) error {
	op := r.op
	in, err := op.table.Scan(ctx, r.tc.Mem, op.read, op.filters)
	if err != nil {
		return fmt.Errorf("scan %s: %w", op.table.Name(), err)
	}
	names := op.columns
	if names == nil {
		names = make([]string, op.schema.NumFields())
		for i := range names {
			names[i] = op.schema.Field(i).Name
		}
	}
	idx := make([]int, len(names))
	for i, name := range names {
		found := in.Schema().FieldIndices(name)
		if len(found) == 0 {
			in.Close()
			return fmt.Errorf("scan %s: table returned no column %q", op.table.Name(), name)
		}
		idx[i] = found[0]
	}
	r.in, r.outIdx = in, idx
	return nil
}

func (r *scanReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.in == nil {
		return nil
	}
	err := r.in.Close()
	r.in = nil
	return err
}
