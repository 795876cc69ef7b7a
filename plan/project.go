package plan

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

// NewProject returns a projection of in: one output column per expression,
// named by expr.OutputName. Output names must be unique, and no expression may
// hold an aggregate (use Aggregate) or an explode (use Explode).
func NewProject(in Node, exprs []expr.Expr) (*Project, error) {
	if len(exprs) == 0 {
		return nil, fmt.Errorf("project: no expressions")
	}
	s := in.Schema()
	fields := make([]arrow.Field, len(exprs))
	for i, e := range exprs {
		t, err := scalarExpr("project expression", e, s)
		if err != nil {
			return nil, err
		}
		fields[i] = outputField(expr.OutputName(e), e, t, s)
	}
	if err := checkUniqueNames("project", fields); err != nil {
		return nil, err
	}
	return &Project{
		Input:  in,
		Exprs:  append([]expr.Expr(nil), exprs...),
		schema: arrow.NewSchema(fields, nil),
	}, nil
}

// WithChildren rebuilds the projection over children[0].
func (n *Project) WithChildren(children []Node) (Node, error) {
	if err := checkArity("project", children, 1); err != nil {
		return nil, err
	}
	return NewProject(children[0], n.Exprs)
}

// String is e.g. "Project [word, (n * 2) AS m]".
func (n *Project) String() string { return "Project " + listExprs(n.Exprs) }
