package expr_test

import (
	"testing"

	"github.com/sluicestream/sluice/expr"
)

func TestInfallible(t *testing.T) {
	a, s := expr.Col("a"), expr.Col("s")
	for _, c := range []struct {
		e    expr.Expr
		want bool
	}{
		{a, true},
		{expr.Lit(1), true},
		{expr.And(expr.Gt(a, expr.Lit(50.0)), expr.Eq(s, expr.Lit("a"))), true},
		{expr.Or(expr.Not(expr.IsNull(a)), expr.LtEq(expr.Div(a, expr.Lit(0)), expr.Neg(a))), true},
		{expr.As(expr.Mul(a, expr.Lit(1.1)), "gross"), true},
		// Anything not known to qualify, anywhere in the tree, does not.
		{expr.Like(s, "a%"), false},
		{expr.And(expr.Gt(a, expr.Lit(1)), expr.Eq(expr.Cast(s, opI32), expr.Lit(int32(2)))), false},
		{expr.Eq(a, &opVolatile{Literal: *expr.Lit(int64(7))}), false},
	} {
		if got := expr.Infallible(c.e); got != c.want {
			t.Errorf("Infallible(%s) = %v, want %v", c.e, got, c.want)
		}
	}
}
