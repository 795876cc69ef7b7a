package expr_test

import (
	"testing"

	"github.com/sluicestream/sluice/expr"
)

func TestLogic(t *testing.T) {
	a, b := expr.Col("a"), expr.Col("b")
	// Every pair of true, false and NULL.
	cols := []opCol{
		{"a", opBool, `[true, true, true, false, false, false, null, null, null]`},
		{"b", opBool, `[true, false, null, true, false, null, true, false, null]`},
	}
	opRun(t, []opCase{
		{e: expr.And(a, b), cols: cols, typ: opBool,
			want: `[true, false, null, false, false, false, null, false, null]`},
		{e: expr.Or(a, b), cols: cols, typ: opBool,
			want: `[true, true, true, true, false, null, true, null, null]`},
		{e: expr.Not(a), cols: cols[:1], typ: opBool,
			want: `[false, false, false, true, true, true, null, null, null]`},
		{name: "AND false literal", e: expr.And(a, expr.Lit(false)), cols: cols[:1], typ: opBool,
			want: `[false, false, false, false, false, false, false, false, false]`},
		{name: "literal OR", e: expr.Or(expr.Lit(true), a), cols: cols[:1], typ: opBool,
			want: `[true, true, true, true, true, true, true, true, true]`},
		{name: "AND NULL", e: expr.And(expr.Lit(nil), a), cols: cols[:1], typ: opBool,
			want: `[null, null, null, false, false, false, null, null, null]`},
		{name: "OR NULL", e: expr.Or(a, expr.Null(opBool)), cols: cols[:1], typ: opBool,
			want: `[true, true, true, null, null, null, null, null, null]`},
		{name: "NOT NULL", e: expr.Not(expr.Lit(nil)), typ: opBool, want: `[null, null]`},
		{name: "nested", e: expr.Not(expr.And(expr.Gt(expr.Col("x"), expr.Lit(1)), expr.Lt(expr.Col("x"), expr.Lit(4)))),
			cols: []opCol{{"x", opI32, `[0, 2, 4, null]`}}, typ: opBool,
			want: `[true, false, true, null]`},
	})
}

func TestLogicTypeErrors(t *testing.T) {
	cols := []opCol{{"s", opStr, `[]`}, {"i", opI64, `[]`}, {"b", opBool, `[]`}}
	opTypeErr(t, expr.And(expr.Col("b"), expr.Col("i")), cols, "bool", "int64")
	opTypeErr(t, expr.Or(expr.Col("s"), expr.Col("b")), cols, "utf8")
	opTypeErr(t, expr.Not(expr.Col("i")), cols, "int64")
	if got := expr.And(expr.Col("a"), expr.Not(expr.Col("b"))).String(); got != "(a AND (NOT b))" {
		t.Errorf("String() = %q", got)
	}
}
