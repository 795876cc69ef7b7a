package expr

import (
	"bytes"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// SplitExpr is split(x, sep): x cut at every match of the regular expression
// sep, as a list<utf8>. Spark's semantics (Java's String.split with limit -1):
// empty pieces are kept, trailing ones included, so split("a  b", " ") is
// ["a", "", "b"] and split("", " ") is [""]; a zero-width match at the start
// yields no leading empty piece; an empty sep splits into characters.
//
// A sep that is a literal (no regex meaning, after unescaping such as "\\|")
// is searched as bytes, one that is a character class or a run of one (\s+,
// [,;], \W+) is matched with a byte table, and any other sep runs through Go's
// regexp (RE2 syntax: no backreferences or lookaround), compiled once.
type SplitExpr struct {
	X   Expr
	Sep string

	lit  []byte         // the literal separator, when sep is one
	set  *[256]bool     // else the bytes of a one-character class, when sep is one
	plus bool           // set: a run of set bytes is one separator
	re   *regexp.Regexp // else the compiled pattern
	err  error          // compile error, reported by Type and Eval
}

// Split is split(x, sep).
func Split(x Expr, sep string) *SplitExpr {
	e := &SplitExpr{X: x, Sep: sep}
	if lit, ok := splitLiteral(sep); ok {
		e.lit = []byte(lit)
		if e.lit == nil {
			e.lit = []byte{}
		}
		return e
	}
	e.re, e.err = regexp.Compile(sep)
	if e.err == nil {
		e.set, e.plus = splitByteClass(sep)
	}
	return e
}

// splitLiteral reports whether pattern matches exactly one fixed string, and
// which.
// An empty pattern is the empty literal; other patterns that only match the
// empty string stay regular expressions, as in Spark.
func splitLiteral(pattern string) (string, bool) {
	if pattern == "" {
		return "", true
	}
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil || re.Op != syntax.OpLiteral || re.Flags&syntax.FoldCase != 0 {
		return "", false
	}
	return string(re.Rune), true
}

// splitByteClass reports whether pattern is a character class, or a run of
// one (such as \s+, [,;] or \W+), that can be matched byte by byte: its
// ASCII members are listed and its non-ASCII members are none or, with a
// run, all of them (every byte of a multi-byte character is then a
// separator byte, as is an invalid byte, which RE2 reads as U+FFFD).
func splitByteClass(pattern string) (set *[256]bool, plus bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	re = re.Simplify()
	if re.Op == syntax.OpPlus {
		plus, re = true, re.Sub[0]
	}
	var ranges []rune
	switch {
	case re.Op == syntax.OpCharClass:
		ranges = re.Rune
	case re.Op == syntax.OpLiteral && len(re.Rune) == 1 && re.Flags&syntax.FoldCase == 0:
		ranges = []rune{re.Rune[0], re.Rune[0]}
	default:
		return nil, false
	}
	set = new([256]bool)
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if hi >= utf8.RuneSelf {
			if !plus || hi != unicode.MaxRune || lo > utf8.RuneSelf {
				return nil, false
			}
			hi = 0xff // all of non-ASCII: every byte >= 0x80
		}
		for c := lo; c <= hi; c++ {
			set[c] = true
		}
	}
	return set, plus
}

func (e *SplitExpr) String() string {
	return fmt.Sprintf("split(%s, %s)", e.X, strconv.Quote(e.Sep))
}
func (e *SplitExpr) Children() []Expr { return []Expr{e.X} }
func (e *SplitExpr) WithChildren(c []Expr) Expr {
	n := *e
	n.X = c[0]
	return &n
}

// Type is list<utf8>.
func (e *SplitExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	if e.err != nil {
		return nil, &TypeError{Expr: e.String(), Msg: "bad pattern: " + e.err.Error()}
	}
	if err := strArgTypes(e.String(), s, e.X); err != nil {
		return nil, err
	}
	return arrow.ListOf(arrow.BinaryTypes.String), nil
}

func (e *SplitExpr) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	if _, err := e.Type(rec.Schema()); err != nil {
		return nil, err
	}
	x, err := strEval(ctx, e.X, rec)
	if err != nil {
		return nil, err
	}
	defer x.Release()
	in := newStrIn(x)
	var out *splitOut
	switch {
	case e.set != nil:
		out = splitByteSet(ctx.Mem, in, e.set, e.plus)
	case e.re != nil:
		out = splitRegexp(ctx.Mem, in, e.re)
	case len(e.lit) == 1:
		out = splitByte(ctx.Mem, in, e.lit[0])
	case len(e.lit) == 0:
		out = splitChars(ctx.Mem, in)
	default:
		out = splitBytes(ctx.Mem, in, e.lit)
	}
	return out.finish(ctx.Mem, x)
}

// splitOut holds a list<utf8> under construction: per-row list offsets and
// the child's offsets and data.
type splitOut struct {
	listBuf *memory.Buffer
	list    []int32 // rows+1 list offsets
	elems   *strOut // child values; add grows elems.offs
	k       int     // elements written
}

func newSplitOut(mem memory.Allocator, rows, elemCap, dataCap int) *splitOut {
	o := &splitOut{listBuf: memory.NewResizableBuffer(mem), elems: newStrOut(mem, elemCap, dataCap)}
	o.listBuf.Resize((rows + 1) * arrow.Int32SizeBytes)
	o.list = arrow.Int32Traits.CastFromBytes(o.listBuf.Bytes())
	o.list[0] = 0
	return o
}

// add appends one element; callers have reserved its bytes.
func (o *splitOut) add(b []byte) {
	w := o.elems
	w.n += copy(w.data[w.n:], b)
	if o.k+1 >= len(w.offs) {
		w.offBuf.Resize(max(2*len(w.offs), 16) * arrow.Int32SizeBytes)
		w.offs = arrow.Int32Traits.CastFromBytes(w.offBuf.Bytes())
	}
	o.k++
	w.offs[o.k] = int32(w.n)
}

// finish assembles the list array; NULL rows of x are NULL (and empty) lists.
func (o *splitOut) finish(mem memory.Allocator, x arrow.Array) (arrow.Array, error) {
	defer o.listBuf.Release()
	o.elems.offBuf.ResizeNoShrink((o.k + 1) * arrow.Int32SizeBytes)
	child, err := o.elems.finish(o.k, nil, 0)
	if err != nil {
		return nil, err
	}
	defer child.Release()
	valid, nulls := strValidity(mem, x)
	if valid != nil {
		defer valid.Release()
	}
	d := array.NewData(arrow.ListOf(arrow.BinaryTypes.String), x.Len(),
		[]*memory.Buffer{valid, o.listBuf}, []arrow.ArrayData{child.Data()}, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d), nil
}

// splitByte is the hot path, a one-byte separator: one pass over the data,
// copying word bytes (not separators) into the child and recording an offset
// at every separator. The loop is branch-free per byte: separators are too
// frequent in text for a predictable branch or a search call per word to
// pay. Capacity is exact: the separator count bounds the element count and
// the data size bounds the bytes.
func splitByte(mem memory.Allocator, in strIn, sep byte) *splitOut {
	src := in.bytes()
	seps := bytes.Count(src, []byte{sep})
	o := newSplitOut(mem, in.n, seps+in.n, len(src)-seps+1)
	dst, offs, list := o.elems.data, o.elems.offs, o.list
	w, k := 0, 1 // offs[k] is the end of the element being written
	for i := 0; i < in.n; i++ {
		if in.null(i) {
			list[i+1] = int32(k - 1)
			continue
		}
		for _, c := range in.data[in.offs[i]:in.offs[i+1]] {
			dst[w] = c // a separator is overwritten by the next byte
			offs[k] = int32(w)
			is := 0
			if c == sep {
				is = 1
			}
			k += is
			w += 1 - is
		}
		offs[k] = int32(w)
		list[i+1] = int32(k)
		k++
	}
	o.elems.n, o.k = w, k-1
	return o
}

// splitBytes splits at a multi-byte literal separator.
func splitBytes(mem memory.Allocator, in strIn, sep []byte) *splitOut {
	src := in.bytes()
	o := newSplitOut(mem, in.n, in.n+bytes.Count(src, sep), len(src))
	for i := 0; i < in.n; i++ {
		if in.null(i) {
			o.list[i+1] = int32(o.k)
			continue
		}
		s := in.data[in.offs[i]:in.offs[i+1]]
		for {
			j := bytes.Index(s, sep)
			if j < 0 {
				break
			}
			o.add(s[:j])
			s = s[j+len(sep):]
		}
		o.add(s)
		o.list[i+1] = int32(o.k)
	}
	return o
}

// splitByteSet splits at bytes of set, or at runs of them when plus.
func splitByteSet(mem memory.Allocator, in strIn, set *[256]bool, plus bool) *splitOut {
	src := in.bytes()
	o := newSplitOut(mem, in.n, 2*in.n, len(src))
	for i := 0; i < in.n; i++ {
		if in.null(i) {
			o.list[i+1] = int32(o.k)
			continue
		}
		s := in.data[in.offs[i]:in.offs[i+1]]
		at := 0
		for j := 0; j < len(s); {
			if !set[s[j]] {
				j++
				continue
			}
			o.add(s[at:j])
			j++
			for plus && j < len(s) && set[s[j]] {
				j++
			}
			at = j
		}
		o.add(s[at:])
		o.list[i+1] = int32(o.k)
	}
	return o
}

// splitChars splits into characters (an empty separator); an empty string
// gives [""].
func splitChars(mem memory.Allocator, in strIn) *splitOut {
	src := in.bytes()
	o := newSplitOut(mem, in.n, in.n+len(src), len(src))
	for i := 0; i < in.n; i++ {
		if in.null(i) {
			o.list[i+1] = int32(o.k)
			continue
		}
		s := in.data[in.offs[i]:in.offs[i+1]]
		if len(s) == 0 {
			o.add(s)
		}
		for len(s) > 0 {
			size := 1
			if s[0] >= utf8.RuneSelf {
				_, size = utf8.DecodeRune(s)
			}
			o.add(s[:size])
			s = s[size:]
		}
		o.list[i+1] = int32(o.k)
	}
	return o
}

// splitRegexp splits at the matches of re, Java's way: a zero-width match at
// the start is skipped, and no effective match leaves the string whole.
// regexp allocates its match list once per row.
func splitRegexp(mem memory.Allocator, in strIn, re *regexp.Regexp) *splitOut {
	src := in.bytes()
	o := newSplitOut(mem, in.n, 2*in.n, len(src))
	for i := 0; i < in.n; i++ {
		if in.null(i) {
			o.list[i+1] = int32(o.k)
			continue
		}
		s := in.data[in.offs[i]:in.offs[i+1]]
		at := 0
		for _, m := range re.FindAllIndex(s, -1) {
			if m[1] == 0 {
				continue // zero-width match at the start
			}
			o.add(s[at:m[0]])
			at = m[1]
		}
		o.add(s[at:])
		o.list[i+1] = int32(o.k)
	}
	return o
}
