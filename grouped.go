package sluice

import (
	"fmt"

	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
)

// GroupedData is a DataFrame grouped by key columns, waiting for aggregates.
type GroupedData struct {
	df   *DataFrame
	keys []expr.Expr
}

// GroupBy groups rows by the given columns (names or Columns).
func (df *DataFrame) GroupBy(cols ...any) *GroupedData {
	g := &GroupedData{df: df}
	for _, c := range cols {
		switch x := c.(type) {
		case string:
			g.keys = append(g.keys, expr.Col(x))
		case Column:
			g.keys = append(g.keys, x.e)
		default:
			g.df = df.s.errFrame(fmt.Errorf("groupBy: %v (%T) is neither a column name nor a Column", c, c))
		}
	}
	return g
}

// Agg computes the aggregates per group: the result has the group columns,
// then one column per aggregate.
func (g *GroupedData) Agg(aggs ...Column) *DataFrame {
	return g.df.derive("agg", func(in plan.Node) (plan.Node, error) {
		return plan.NewAggregate(in, g.keys, exprsOf(aggs))
	})
}

// Count is Agg(CountStar().As("count")).
func (g *GroupedData) Count() *DataFrame {
	return g.Agg(CountStar().As("count"))
}
