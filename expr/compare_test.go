package expr_test

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

func TestCompare(t *testing.T) {
	a, b := expr.Col("a"), expr.Col("b")
	ints := []opCol{{"a", opI64, `[1, 2, 3, null, 5]`}, {"b", opI32, `[2, 2, 2, 2, null]`}}
	opRun(t, []opCase{
		{e: expr.Eq(a, b), cols: ints, typ: opBool, want: `[false, true, false, null, null]`},
		{e: expr.NotEq(a, b), cols: ints, typ: opBool, want: `[true, false, true, null, null]`},
		{e: expr.Lt(a, b), cols: ints, typ: opBool, want: `[true, false, false, null, null]`},
		{e: expr.LtEq(a, b), cols: ints, typ: opBool, want: `[true, true, false, null, null]`},
		{e: expr.Gt(a, b), cols: ints, typ: opBool, want: `[false, false, true, null, null]`},
		{e: expr.GtEq(a, b), cols: ints, typ: opBool, want: `[false, true, true, null, null]`},
		{name: "int vs float", e: expr.Lt(a, b), typ: opBool,
			cols: []opCol{{"a", opI32, `[1, 2, null]`}, {"b", opF64, `[1.5, 1.5, 0]`}},
			want: `[true, false, null]`},
		{name: "literal right", e: expr.Gt(a, expr.Lit(int64(2))), typ: opBool,
			cols: ints[:1], want: `[false, false, true, null, true]`},
		{name: "literal left", e: expr.Gt(expr.Lit(2.5), a), typ: opBool,
			cols: ints[:1], want: `[true, true, false, null, false]`},
		{name: "NULL literal", e: expr.Eq(a, expr.Lit(nil)), typ: opBool,
			cols: ints[:1], want: `[null, null, null, null, null]`},
		{name: "strings", e: expr.Lt(a, b), typ: opBool,
			cols: []opCol{{"a", opStr, `["a", "b", "", null, "é"]`}, {"b", opStr, `["b", "a", "", "x", "e"]`}},
			want: `[true, false, false, null, false]`},
		{name: "string vs large string", e: expr.Eq(a, b), typ: opBool,
			cols: []opCol{{"a", opStr, `["a", "b"]`}, {"b", opLStr, `["a", "c"]`}},
			want: `[true, false]`},
		{name: "string literal", e: expr.Eq(a, expr.Lit("b")), typ: opBool,
			cols: []opCol{{"a", opStr, `["a", "b", null]`}},
			want: `[false, true, null]`},
		{name: "binary", e: expr.GtEq(a, b), typ: opBool,
			cols: []opCol{{"a", opBin, `["AQI=", "AQ==", null]`}, {"b", opBin, `["AQE=", "AQI=", "AA=="]`}},
			want: `[true, false, null]`},
		{name: "bool", e: expr.Lt(a, b), typ: opBool,
			cols: []opCol{{"a", opBool, `[false, true, false, null]`}, {"b", opBool, `[true, true, false, true]`}},
			want: `[true, false, false, null]`},
		{name: "date32", e: expr.Lt(a, b), typ: opBool,
			cols: []opCol{{"a", opDate, `["2024-01-01", "2024-03-01", null]`}, {"b", opDate, `["2024-02-01", "2024-02-01", "2024-02-01"]`}},
			want: `[true, false, null]`},
		{name: "date vs string literal", e: expr.GtEq(a, expr.Lit("2024-02-01")), typ: opBool,
			cols: []opCol{{"a", opDate, `["2024-01-01", "2024-02-01", null]`}},
			want: `[false, true, null]`},
		{name: "timestamp vs time literal", e: expr.Gt(a, expr.Lit(time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC))), typ: opBool,
			cols: []opCol{{"a", opTS, `["2024-01-01T11:59:59Z", "2024-01-01T12:00:00.000001Z", null]`}},
			want: `[false, true, null]`},
		{name: "timestamp units", e: expr.Eq(a, b), typ: opBool,
			cols: []opCol{{"a", opTS, `["2024-01-01T00:00:01Z", "2024-01-01T00:00:01.5Z"]`},
				{"b", &arrow.TimestampType{Unit: arrow.Second}, `["2024-01-01 00:00:01", "2024-01-01 00:00:01"]`}},
			want: `[true, false]`},
		{name: "date vs timestamp", e: expr.Eq(a, b), typ: opBool,
			cols: []opCol{{"a", opDate, `["2024-01-01", "2024-01-01"]`}, {"b", opTS, `["2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z"]`}},
			want: `[true, false]`},
		{name: "timestamp vs string literal", e: expr.Lt(a, expr.Lit("2024-01-01 12:00:00")), typ: opBool,
			cols: []opCol{{"a", opTS, `["2024-01-01T11:00:00Z", "2024-01-01T13:00:00Z"]`}},
			want: `[true, false]`},
		{name: "two literals", e: expr.Lt(expr.Lit(1), expr.Lit(2)), typ: opBool, want: `[true, true]`},
	})
}

func TestCompareTypeErrors(t *testing.T) {
	cols := []opCol{{"s", opStr, `[]`}, {"i", opI64, `[]`}, {"b", opBool, `[]`}, {"d", opDate, `[]`}}
	opTypeErr(t, expr.Eq(expr.Col("s"), expr.Col("i")), cols, "utf8", "int64")
	opTypeErr(t, expr.Lt(expr.Col("b"), expr.Col("i")), cols, "bool", "int64")
	opTypeErr(t, expr.Gt(expr.Col("d"), expr.Lit(1)), cols, "date32", "int64")
}

func TestCompareString(t *testing.T) {
	a := expr.Col("a")
	for e, want := range map[expr.Expr]string{
		expr.Eq(a, expr.Lit(1)):    "(a = 1)",
		expr.NotEq(a, expr.Lit(1)): "(a <> 1)",
		expr.LtEq(a, a):            "(a <= a)",
		expr.GtEq(a, a):            "(a >= a)",
	} {
		if got := e.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}
