package expr_test

import (
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluicestream/sluice/expr"
)

// opVolatile is a constant-looking expression that must not be folded.
type opVolatile struct{ expr.Literal }

func (*opVolatile) Volatile() bool                       { return true }
func (v *opVolatile) String() string                     { return "volatile()" }
func (v *opVolatile) WithChildren([]expr.Expr) expr.Expr { return v }

func TestFold(t *testing.T) {
	a := expr.Col("a")
	vol := &opVolatile{Literal: *expr.Lit(int64(7))}
	cases := []struct {
		in   expr.Expr
		want string // String of the folded expression
	}{
		{expr.Add(expr.Lit(1), expr.Lit(2)), "3"},
		{expr.Add(a, expr.Mul(expr.Lit(2), expr.Lit(3))), "(a + 6)"},
		{expr.As(expr.Add(expr.Lit(1), expr.Lit(2)), "x"), "3 AS x"},
		{expr.As(a, "x"), "a AS x"},
		{expr.Sum(expr.Add(expr.Lit(1), expr.Lit(2))), "sum(3)"},
		{expr.CountStar(), "count(*)"},
		{expr.Explode(expr.Col("l")), "explode(l)"},
		{expr.Gt(a, expr.Neg(expr.Lit(int32(5)))), "(a > -5)"},
		{expr.Cast(expr.Lit("x"), opI32), "NULL"},
		{expr.Cast(expr.Lit(12), opStr), `"12"`},
		{expr.And(expr.Lit(false), expr.Lit(nil)), "false"},
		{expr.In(expr.Lit(2), expr.Lit(1), expr.Lit(nil)), "NULL"},
		{expr.Like(expr.Lit("abc"), "a%"), "true"},
		{expr.When(expr.Gt(expr.Lit(2), expr.Lit(1)), expr.Lit("y")).Else(a), `CASE WHEN true THEN "y" ELSE a END`},
		{expr.Add(vol, expr.Lit(1)), "(volatile() + 1)"},
		{expr.Add(vol, expr.Add(expr.Lit(1), expr.Lit(1))), "(volatile() + 2)"},
	}
	for _, c := range cases {
		got, err := expr.Fold(c.in)
		if err != nil {
			t.Errorf("Fold(%s): %v", c.in, err)
			continue
		}
		if got.String() != c.want {
			t.Errorf("Fold(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestFoldKeepsTypesAndValues(t *testing.T) {
	mem := opNewMem()
	rec := opRecord(t, mem, true, 0, opCol{"a", opI32, `[1, null, 3]`})
	defer func() { rec.Release(); mem.AssertSize(t, 0) }()
	for _, e := range []expr.Expr{
		expr.Add(expr.Col("a"), expr.Div(expr.Lit(1), expr.Lit(4))),
		expr.Mul(expr.Cast(expr.Lit("2"), opI32), expr.Col("a")),
		expr.When(expr.IsNull(expr.Col("a")), expr.Cast(expr.Lit(nil), opI64)).Else(expr.Add(expr.Lit(int32(1)), expr.Lit(int8(1)))),
		expr.Add(expr.Col("a"), expr.Lit(nil)),
	} {
		f, err := expr.Fold(e)
		if err != nil {
			t.Fatalf("Fold(%s): %v", e, err)
		}
		wt, err1 := e.Type(rec.Schema())
		gt, err2 := f.Type(rec.Schema())
		if err1 != nil || err2 != nil || !arrow.TypeEqual(wt, gt) {
			t.Errorf("Fold(%s) = %s: type %v (%v), want %v (%v)", e, f, gt, err2, wt, err1)
			continue
		}
		want := opEval(t, mem, e, rec)
		got := opEval(t, mem, f, rec)
		if !array.Equal(want, got) {
			t.Errorf("Fold(%s) = %s evaluates to %s, want %s", e, f, got, want)
		}
		want.Release()
		got.Release()
	}
}

func TestFoldErrors(t *testing.T) {
	_, err := expr.Fold(expr.Add(expr.Col("a"), expr.Add(expr.Lit(1), expr.Lit("x"))))
	var te *expr.TypeError
	if !errors.As(err, &te) {
		t.Fatalf("Fold error %v, want a *expr.TypeError", err)
	}
	// The folded literal's value lives in Go memory: evaluating it with a
	// checked allocator leaves nothing behind.
	f, err := expr.Fold(expr.Cast(expr.Lit(123), opStr))
	if err != nil {
		t.Fatal(err)
	}
	mem := opNewMem()
	rec := opRecord(t, mem, false, 2)
	out, err := f.Eval(expr.NewContext(context.Background(), mem), rec)
	if err != nil {
		t.Fatal(err)
	}
	opCheck(t, mem, f.String(), out, opStr, `["123", "123"]`)
	out.Release()
	rec.Release()
	mem.AssertSize(t, 0)
}
