package expr

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
)

// RegexpExtractExpr is regexp_extract(x, pattern, group): the text the given
// capture group matched at the first match of pattern in x. As in Spark, no
// match (or a group that did not take part in the match) gives the empty
// string, group 0 is the whole match, and a NULL x gives NULL. The pattern is
// compiled once, with Go's RE2 syntax (no backreferences or lookaround).
type RegexpExtractExpr struct {
	X       Expr
	Pattern string
	Group   int

	re  *regexp.Regexp
	err error // compile error, reported by Type and Eval
}

// RegexpExtract is regexp_extract(x, pattern, group).
func RegexpExtract(x Expr, pattern string, group int) *RegexpExtractExpr {
	e := &RegexpExtractExpr{X: x, Pattern: pattern, Group: group}
	e.re, e.err = regexp.Compile(pattern)
	return e
}

func (e *RegexpExtractExpr) String() string {
	return fmt.Sprintf("regexp_extract(%s, %s, %d)", e.X, strconv.Quote(e.Pattern), e.Group)
}
func (e *RegexpExtractExpr) Children() []Expr { return []Expr{e.X} }
func (e *RegexpExtractExpr) WithChildren(c []Expr) Expr {
	n := *e
	n.X = c[0]
	return &n
}

// Type is utf8. A pattern that does not compile, or a group it does not have,
// is a type error.
func (e *RegexpExtractExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	if e.err != nil {
		return nil, &TypeError{Expr: e.String(), Msg: "bad pattern: " + e.err.Error()}
	}
	if e.Group < 0 || e.Group > e.re.NumSubexp() {
		return nil, &TypeError{Expr: e.String(),
			Msg: fmt.Sprintf("group %d out of range: the pattern has %d groups", e.Group, e.re.NumSubexp())}
	}
	if err := strArgTypes(e.String(), s, e.X); err != nil {
		return nil, err
	}
	return arrow.BinaryTypes.String, nil
}

// Eval matches row by row; each extract is part of its row, so the output
// never needs more bytes than the input. regexp allocates the match indices
// once per matching row.
func (e *RegexpExtractExpr) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	if _, err := e.Type(rec.Schema()); err != nil {
		return nil, err
	}
	x, err := strEval(ctx, e.X, rec)
	if err != nil {
		return nil, err
	}
	defer x.Release()
	in := newStrIn(x)
	w := newStrOut(ctx.Mem, in.n, len(in.bytes()))
	g := 2 * e.Group
	for i := 0; i < in.n; i++ {
		if !in.null(i) {
			s := in.data[in.offs[i]:in.offs[i+1]]
			if m := e.re.FindSubmatchIndex(s); m != nil && m[g] >= 0 {
				w.n += copy(w.data[w.n:], s[m[g]:m[g+1]])
			}
		}
		w.offs[i+1] = int32(w.n)
	}
	valid, nulls := strValidity(ctx.Mem, x)
	return w.finish(in.n, valid, nulls)
}
