package sluice

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/exec"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
)

// DataFrame is an immutable description of a query: a logical plan plus the
// session that runs it. Transformations return new DataFrames and never fail
// on the spot: the first analysis error (an unknown column, a type mismatch)
// sticks to the result and every later one, and is returned by Err and by
// every action (Collect, Count, Show, writers). Actions run the query.
type DataFrame struct {
	s    *Session
	node plan.Node
	err  error
}

// Err returns the analysis error of this DataFrame or of any it derives from.
func (df *DataFrame) Err() error { return df.err }

// Schema returns the output schema, or nil if the DataFrame has an error.
func (df *DataFrame) Schema() *arrow.Schema {
	if df.err != nil {
		return nil
	}
	return df.node.Schema()
}

// Columns returns the output column names.
func (df *DataFrame) Columns() []string {
	if df.err != nil {
		return nil
	}
	return fieldNames(df.node.Schema())
}

// Plan returns the logical plan (nil with an error).
func (df *DataFrame) Plan() plan.Node { return df.node }

// derive builds a new DataFrame from this one's plan unless it already failed.
func (df *DataFrame) derive(op string, build func(plan.Node) (plan.Node, error)) *DataFrame {
	if df.err != nil {
		return df
	}
	n, err := build(df.node)
	if err != nil {
		return df.s.errFrame(fmt.Errorf("%s: %w", op, err))
	}
	return df.s.frame(n, nil)
}

// Select computes one column per expression. One item may be Explode(list),
// which emits a row per list element (Spark's select(explode(...))).
func (df *DataFrame) Select(cols ...Column) *DataFrame {
	return df.derive("select", func(in plan.Node) (plan.Node, error) {
		exprs := exprsOf(cols)
		exploded := -1
		for i, e := range exprs {
			if _, ok := expr.Unalias(e).(*expr.ExplodeExpr); ok {
				if exploded >= 0 {
					return nil, fmt.Errorf("only one explode per select is supported, got %s and %s", exprs[exploded], e)
				}
				exploded = i
			}
		}
		if exploded < 0 {
			return plan.NewProject(in, exprs)
		}
		name := expr.OutputName(exprs[exploded])
		if _, ok := exprs[exploded].(*expr.Alias); !ok {
			name = "col" // Spark names an unaliased explode "col"
		}
		list := expr.Unalias(exprs[exploded]).(*expr.ExplodeExpr).List
		tmp := uniqueName(in.Schema(), "__explode")
		ex, err := plan.NewExplode(in, list, tmp)
		if err != nil {
			return nil, err
		}
		exprs = append([]expr.Expr(nil), exprs...)
		exprs[exploded] = expr.As(expr.Col(tmp), name)
		return plan.NewProject(ex, exprs)
	})
}

// uniqueName returns base, or base with a numeric suffix, so that no field of
// s has that name.
func uniqueName(s *arrow.Schema, base string) string {
	name := base
	for i := 1; len(s.FieldIndices(name)) > 0; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	return name
}

// Filter keeps the rows for which cond is true.
func (df *DataFrame) Filter(cond Column) *DataFrame {
	return df.derive("filter", func(in plan.Node) (plan.Node, error) {
		return plan.NewFilter(in, cond.e)
	})
}

// Where is Filter.
func (df *DataFrame) Where(cond Column) *DataFrame { return df.Filter(cond) }

// WithColumn adds a column, or replaces the column of that name in place.
func (df *DataFrame) WithColumn(name string, c Column) *DataFrame {
	return df.derive("withColumn "+name, func(in plan.Node) (plan.Node, error) {
		s := in.Schema()
		var exprs []expr.Expr
		replaced := false
		for i := 0; i < s.NumFields(); i++ {
			f := s.Field(i).Name
			if f == name {
				exprs = append(exprs, expr.As(c.e, name))
				replaced = true
				continue
			}
			exprs = append(exprs, expr.Col(f))
		}
		if !replaced {
			exprs = append(exprs, expr.As(c.e, name))
		}
		return plan.NewProject(in, exprs)
	})
}

// Drop removes the named columns; names that do not exist are ignored, as in
// Spark.
func (df *DataFrame) Drop(names ...string) *DataFrame {
	return df.derive("drop", func(in plan.Node) (plan.Node, error) {
		drop := map[string]bool{}
		for _, n := range names {
			drop[n] = true
		}
		var exprs []expr.Expr
		for _, f := range fieldNames(in.Schema()) {
			if !drop[f] {
				exprs = append(exprs, expr.Col(f))
			}
		}
		return plan.NewProject(in, exprs)
	})
}

// Union appends the rows of other (UNION ALL, by position as Spark's union).
func (df *DataFrame) Union(other *DataFrame) *DataFrame {
	if other.err != nil {
		return other
	}
	return df.derive("union", func(in plan.Node) (plan.Node, error) {
		return plan.NewUnion(in, other.node)
	})
}

// OrderBy sorts by the given columns; use Column.Desc for descending order.
func (df *DataFrame) OrderBy(cols ...Column) *DataFrame {
	return df.derive("orderBy", func(in plan.Node) (plan.Node, error) {
		keys := make([]plan.SortKey, len(cols))
		for i, c := range cols {
			keys[i] = plan.SortKey{Expr: c.e, Desc: c.desc}
		}
		return plan.NewSort(in, keys)
	})
}

// Sort is OrderBy.
func (df *DataFrame) Sort(cols ...Column) *DataFrame { return df.OrderBy(cols...) }

// Limit keeps the first n rows.
func (df *DataFrame) Limit(n int64) *DataFrame {
	return df.derive("limit", func(in plan.Node) (plan.Node, error) {
		return plan.NewLimit(in, n)
	})
}

// Distinct keeps one copy of each distinct row.
func (df *DataFrame) Distinct() *DataFrame {
	return df.derive("distinct", func(in plan.Node) (plan.Node, error) {
		var keys []expr.Expr
		for _, f := range fieldNames(in.Schema()) {
			keys = append(keys, expr.Col(f))
		}
		return plan.NewAggregate(in, keys, nil)
	})
}

// Explain returns the optimised logical plan and the physical plan as text.
func (df *DataFrame) Explain() (string, error) {
	opt, op, err := df.physical()
	if err != nil {
		return "", err
	}
	return "== Logical Plan ==\n" + plan.Explain(df.node) +
		"== Optimized Logical Plan ==\n" + plan.Explain(opt) +
		"== Physical Plan ==\n" + exec.Explain(op), nil
}

// physical optimises the plan and builds its operators.
func (df *DataFrame) physical() (plan.Node, exec.Operator, error) {
	if df.err != nil {
		return nil, nil, df.err
	}
	opt, err := plan.Optimize(df.node)
	if err != nil {
		return nil, nil, err
	}
	op, err := exec.Build(opt)
	if err != nil {
		return nil, nil, err
	}
	return opt, op, nil
}

// Reader runs the query and returns a stream of its result; the caller closes
// the reader and releases every record.
func (df *DataFrame) Reader(ctx context.Context) (batch.Reader, error) {
	_, op, err := df.physical()
	if err != nil {
		return nil, err
	}
	tc := exec.NewTaskContext(df.s.mem)
	if df.s.batchSize > 0 {
		tc.BatchSize = df.s.batchSize
	}
	return op.Execute(ctx, tc)
}

// Collect runs the query and returns every result record; the caller
// releases them.
func (df *DataFrame) Collect(ctx context.Context) ([]arrow.RecordBatch, error) {
	r, err := df.Reader(ctx)
	if err != nil {
		return nil, err
	}
	return batch.ReadAll(ctx, r)
}

// Count runs the query and returns its number of rows.
func (df *DataFrame) Count(ctx context.Context) (int64, error) {
	r, err := df.Reader(ctx)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var n int64
	for {
		rec, err := r.Next(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return n, nil
			}
			return 0, err
		}
		n += rec.NumRows()
		rec.Release()
	}
}
