package expr_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

func TestArith(t *testing.T) {
	a, b := expr.Col("a"), expr.Col("b")
	i64 := func(js string) opCol { return opCol{"a", opI64, js} }
	opRun(t, []opCase{
		{e: expr.Add(a, b), typ: opI64,
			cols: []opCol{i64(`[1, 2, null, 4]`), {"b", opI64, `[10, null, 30, 40]`}},
			want: `[11, null, null, 44]`},
		{name: "int32+int64 widens", e: expr.Add(a, b), typ: opI64,
			cols: []opCol{{"a", opI32, `[1, -2]`}, {"b", opI64, `[5000000000, 1]`}},
			want: `[5000000001, -1]`},
		{name: "int8+int16", e: expr.Add(a, b), typ: opI16,
			cols: []opCol{{"a", opI8, `[100, -100]`}, {"b", opI16, `[100, -100]`}},
			want: `[200, -200]`},
		{name: "int+float32 is float64", e: expr.Add(a, b), typ: opF64,
			cols: []opCol{{"a", opI32, `[1, 2]`}, {"b", opF32, `[0.5, 1.5]`}},
			want: `[1.5, 3.5]`},
		{name: "overflow wraps", e: expr.Add(a, expr.Lit(int64(1))), typ: opI64,
			cols: []opCol{i64(`[9223372036854775807]`)},
			want: `[-9223372036854775808]`},
		{name: "literal left", e: expr.Sub(expr.Lit(int64(100)), a), typ: opI64,
			cols: []opCol{i64(`[1, null, 3]`)},
			want: `[99, null, 97]`},
		{name: "literal right", e: expr.Sub(a, expr.Lit(int32(1))), typ: opI64,
			cols: []opCol{i64(`[1, null, 3]`)},
			want: `[0, null, 2]`},
		{name: "NULL literal", e: expr.Add(a, expr.Lit(nil)), typ: opI64,
			cols: []opCol{i64(`[1, 2]`)},
			want: `[null, null]`},
		{name: "NULL + NULL", e: expr.Add(expr.Lit(nil), expr.Lit(nil)), typ: opI64,
			want: `[null, null]`},
		{name: "both literals", e: expr.Mul(expr.Lit(6), expr.Lit(7)), typ: opI64,
			want: `[42, 42, 42]`},
		{e: expr.Mul(a, b), typ: opF64,
			cols: []opCol{{"a", opF64, `[1.5, null, -2]`}, {"b", opF64, `[2, 3, 0.25]`}},
			want: `[3, null, -0.5]`},
		{name: "int / int is float64", e: expr.Div(a, b), typ: opF64,
			cols: []opCol{i64(`[7, 1, null, 5, -4]`), {"b", opI64, `[2, 0, 1, null, 8]`}},
			want: `[3.5, null, null, null, -0.5]`},
		{name: "float / 0 is NULL", e: expr.Div(a, b), typ: opF64,
			cols: []opCol{{"a", opF64, `[1, -1, 0]`}, {"b", opF64, `[0, -0, 0]`}},
			want: `[null, null, null]`},
		{name: "div literal right", e: expr.Div(a, expr.Lit(4)), typ: opF64,
			cols: []opCol{{"a", opI32, `[2, null, 10]`}},
			want: `[0.5, null, 2.5]`},
		{name: "div literal left", e: expr.Div(expr.Lit(1.0), a), typ: opF64,
			cols: []opCol{{"a", opI32, `[2, 0, null]`}},
			want: `[0.5, null, null]`},
		{name: "div by literal zero", e: expr.Div(a, expr.Lit(0)), typ: opF64,
			cols: []opCol{{"a", opI32, `[2, null]`}},
			want: `[null, null]`},
		{name: "div by NULL", e: expr.Div(a, expr.Null(opI64)), typ: opF64,
			cols: []opCol{{"a", opI32, `[2, 3]`}},
			want: `[null, null]`},
		{name: "mod sign follows dividend", e: expr.Mod(a, b), typ: opI64,
			cols: []opCol{i64(`[7, -7, 7, -7, 5, null, -9223372036854775808]`), {"b", opI64, `[3, 3, -3, -3, 0, 2, -1]`}},
			want: `[1, -1, 1, -1, null, null, 0]`},
		{name: "mod int32", e: expr.Mod(a, expr.Lit(int32(4))), typ: opI32,
			cols: []opCol{{"a", opI32, `[9, -9, null]`}},
			want: `[1, -1, null]`},
		{name: "mod float", e: expr.Mod(a, b), typ: opF64,
			cols: []opCol{{"a", opF64, `[5.5, -5.5, 1]`}, {"b", opI32, `[2, 2, 0]`}},
			want: `[1.5, -1.5, null]`},
		{name: "mod literal left", e: expr.Mod(expr.Lit(int64(10)), a), typ: opI64,
			cols: []opCol{i64(`[3, 0, null, 4]`)},
			want: `[1, null, null, 2]`},
		{e: expr.Neg(a), typ: opI64,
			cols: []opCol{i64(`[1, -2, null, -9223372036854775808]`)},
			want: `[-1, 2, null, -9223372036854775808]`},
		{name: "neg float", e: expr.Neg(a), typ: opF32,
			cols: []opCol{{"a", opF32, `[1.5, null]`}},
			want: `[-1.5, null]`},
		{name: "neg literal", e: expr.Neg(expr.Lit(int32(3))), typ: opI32,
			want: `[-3, -3]`},
	})
}

func TestArithTypeErrors(t *testing.T) {
	cols := []opCol{{"s", opStr, `[]`}, {"i", opI64, `[]`}, {"b", opBool, `[]`}, {"u", opU32, `[]`}}
	opTypeErr(t, expr.Add(expr.Col("i"), expr.Col("s")), cols, "int64", "utf8")
	opTypeErr(t, expr.Div(expr.Col("b"), expr.Col("i")), cols, "bool", "int64")
	opTypeErr(t, expr.Mod(expr.Col("s"), expr.Lit(1)), cols, "utf8")
	opTypeErr(t, expr.Neg(expr.Col("s")), cols, "utf8")
	opTypeErr(t, expr.Neg(expr.Col("u")), cols, "uint32")

	_, err := expr.Add(expr.Col("i"), expr.Col("nope")).Type(arrow.NewSchema([]arrow.Field{{Name: "i", Type: opI64}}, nil))
	if _, ok := err.(*expr.UnknownColumnError); !ok {
		t.Errorf("unknown column: got %v (%T), want *expr.UnknownColumnError", err, err)
	}
}

func TestArithString(t *testing.T) {
	a, b := expr.Col("a"), expr.Col("b")
	for e, want := range map[expr.Expr]string{
		expr.Add(a, b):                  "(a + b)",
		expr.Sub(a, expr.Mul(b, a)):     "(a - (b * a))",
		expr.Div(a, expr.Lit(int64(2))): "(a / 2)",
		expr.Mod(a, b):                  "(a % b)",
		expr.Neg(a):                     "(- a)",
		expr.Add(a, b).WithChildren([]expr.Expr{b, a}): "(b + a)",
	} {
		if got := e.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}
