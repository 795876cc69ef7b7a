package plan

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

// Analyze rebuilds n bottom-up with the constructors, so every name and type is
// resolved again and every schema recomputed. Rewrites that assemble nodes by
// hand (or change a child's schema) call it to get a plan that type-checks,
// or the error that says why it does not.
func Analyze(n Node) (Node, error) {
	kids := n.Children()
	nk := make([]Node, len(kids))
	for i, k := range kids {
		a, err := Analyze(k)
		if err != nil {
			return nil, err
		}
		nk[i] = a
	}
	return n.WithChildren(nk)
}

// checkArity is the common first step of every WithChildren.
func checkArity(node string, children []Node, want int) error {
	if len(children) != want {
		return fmt.Errorf("%s: got %d children, want %d", node, len(children), want)
	}
	return nil
}

// scalarExpr resolves e, a scalar expression (no aggregate, no explode),
// against s. role says where e sits ("filter condition", "sort key") so the
// error can name it.
func scalarExpr(role string, e expr.Expr, s *arrow.Schema) (arrow.DataType, error) {
	if e == nil {
		return nil, fmt.Errorf("%s: missing expression", role)
	}
	if err := checkScalar(e); err != nil {
		return nil, fmt.Errorf("%s %s: %w", role, e, err)
	}
	t, err := e.Type(s)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", role, e, err)
	}
	return t, nil
}

// checkScalar reports an aggregate or an explode anywhere in e: both change
// the number of rows, so only Aggregate and Explode nodes may hold them.
func checkScalar(e expr.Expr) error {
	var err error
	expr.Walk(e, func(n expr.Expr) bool {
		switch n := n.(type) {
		case *expr.AggFunc:
			err = fmt.Errorf("aggregate %s is only allowed in an Aggregate", n)
		case *expr.ExplodeExpr:
			err = fmt.Errorf("%s is only allowed as an Explode", n)
		}
		return err == nil
	})
	return err
}

// booleanExpr resolves e and requires it to be boolean (a NULL literal is
// accepted too: it is never true).
func booleanExpr(role string, e expr.Expr, s *arrow.Schema) error {
	t, err := scalarExpr(role, e, s)
	if err != nil {
		return err
	}
	if t.ID() != arrow.BOOL && t.ID() != arrow.NULL {
		return fmt.Errorf("%s: %w", role, &expr.TypeError{
			Expr:  e.String(),
			Types: []arrow.DataType{t},
			Msg:   "want boolean",
		})
	}
	return nil
}

// outputField is the field an expression evaluated over in produces. Only a
// plain column keeps its input's nullability; anything else may be NULL. This
// is deliberately conservative: a rewrite such as constant folding must never
// change a schema, and it would if a folded literal became NOT NULL.
func outputField(name string, e expr.Expr, t arrow.DataType, in *arrow.Schema) arrow.Field {
	f := arrow.Field{Name: name, Type: t, Nullable: true}
	if c, ok := expr.Unalias(e).(*expr.Column); ok {
		if idx := in.FieldIndices(c.Name); len(idx) > 0 {
			f.Nullable = in.Field(idx[0]).Nullable
			f.Metadata = in.Field(idx[0]).Metadata
		}
	}
	return f
}

// checkUniqueNames reports the first output name that appears twice.
func checkUniqueNames(node string, fields []arrow.Field) error {
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		if seen[f.Name] {
			return fmt.Errorf("%s: duplicate output column %q; alias one of them", node, f.Name)
		}
		seen[f.Name] = true
	}
	return nil
}

// unknownColumn is the error for a name s does not have.
func unknownColumn(name string, s *arrow.Schema) error {
	return &expr.UnknownColumnError{Name: name, Available: fieldNames(s)}
}

func fieldNames(s *arrow.Schema) []string {
	names := make([]string, s.NumFields())
	for i := range names {
		names[i] = s.Field(i).Name
	}
	return names
}

// listExprs renders expressions as "[a, b]".
func listExprs(es []expr.Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
