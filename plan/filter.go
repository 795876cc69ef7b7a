package plan

import (
	"github.com/sluicestream/sluice/expr"
)

// NewFilter returns a filter of in that keeps the rows for which cond, a
// boolean expression over in's columns, is true.
func NewFilter(in Node, cond expr.Expr) (*Filter, error) {
	if err := booleanExpr("filter condition", cond, in.Schema()); err != nil {
		return nil, err
	}
	return &Filter{Input: in, Cond: cond, schema: in.Schema()}, nil
}

// WithChildren rebuilds the filter over children[0].
func (n *Filter) WithChildren(children []Node) (Node, error) {
	if err := checkArity("filter", children, 1); err != nil {
		return nil, err
	}
	return NewFilter(children[0], n.Cond)
}

// String is e.g. "Filter (n > 1)".
func (n *Filter) String() string { return "Filter " + n.Cond.String() }
