package expr_test

import (
	"testing"

	"github.com/sluicestream/sluice/expr"
)

func TestIn(t *testing.T) {
	a, b := expr.Col("a"), expr.Col("b")
	ints := []opCol{{"a", opI64, `[1, 2, 3, null]`}}
	opRun(t, []opCase{
		{e: expr.In(a, expr.Lit(1), expr.Lit(3)), cols: ints, typ: opBool,
			want: `[true, false, true, null]`},
		{name: "list with NULL", e: expr.In(a, expr.Lit(1), expr.Lit(nil)), cols: ints, typ: opBool,
			want: `[true, null, null, null]`},
		{name: "promotes int32 list", e: expr.In(a, expr.Lit(int32(2)), expr.Lit(2.5)), typ: opBool,
			cols: []opCol{{"a", opI32, `[2, 3, null]`}},
			want: `[true, false, null]`},
		{name: "strings", e: expr.In(a, expr.Lit("x"), expr.Lit("")), typ: opBool,
			cols: []opCol{{"a", opStr, `["x", "", "y", null]`}},
			want: `[true, true, false, null]`},
		{name: "large strings", e: expr.In(a, expr.Lit("x")), typ: opBool,
			cols: []opCol{{"a", opLStr, `["x", "y", null]`}},
			want: `[true, false, null]`},
		{name: "bool", e: expr.In(a, expr.Lit(true)), typ: opBool,
			cols: []opCol{{"a", opBool, `[true, false, null]`}},
			want: `[true, false, null]`},
		{name: "dates from strings", e: expr.In(a, expr.Lit("2024-01-02")), typ: opBool,
			cols: []opCol{{"a", opDate, `["2024-01-02", "2024-01-03"]`}},
			want: `[true, false]`},
		{name: "non-literal list", e: expr.In(a, b, expr.Lit(10)), typ: opBool,
			cols: []opCol{{"a", opI64, `[1, 10, 3, null, 4]`}, {"b", opI64, `[1, 2, null, 4, 5]`}},
			want: `[true, true, null, null, false]`},
		{name: "literal operand", e: expr.In(expr.Lit(2), b, expr.Lit(3)), typ: opBool,
			cols: []opCol{{"b", opI64, `[2, 1, null]`}},
			want: `[true, false, null]`},
		{name: "NULL operand", e: expr.In(expr.Lit(nil), expr.Lit(1)), typ: opBool, want: `[null, null]`},
	})
}

func TestInTypeErrors(t *testing.T) {
	cols := []opCol{{"s", opStr, `[]`}, {"i", opI64, `[]`}}
	opTypeErr(t, expr.In(expr.Col("i"), expr.Lit(1), expr.Lit(true)), cols, "int64", "bool")
	opTypeErr(t, expr.In(expr.Col("s"), expr.Lit(1)), cols, "utf8", "int64")
	opTypeErr(t, expr.In(expr.Col("s")), cols, "utf8")
	if got := expr.In(expr.Col("a"), expr.Lit(1), expr.Lit(2)).String(); got != "(a IN (1, 2))" {
		t.Errorf("String() = %q", got)
	}
}
