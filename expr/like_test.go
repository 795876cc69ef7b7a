package expr_test

import (
	"testing"

	"github.com/sluicestream/sluice/expr"
)

func TestLike(t *testing.T) {
	a := expr.Col("a")
	words := []opCol{{"a", opStr, `["apple", "banana", "grape", "", null, "app", "a%b", "a_b", "line\nbreak", "naïve"]`}}
	cases := []struct {
		pattern string
		want    string
	}{
		{"apple", `[true, false, false, false, null, false, false, false, false, false]`},
		{"app%", `[true, false, false, false, null, true, false, false, false, false]`},
		{"%e", `[true, false, true, false, null, false, false, false, false, true]`},
		{"%an%", `[false, true, false, false, null, false, false, false, false, false]`},
		{"%", `[true, true, true, true, null, true, true, true, true, true]`},
		{"%%", `[true, true, true, true, null, true, true, true, true, true]`},
		{"", `[false, false, false, true, null, false, false, false, false, false]`},
		{"a%e", `[true, false, false, false, null, false, false, false, false, false]`},
		{"g%a%e", `[false, false, true, false, null, false, false, false, false, false]`},
		{"b%n%n%a", `[false, true, false, false, null, false, false, false, false, false]`},
		{"_pp__", `[true, false, false, false, null, false, false, false, false, false]`},
		{"___", `[false, false, false, false, null, true, true, true, false, false]`},
		{"na_ve", `[false, false, false, false, null, false, false, false, false, true]`},
		{`a\%b`, `[false, false, false, false, null, false, true, false, false, false]`},
		{`a\_b`, `[false, false, false, false, null, false, false, true, false, false]`},
		{`%\_%`, `[false, false, false, false, null, false, false, true, false, false]`},
		{"line_break", `[false, false, false, false, null, false, false, false, true, false]`},
		{"line%", `[false, false, false, false, null, false, false, false, true, false]`},
		{"a.b", `[false, false, false, false, null, false, false, false, false, false]`},
		{"(%", `[false, false, false, false, null, false, false, false, false, false]`},
	}
	var ops []opCase
	for _, c := range cases {
		ops = append(ops, opCase{e: expr.Like(a, c.pattern), cols: words, typ: opBool, want: c.want})
	}
	ops = append(ops,
		opCase{name: "large string", e: expr.Like(a, "b%"), cols: []opCol{{"a", opLStr, `["ba", "ab", null]`}}, typ: opBool,
			want: `[true, false, null]`},
		opCase{name: "literal", e: expr.Like(expr.Lit("abc"), "a_c"), typ: opBool, want: `[true, true]`},
		opCase{name: "NULL", e: expr.Like(expr.Lit(nil), "a"), typ: opBool, want: `[null]`},
	)
	opRun(t, ops)
}

func TestLikeErrors(t *testing.T) {
	cols := []opCol{{"s", opStr, `[]`}, {"i", opI64, `[]`}}
	opTypeErr(t, expr.Like(expr.Col("i"), "1%"), cols, "int64")
	opTypeErr(t, expr.Like(expr.Col("s"), `abc\`), cols, "escape")
	opTypeErr(t, expr.Like(expr.Col("s"), "\xff_"), cols, "UTF-8")
	if got := expr.Like(expr.Col("s"), "it's%").String(); got != "(s LIKE 'it''s%')" {
		t.Errorf("String() = %q", got)
	}
}
