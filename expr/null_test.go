package expr_test

import (
	"testing"

	"github.com/sluicestream/sluice/expr"
)

func TestIsNull(t *testing.T) {
	a := expr.Col("a")
	opRun(t, []opCase{
		{e: expr.IsNull(a), cols: []opCol{{"a", opI64, `[1, null, 3, null]`}}, typ: opBool,
			want: `[false, true, false, true]`},
		{e: expr.IsNotNull(a), cols: []opCol{{"a", opI64, `[1, null, 3, null]`}}, typ: opBool,
			want: `[true, false, true, false]`},
		{name: "strings without nulls", e: expr.IsNull(a), cols: []opCol{{"a", opStr, `["x", ""]`}}, typ: opBool,
			want: `[false, false]`},
		{name: "null type column", e: expr.IsNotNull(a), cols: []opCol{{"a", opNull, `[null, null]`}}, typ: opBool,
			want: `[false, false]`},
		{name: "NULL literal", e: expr.IsNull(expr.Lit(nil)), typ: opBool, want: `[true, true]`},
		{name: "literal", e: expr.IsNotNull(expr.Lit("x")), typ: opBool, want: `[true, true]`},
		{name: "of NULL result", e: expr.IsNull(expr.Div(a, expr.Lit(0))), cols: []opCol{{"a", opI32, `[1, null]`}}, typ: opBool,
			want: `[true, true]`},
		{name: "of expression", e: expr.IsNotNull(expr.Add(a, expr.Lit(1))), cols: []opCol{{"a", opI32, `[1, null, 2]`}}, typ: opBool,
			want: `[true, false, true]`},
	})
	if got := expr.IsNotNull(a).String(); got != "(a IS NOT NULL)" {
		t.Errorf("String() = %q", got)
	}
	if got := expr.IsNull(a).String(); got != "(a IS NULL)" {
		t.Errorf("String() = %q", got)
	}
}
