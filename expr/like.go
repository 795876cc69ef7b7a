package expr

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

var _ Expr = (*LikeExpr)(nil)

// LikeExpr is x LIKE pattern: % matches any run of characters, _ exactly one
// character, and a backslash makes the next character literal. The pattern is
// compiled once, to a prefix, suffix, substring or equality test when it has
// that shape, to a regular expression otherwise. NULL x gives NULL.
type LikeExpr struct {
	X       Expr
	Pattern string
	m       likeMatcher
}

// Like returns x LIKE pattern. An invalid pattern (a trailing backslash) is
// reported by Type and Eval.
func Like(x Expr, pattern string) *LikeExpr {
	return &LikeExpr{X: x, Pattern: pattern, m: compileLike(pattern)}
}

func (e *LikeExpr) String() string {
	return "(" + e.X.String() + " LIKE '" + strings.ReplaceAll(e.Pattern, "'", "''") + "')"
}
func (e *LikeExpr) Children() []Expr { return []Expr{e.X} }
func (e *LikeExpr) WithChildren(c []Expr) Expr {
	return &LikeExpr{X: c[0], Pattern: e.Pattern, m: e.m}
}

func (e *LikeExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	if _, err := e.operandType(s); err != nil {
		return nil, err
	}
	return arrow.FixedWidthTypes.Boolean, nil
}

// operandType is the type of X: a string type or NULL.
func (e *LikeExpr) operandType(s *arrow.Schema) (arrow.DataType, error) {
	t, err := e.X.Type(s)
	if err != nil {
		return nil, err
	}
	if !IsStringLike(t) && !isNullType(t) {
		return nil, &TypeError{Expr: e.String(), Types: []arrow.DataType{t}, Msg: "LIKE needs a string operand"}
	}
	if e.m.err != nil {
		return nil, &TypeError{Expr: e.String(), Types: []arrow.DataType{t}, Msg: e.m.err.Error()}
	}
	return t, nil
}

func (e *LikeExpr) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	t, err := e.operandType(rec.Schema())
	if err != nil {
		return nil, err
	}
	n := int(rec.NumRows())
	if isNullType(t) {
		return array.MakeArrayOfNull(ctx.Mem, arrow.FixedWidthTypes.Boolean, n), nil
	}
	x, err := evalArrayAs(ctx, e.X, rec, t)
	if err != nil {
		return nil, err
	}
	defer x.Release()
	buf, bits := vecBitmap(ctx.Mem, n, false)
	if t.ID() == arrow.LARGE_STRING {
		likeLoop(stringsOf[int64](x), x, e.m.match, bits)
	} else {
		likeLoop(stringsOf[int32](x), x, e.m.match, bits)
	}
	return vecArray(arrow.FixedWidthTypes.Boolean, n, vecCopyValidity(ctx.Mem, x), buf), nil
}

func likeLoop[O int32 | int64](sv stringVals[O], x arrow.Array, match func(string) bool, bits []byte) {
	vb, off := vecValidity(x)
	for i := 0; i < x.Len(); i++ {
		if vb != nil && !bitutil.BitIsSet(vb, off+i) {
			continue
		}
		if match(sv.at(i)) {
			bitutil.SetBit(bits, i)
		}
	}
}

// likeMatcher is a compiled LIKE pattern.
type likeMatcher struct {
	match func(string) bool
	err   error
}

var errLikeEscape = errors.New("LIKE pattern ends with the escape character")

// compileLike turns a LIKE pattern into a matcher: string tests when the
// pattern has no _, a regexp otherwise. A backslash before any character makes
// it literal.
func compileLike(pattern string) likeMatcher {
	// Split into literal segments separated by %; note whether _ occurs.
	var segs []string
	var cur strings.Builder
	underscore := false
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '\\':
			if i+1 == len(pattern) {
				return likeMatcher{match: func(string) bool { return false }, err: errLikeEscape}
			}
			i++
			cur.WriteByte(pattern[i])
		case '%':
			segs = append(segs, cur.String())
			cur.Reset()
		case '_':
			underscore = true
			cur.WriteByte(c)
		default:
			cur.WriteByte(c)
		}
	}
	segs = append(segs, cur.String())
	if !underscore {
		return likeMatcher{match: simpleLike(segs)}
	}
	re, err := regexp.Compile(likeRegexp(pattern))
	if err != nil { // e.g. the pattern is not valid UTF-8
		return likeMatcher{match: func(string) bool { return false }, err: fmt.Errorf("LIKE pattern: %w", err)}
	}
	return likeMatcher{match: re.MatchString}
}

// simpleLike matches a pattern made of literal segments separated by %:
// prefix, suffix, then each inner segment in order (leftmost match first, which
// is exact for % patterns).
func simpleLike(segs []string) func(string) bool {
	if len(segs) == 1 {
		lit := segs[0]
		return func(s string) bool { return s == lit }
	}
	pre, suf := segs[0], segs[len(segs)-1]
	var inner []string
	minLen := len(pre) + len(suf)
	for _, seg := range segs[1 : len(segs)-1] {
		if seg != "" {
			inner = append(inner, seg)
			minLen += len(seg)
		}
	}
	return func(s string) bool {
		if len(s) < minLen || !strings.HasPrefix(s, pre) || !strings.HasSuffix(s, suf) {
			return false
		}
		mid := s[len(pre) : len(s)-len(suf)]
		for _, seg := range inner {
			j := strings.Index(mid, seg)
			if j < 0 {
				return false
			}
			mid = mid[j+len(seg):]
		}
		return true
	}
}

// likeRegexp translates a LIKE pattern to an anchored regexp in which . also
// matches newlines; _ is exactly one character (rune).
func likeRegexp(pattern string) string {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '\\':
			i++
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		case '%':
			b.WriteString(`.*`)
		case '_':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		}
	}
	b.WriteString(`\z`)
	return b.String()
}
