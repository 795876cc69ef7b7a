package expr

// AndOperands returns the operands of e if it is l AND r.
func AndOperands(e Expr) (l, r Expr, ok bool) {
	if x, isLogic := e.(*LogicExpr); isLogic && x.Op == LogicAnd {
		return x.L, x.R, true
	}
	return nil, nil, false
}

// EqOperands returns the operands of e if it is l = r.
func EqOperands(e Expr) (l, r Expr, ok bool) {
	if x, isCmp := e.(*CompareExpr); isCmp && x.Op == CmpEq {
		return x.L, x.R, true
	}
	return nil, nil, false
}

// Coalesce is the first non-NULL of xs, or NULL. It is written as the CASE
// it means, so it shares CASE's type rules and evaluation.
func Coalesce(xs ...Expr) Expr {
	if len(xs) == 1 {
		return xs[0]
	}
	c := When(IsNotNull(xs[0]), xs[0])
	for _, x := range xs[1 : len(xs)-1] {
		c = c.When(IsNotNull(x), x)
	}
	return c.Else(xs[len(xs)-1])
}
