package plan

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

// NewAggregate returns an aggregation of in grouped by groupBy. Each aggs entry
// is an *expr.AggFunc, optionally under an *expr.Alias, whose argument holds
// no aggregate. The output is the grouping columns, named by expr.OutputName,
// then one column per aggregate; output names must be unique.
func NewAggregate(in Node, groupBy, aggs []expr.Expr) (*Aggregate, error) {
	if len(groupBy) == 0 && len(aggs) == 0 {
		return nil, fmt.Errorf("aggregate: no grouping keys and no aggregates")
	}
	s := in.Schema()
	fields := make([]arrow.Field, 0, len(groupBy)+len(aggs))
	for _, g := range groupBy {
		t, err := scalarExpr("aggregate group-by key", g, s)
		if err != nil {
			return nil, err
		}
		fields = append(fields, outputField(expr.OutputName(g), g, t, s))
	}
	for _, a := range aggs {
		f, err := aggField(a, s)
		if err != nil {
			return nil, err
		}
		fields = append(fields, f)
	}
	if err := checkUniqueNames("aggregate", fields); err != nil {
		return nil, err
	}
	return &Aggregate{
		Input:   in,
		GroupBy: append([]expr.Expr(nil), groupBy...),
		Aggs:    append([]expr.Expr(nil), aggs...),
		schema:  arrow.NewSchema(fields, nil),
	}, nil
}

// aggField resolves one aggregate of an Aggregate node.
func aggField(a expr.Expr, s *arrow.Schema) (arrow.Field, error) {
	const role = "aggregate"
	if a == nil {
		return arrow.Field{}, fmt.Errorf("%s: missing expression", role)
	}
	fn, ok := expr.Unalias(a).(*expr.AggFunc)
	if !ok {
		return arrow.Field{}, fmt.Errorf("%s %s: not an aggregate function", role, a)
	}
	if fn.Arg != nil {
		if expr.IsAggregate(fn.Arg) {
			return arrow.Field{}, fmt.Errorf("%s %s: aggregate functions cannot be nested", role, a)
		}
		if err := checkScalar(fn.Arg); err != nil {
			return arrow.Field{}, fmt.Errorf("%s %s: %w", role, a, err)
		}
	}
	t, err := fn.Type(s)
	if err != nil {
		return arrow.Field{}, fmt.Errorf("%s %s: %w", role, a, err)
	}
	// count never returns NULL; every other aggregate does over no non-NULL input.
	return arrow.Field{Name: expr.OutputName(a), Type: t, Nullable: fn.Kind != expr.AggCount}, nil
}

// WithChildren rebuilds the aggregation over children[0].
func (n *Aggregate) WithChildren(children []Node) (Node, error) {
	if err := checkArity("aggregate", children, 1); err != nil {
		return nil, err
	}
	return NewAggregate(children[0], n.GroupBy, n.Aggs)
}

// String is e.g. "Aggregate [word] [count(*) AS count]".
func (n *Aggregate) String() string {
	return "Aggregate " + listExprs(n.GroupBy) + " " + listExprs(n.Aggs)
}
