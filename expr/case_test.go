package expr_test

import (
	"testing"

	"github.com/sluicestream/sluice/expr"
)

func TestCase(t *testing.T) {
	x, s := expr.Col("x"), expr.Col("s")
	xs := []opCol{{"x", opI64, `[1, 5, 10, null, 7]`}, {"s", opStr, `["a", "b", "c", "d", null]`}}
	opRun(t, []opCase{
		{name: "else", e: expr.When(expr.Lt(x, expr.Lit(5)), expr.Lit("small")).
			When(expr.Lt(x, expr.Lit(10)), expr.Lit("medium")).Else(expr.Lit("large")),
			cols: xs, typ: opStr, want: `["small", "medium", "large", "large", "medium"]`},
		{name: "no else is NULL", e: expr.When(expr.GtEq(x, expr.Lit(5)), x),
			cols: xs, typ: opI64, want: `[null, 5, 10, null, 7]`},
		{name: "first true branch wins", e: expr.When(expr.Gt(x, expr.Lit(0)), expr.Lit(1)).When(expr.Gt(x, expr.Lit(4)), expr.Lit(2)),
			cols: xs, typ: opI64, want: `[1, 1, 1, null, 1]`},
		{name: "column values", e: expr.When(expr.IsNull(s), expr.Lit("none")).Else(s),
			cols: xs, typ: opStr, want: `["a", "b", "c", "d", "none"]`},
		{name: "NULL condition is not true", e: expr.When(expr.Gt(x, expr.Lit(6)), s).Else(expr.Lit("?")),
			cols: xs, typ: opStr, want: `["?", "?", "c", "?", null]`},
		{name: "common type", e: expr.When(expr.Gt(x, expr.Lit(6)), expr.Lit(int32(1))).Else(expr.Lit(0.5)),
			cols: xs, typ: opF64, want: `[0.5, 0.5, 1, 0.5, 1]`},
		{name: "int32 and int64 branches", e: expr.When(expr.Gt(x, expr.Lit(6)), expr.Lit(int32(1))).Else(x),
			cols: xs, typ: opI64, want: `[1, 5, 1, null, 1]`},
		{name: "NULL branch", e: expr.When(expr.Gt(x, expr.Lit(6)), expr.Lit(nil)).Else(x),
			cols: xs, typ: opI64, want: `[1, 5, null, null, null]`},
		{name: "constant true", e: expr.When(expr.Lit(true), x).Else(expr.Lit(0)),
			cols: xs, typ: opI64, want: `[1, 5, 10, null, 7]`},
		{name: "NULL condition literal", e: expr.When(expr.Lit(nil), x).Else(expr.Lit(0)),
			cols: xs, typ: opI64, want: `[0, 0, 0, 0, 0]`},
		{name: "all NULL", e: expr.When(expr.Lit(false), expr.Lit(nil)),
			cols: xs, typ: opNull, want: `[null, null, null, null, null]`},
		{name: "bool values", e: expr.When(expr.IsNull(x), expr.Lit(false)).Else(expr.Gt(x, expr.Lit(5))),
			cols: xs, typ: opBool, want: `[false, false, true, false, true]`},
		{name: "dates", e: expr.When(expr.Gt(x, expr.Lit(5)), expr.Col("d")),
			cols: append(xs, opCol{"d", opDate, `["2024-01-01", "2024-01-02", "2024-01-03", null, "2024-01-05"]`}),
			typ:  opDate, want: `[null, null, "2024-01-03", null, "2024-01-05"]`},
	})
}

func TestCaseTypeErrors(t *testing.T) {
	cols := []opCol{{"s", opStr, `[]`}, {"i", opI64, `[]`}}
	opTypeErr(t, expr.When(expr.Col("i"), expr.Lit(1)), cols, "int64", "not boolean")
	opTypeErr(t, expr.When(expr.Lit(true), expr.Col("s")).Else(expr.Col("i")), cols, "utf8", "int64")
	opTypeErr(t, &expr.CaseExpr{}, cols, "WHEN")
}

func TestCaseStructure(t *testing.T) {
	c := expr.When(expr.Col("a"), expr.Lit(1)).When(expr.Col("b"), expr.Lit(2))
	withElse := c.Else(expr.Lit(3))
	if got, want := c.String(), "CASE WHEN a THEN 1 WHEN b THEN 2 END"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := withElse.String(), "CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if len(c.Children()) != 4 || len(withElse.Children()) != 5 {
		t.Fatalf("children: %d and %d", len(c.Children()), len(withElse.Children()))
	}
	kids := withElse.Children()
	kids[4] = expr.Lit(4)
	if got, want := withElse.WithChildren(kids).String(), "CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 4 END"; got != want {
		t.Errorf("WithChildren: %q, want %q", got, want)
	}
	if c.ElseExpr != nil {
		t.Error("Else modified the expression it was called on")
	}
}
