package plan

import (
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/sluicestream/sluice/expr"
)

// conjuncts splits e into the operands of its top-level ANDs, in order; nil
// gives none.
func conjuncts(e expr.Expr) []expr.Expr {
	if e == nil {
		return nil
	}
	if l, r, ok := expr.AndOperands(e); ok {
		return append(conjuncts(l), conjuncts(r)...)
	}
	return []expr.Expr{e}
}

// conjoin is the AND of es, left-deep, or nil for none.
func conjoin(es []expr.Expr) expr.Expr {
	if len(es) == 0 {
		return nil
	}
	out := es[0]
	for _, e := range es[1:] {
		out = expr.And(out, e)
	}
	return out
}

// isTrue reports whether e is the literal true.
func isTrue(e expr.Expr) bool {
	l, ok := e.(*expr.Literal)
	if !ok || !l.Value.IsValid() {
		return false
	}
	b, ok := l.Value.(*scalar.Boolean)
	return ok && b.Value
}

// isVolatile reports whether e holds an expression whose value its inputs do
// not determine (expr.Volatile): evaluating it on other rows, or another
// number of times, changes the result.
func isVolatile(e expr.Expr) bool {
	found := false
	expr.Walk(e, func(n expr.Expr) bool {
		if v, ok := n.(expr.Volatile); ok && v.Volatile() {
			found = true
		}
		return !found
	})
	return found
}

// isNullLiteral reports whether e is a NULL literal.
func isNullLiteral(e expr.Expr) bool {
	l, ok := e.(*expr.Literal)
	return ok && !l.Value.IsValid()
}

// dropTrue removes literal-true conjuncts, which keep every row.
func dropTrue(es []expr.Expr) []expr.Expr {
	var out []expr.Expr
	for _, e := range es {
		if !isTrue(e) {
			out = append(out, e)
		}
	}
	return out
}

// appendUnique appends the expressions of add that dst does not already hold
// (compared by their text).
func appendUnique(dst []expr.Expr, add ...expr.Expr) []expr.Expr {
	seen := make(map[string]bool, len(dst))
	for _, e := range dst {
		seen[e.String()] = true
	}
	for _, e := range add {
		if s := e.String(); !seen[s] {
			seen[s] = true
			dst = append(dst, e)
		}
	}
	return dst
}

// renameColumns rewrites the column references of e through m (old name to
// new); names m lacks are left alone. Every reference is renamed at most
// once, so swaps (a→b, b→a) are safe.
func renameColumns(e expr.Expr, m map[string]string) expr.Expr {
	out, _ := expr.Transform(e, func(n expr.Expr) (expr.Expr, error) {
		if c, ok := n.(*expr.Column); ok {
			if to, ok := m[c.Name]; ok && to != c.Name {
				return expr.Col(to), nil
			}
		}
		return n, nil
	})
	return out
}

// coveredBy reports whether every column e references is a key of m.
func coveredBy(e expr.Expr, m map[string]string) bool {
	for _, c := range expr.Columns(e) {
		if _, ok := m[c]; !ok {
			return false
		}
	}
	return true
}
