package expr

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// String functions work on utf8 arrays. A large_utf8 argument is cast to utf8
// first; results are utf8 (or int32 for length). Every function is NULL when an
// argument is NULL. Kernels read the offsets and data buffers directly and
// write their results into buffers sized up front.

// StringFunc is a one-argument string function: lower, upper, length, trim,
// ltrim or rtrim.
type StringFunc struct {
	Name string // one of the names below
	X    Expr
}

// Names of the one-argument string functions.
const (
	fnLower  = "lower"
	fnUpper  = "upper"
	fnLength = "length"
	fnTrim   = "trim"
	fnLTrim  = "ltrim"
	fnRTrim  = "rtrim"
)

// Lower is lower(x): x with every letter mapped to lower case (Unicode simple
// case mapping).
func Lower(x Expr) *StringFunc { return &StringFunc{Name: fnLower, X: x} }

// Upper is upper(x).
func Upper(x Expr) *StringFunc { return &StringFunc{Name: fnUpper, X: x} }

// Length is length(x): the number of characters (code points) as int32, as
// Spark's length.
func Length(x Expr) *StringFunc { return &StringFunc{Name: fnLength, X: x} }

// Trim is trim(x): x without leading and trailing spaces (ASCII 32 only, as
// Spark's trim).
func Trim(x Expr) *StringFunc { return &StringFunc{Name: fnTrim, X: x} }

// LTrim is ltrim(x): x without leading spaces.
func LTrim(x Expr) *StringFunc { return &StringFunc{Name: fnLTrim, X: x} }

// RTrim is rtrim(x): x without trailing spaces.
func RTrim(x Expr) *StringFunc { return &StringFunc{Name: fnRTrim, X: x} }

func (f *StringFunc) String() string             { return f.Name + "(" + f.X.String() + ")" }
func (f *StringFunc) Children() []Expr           { return []Expr{f.X} }
func (f *StringFunc) WithChildren(c []Expr) Expr { return &StringFunc{Name: f.Name, X: c[0]} }

// Type is int32 for length, utf8 otherwise.
func (f *StringFunc) Type(s *arrow.Schema) (arrow.DataType, error) {
	switch f.Name {
	case fnLower, fnUpper, fnLength, fnTrim, fnLTrim, fnRTrim:
	default:
		return nil, &TypeError{Expr: f.String(), Msg: "unknown string function " + f.Name}
	}
	if err := strArgTypes(f.String(), s, f.X); err != nil {
		return nil, err
	}
	if f.Name == fnLength {
		return arrow.PrimitiveTypes.Int32, nil
	}
	return arrow.BinaryTypes.String, nil
}

func (f *StringFunc) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	if _, err := f.Type(rec.Schema()); err != nil {
		return nil, err
	}
	in, err := strEval(ctx, f.X, rec)
	if err != nil {
		return nil, err
	}
	defer in.Release()
	switch f.Name {
	case fnLength:
		return strLength(ctx.Mem, in), nil
	case fnLower:
		return strMapCase(ctx.Mem, in, false)
	case fnUpper:
		return strMapCase(ctx.Mem, in, true)
	default:
		return strTrim(ctx.Mem, in, f.Name != fnRTrim, f.Name != fnLTrim)
	}
}

// strArgTypes checks that every arg is a string (or NULL-typed) expression.
func strArgTypes(name string, s *arrow.Schema, args ...Expr) error {
	for _, a := range args {
		t, err := a.Type(s)
		if err != nil {
			return err
		}
		if !strIsStringType(t) {
			return &TypeError{Expr: name, Types: []arrow.DataType{t}, Msg: "argument " + a.String() + " must be a string"}
		}
	}
	return nil
}

func strIsStringType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.NULL:
		return true
	}
	return false
}

// strEval evaluates e to a utf8 array: large_utf8 is cast, a NULL-typed
// result becomes an all-NULL utf8 array. The caller releases the result.
func strEval(ctx *Context, e Expr, rec arrow.RecordBatch) (*array.String, error) {
	a, err := e.Eval(ctx, rec)
	if err != nil {
		return nil, err
	}
	switch a.DataType().ID() {
	case arrow.STRING:
		return a.(*array.String), nil
	case arrow.NULL:
		n := a.Len()
		a.Release()
		return array.MakeArrayOfNull(ctx.Mem, arrow.BinaryTypes.String, n).(*array.String), nil
	case arrow.LARGE_STRING:
		defer a.Release()
		c, err := compute.CastArray(ctx.ComputeCtx(), a, compute.SafeCastOptions(arrow.BinaryTypes.String))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e, err)
		}
		return c.(*array.String), nil
	}
	t := a.DataType()
	a.Release()
	return nil, &TypeError{Expr: e.String(), Types: []arrow.DataType{t}, Msg: "expected a string"}
}

// strIn is the raw view of a utf8 array: value i is data[offs[i]:offs[i+1]].
type strIn struct {
	n     int
	offs  []int32 // n+1 offsets, already adjusted for the array's offset
	data  []byte  // the whole data buffer
	valid []byte  // validity bitmap, nil when no row is NULL
	voff  int     // bit of row 0 in valid
}

func newStrIn(a *array.String) strIn {
	in := strIn{n: a.Len()}
	if in.n == 0 {
		in.offs = []int32{0}
		return in
	}
	in.offs = a.ValueOffsets()
	if b := a.Data().Buffers()[2]; b != nil {
		in.data = b.Bytes()
	}
	if a.NullN() > 0 {
		in.valid, in.voff = a.NullBitmapBytes(), a.Data().Offset()
	}
	return in
}

// null reports whether row i is NULL.
func (in strIn) null(i int) bool {
	return in.valid != nil && !bitutil.BitIsSet(in.valid, in.voff+i)
}

// bytes returns the data of rows [0, n), including the bytes of NULL rows.
func (in strIn) bytes() []byte { return in.data[in.offs[0]:in.offs[in.n]] }

// strASCII reports whether b is all ASCII, eight bytes at a time.
func strASCII(b []byte) bool {
	for len(b) >= 8 {
		w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if w&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// strOut builds a utf8 array by writing its offsets and data buffers
// directly. Callers reserve before writing past the capacity they asked for.
type strOut struct {
	offBuf, dataBuf *memory.Buffer
	offs            []int32
	data            []byte // dataBuf's whole capacity
	n               int    // bytes written
}

func newStrOut(mem memory.Allocator, rows, dataCap int) *strOut {
	w := &strOut{offBuf: memory.NewResizableBuffer(mem), dataBuf: memory.NewResizableBuffer(mem)}
	w.offBuf.Resize((rows + 1) * arrow.Int32SizeBytes)
	w.offs = arrow.Int32Traits.CastFromBytes(w.offBuf.Bytes())
	w.offs[0] = 0
	w.dataBuf.Reserve(max(dataCap, 1))
	w.data = w.dataBuf.Buf()
	return w
}

// reserve makes room for extra more bytes.
func (w *strOut) reserve(extra int) {
	if w.n+extra > len(w.data) {
		w.dataBuf.Reserve(max(2*len(w.data), w.n+extra))
		w.data = w.dataBuf.Buf()
	}
}

// finish returns the array of rows values with the given validity, which it
// takes over (nil: no NULLs).
func (w *strOut) finish(rows int, valid *memory.Buffer, nulls int) (arrow.Array, error) {
	defer w.offBuf.Release()
	defer w.dataBuf.Release()
	if valid != nil {
		defer valid.Release()
	}
	if w.n > math.MaxInt32 {
		return nil, fmt.Errorf("string result of %d bytes exceeds the utf8 limit", w.n)
	}
	w.dataBuf.ResizeNoShrink(w.n)
	d := array.NewData(arrow.BinaryTypes.String, rows, []*memory.Buffer{valid, w.offBuf, w.dataBuf}, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d), nil
}

// strValidity returns a validity bitmap starting at bit 0 for an output that
// is NULL where a is: a's own buffer (retained) when a starts at bit 0, else
// a copy. It returns nil when a has no NULLs.
func strValidity(mem memory.Allocator, a arrow.Array) (*memory.Buffer, int) {
	return strAndValidity(mem, a.Len(), a)
}

// strAndValidity returns the validity of an output of n rows that is NULL
// where any of arrs is (nil when none is).
func strAndValidity(mem memory.Allocator, n int, arrs ...arrow.Array) (*memory.Buffer, int) {
	var withNulls []arrow.Array
	for _, a := range arrs {
		if a != nil && a.NullN() > 0 {
			withNulls = append(withNulls, a)
		}
	}
	switch {
	case len(withNulls) == 0:
		return nil, 0
	case len(withNulls) == 1 && withNulls[0].Data().Offset() == 0 && withNulls[0].DataType().ID() != arrow.NULL:
		b := withNulls[0].Data().Buffers()[0]
		b.Retain()
		return b, withNulls[0].NullN()
	}
	out := memory.NewResizableBuffer(mem)
	out.Resize(int(bitutil.BytesForBits(int64(n))))
	bits := out.Bytes()
	for i := range bits {
		bits[i] = 0xff
	}
	for _, a := range withNulls {
		if a.DataType().ID() == arrow.NULL {
			clear(bits)
			return out, n
		}
		strBitmapAnd(bits, a.Data().Buffers()[0].Bytes(), a.Data().Offset(), n)
	}
	return out, n - bitutil.CountSetBits(bits, 0, n)
}

// strBitmapAnd clears every bit i of dst (i < n) whose bit off+i of src is
// clear.
func strBitmapAnd(dst, src []byte, off, n int) {
	if off%8 == 0 {
		src = src[off/8:]
		for i := range bitutil.BytesForBits(int64(n)) {
			dst[i] &= src[i]
		}
		return
	}
	for i := range n {
		if !bitutil.BitIsSet(src, off+i) {
			bitutil.ClearBit(dst, i)
		}
	}
}

// strLength counts characters per row.
func strLength(mem memory.Allocator, a *array.String) arrow.Array {
	in := newStrIn(a)
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(in.n * arrow.Int32SizeBytes)
	out := arrow.Int32Traits.CastFromBytes(buf.Bytes())
	if strASCII(in.bytes()) {
		for i := range out {
			out[i] = in.offs[i+1] - in.offs[i]
		}
	} else {
		for i := range out {
			out[i] = int32(utf8.RuneCount(in.data[in.offs[i]:in.offs[i+1]]))
		}
	}
	valid, nulls := strValidity(mem, a)
	d := array.NewData(arrow.PrimitiveTypes.Int32, in.n, []*memory.Buffer{valid, buf}, nil, nulls, 0)
	buf.Release()
	if valid != nil {
		valid.Release()
	}
	defer d.Release()
	return array.MakeFromData(d)
}

var strLowerASCII, strUpperASCII [256]byte

func init() {
	for i := range 256 {
		strLowerASCII[i], strUpperASCII[i] = byte(i), byte(i)
		if i >= 'A' && i <= 'Z' {
			strLowerASCII[i] = byte(i) + 'a' - 'A'
		}
		if i >= 'a' && i <= 'z' {
			strUpperASCII[i] = byte(i) - ('a' - 'A')
		}
	}
}

// strMapCase maps every row to lower or upper case. All-ASCII input keeps its
// offsets buffer; other input is mapped rune by rune, invalid UTF-8 bytes are
// copied unchanged.
func strMapCase(mem memory.Allocator, a *array.String, upper bool) (arrow.Array, error) {
	tbl := &strLowerASCII
	if upper {
		tbl = &strUpperASCII
	}
	in := newStrIn(a)
	src := in.bytes()
	w := newStrOut(mem, in.n, len(src))
	if strASCII(src) {
		dst := w.data[:len(src)]
		for i, c := range src {
			dst[i] = tbl[c]
		}
		w.n = len(src)
		base := in.offs[0]
		for i := 1; i <= in.n; i++ {
			w.offs[i] = in.offs[i] - base
		}
	} else {
		for i := 0; i < in.n; i++ {
			s := in.data[in.offs[i]:in.offs[i+1]]
			w.reserve(len(s))
			for j := 0; j < len(s); {
				c := s[j]
				if c < utf8.RuneSelf {
					w.data[w.n] = tbl[c]
					w.n++
					j++
					continue
				}
				r, size := utf8.DecodeRune(s[j:])
				w.reserve(len(s) - j + utf8.UTFMax)
				if r == utf8.RuneError && size == 1 {
					w.data[w.n] = c
					w.n++
				} else {
					if upper {
						r = unicode.ToUpper(r)
					} else {
						r = unicode.ToLower(r)
					}
					w.n += utf8.EncodeRune(w.data[w.n:], r)
				}
				j += size
			}
			w.offs[i+1] = int32(w.n)
		}
	}
	valid, nulls := strValidity(mem, a)
	return w.finish(in.n, valid, nulls)
}

// strTrim removes spaces from the left and/or right of every row.
func strTrim(mem memory.Allocator, a *array.String, left, right bool) (arrow.Array, error) {
	in := newStrIn(a)
	w := newStrOut(mem, in.n, len(in.bytes()))
	for i := 0; i < in.n; i++ {
		lo, hi := in.offs[i], in.offs[i+1]
		if left {
			for lo < hi && in.data[lo] == ' ' {
				lo++
			}
		}
		if right {
			for hi > lo && in.data[hi-1] == ' ' {
				hi--
			}
		}
		w.n += copy(w.data[w.n:], in.data[lo:hi])
		w.offs[i+1] = int32(w.n)
	}
	valid, nulls := strValidity(mem, a)
	return w.finish(in.n, valid, nulls)
}

// strLitString returns the value of e when it is a string literal; null
// reports a NULL literal.
func strLitString(e Expr) (v string, null, ok bool) {
	l, isLit := e.(*Literal)
	if !isLit {
		return "", false, false
	}
	if !l.Value.IsValid() {
		return "", true, true
	}
	switch l.Value.DataType().ID() {
	case arrow.STRING, arrow.LARGE_STRING:
		return string(l.Value.(scalar.BinaryScalar).Data()), false, true
	}
	return "", false, false
}

// SubstringExpr is substring(x, pos[, len]) with Spark's rules: positions
// count characters from 1, pos 0 is treated as 1, a negative pos counts from
// the end, and a range outside the string yields the part inside it (often
// the empty string).
type SubstringExpr struct {
	X, Pos Expr
	Len    Expr // nil: to the end of the string
}

// Substring is substring(x, pos, length); length may be nil for "to the end".
// pos and length are integer expressions, usually literals.
func Substring(x, pos, length Expr) *SubstringExpr {
	return &SubstringExpr{X: x, Pos: pos, Len: length}
}

func (e *SubstringExpr) String() string {
	if e.Len == nil {
		return fmt.Sprintf("substring(%s, %s)", e.X, e.Pos)
	}
	return fmt.Sprintf("substring(%s, %s, %s)", e.X, e.Pos, e.Len)
}

func (e *SubstringExpr) Children() []Expr {
	if e.Len == nil {
		return []Expr{e.X, e.Pos}
	}
	return []Expr{e.X, e.Pos, e.Len}
}

func (e *SubstringExpr) WithChildren(c []Expr) Expr {
	n := &SubstringExpr{X: c[0], Pos: c[1]}
	if len(c) > 2 {
		n.Len = c[2]
	}
	return n
}

func (e *SubstringExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	if err := strArgTypes(e.String(), s, e.X); err != nil {
		return nil, err
	}
	for _, a := range e.Children()[1:] {
		t, err := a.Type(s)
		if err != nil {
			return nil, err
		}
		if !arrow.IsInteger(t.ID()) && t.ID() != arrow.NULL {
			return nil, &TypeError{Expr: e.String(), Types: []arrow.DataType{t}, Msg: "position and length must be integers"}
		}
	}
	return arrow.BinaryTypes.String, nil
}

// strIntArg is an integer argument: a constant, or one int64 per row.
type strIntArg struct {
	c    int64
	vals []int64
	arr  arrow.Array // the int64 array behind vals, nil for a constant
	null bool        // a NULL constant
}

func strEvalInt(ctx *Context, e Expr, rec arrow.RecordBatch, dflt int64) (strIntArg, error) {
	if e == nil {
		return strIntArg{c: dflt}, nil
	}
	if l, ok := e.(*Literal); ok {
		if !l.Value.IsValid() {
			return strIntArg{null: true}, nil
		}
		c, err := l.Value.CastTo(arrow.PrimitiveTypes.Int64)
		if err != nil {
			return strIntArg{}, fmt.Errorf("%s: %w", e, err)
		}
		return strIntArg{c: c.(*scalar.Int64).Value}, nil
	}
	a, err := e.Eval(ctx, rec)
	if err != nil {
		return strIntArg{}, err
	}
	defer a.Release()
	c, err := compute.CastArray(ctx.ComputeCtx(), a, compute.SafeCastOptions(arrow.PrimitiveTypes.Int64))
	if err != nil {
		return strIntArg{}, fmt.Errorf("%s: %w", e, err)
	}
	return strIntArg{vals: c.(*array.Int64).Int64Values(), arr: c}, nil
}

func (a strIntArg) release() {
	if a.arr != nil {
		a.arr.Release()
	}
}

func (e *SubstringExpr) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	if _, err := e.Type(rec.Schema()); err != nil {
		return nil, err
	}
	pos, err := strEvalInt(ctx, e.Pos, rec, 1)
	if err != nil {
		return nil, err
	}
	defer pos.release()
	length, err := strEvalInt(ctx, e.Len, rec, math.MaxInt64)
	if err != nil {
		return nil, err
	}
	defer length.release()
	if pos.null || length.null {
		return array.MakeArrayOfNull(ctx.Mem, arrow.BinaryTypes.String, int(rec.NumRows())), nil
	}
	x, err := strEval(ctx, e.X, rec)
	if err != nil {
		return nil, err
	}
	defer x.Release()
	in := newStrIn(x)
	ascii := strASCII(in.bytes())
	w := newStrOut(ctx.Mem, in.n, len(in.bytes()))
	p, l := pos.c, length.c
	for i := 0; i < in.n; i++ {
		if pos.vals != nil {
			p = pos.vals[i]
		}
		if length.vals != nil {
			l = length.vals[i]
		}
		s := in.data[in.offs[i]:in.offs[i+1]]
		lo, hi := strSubstrRange(s, p, l, ascii)
		w.n += copy(w.data[w.n:], s[lo:hi])
		w.offs[i+1] = int32(w.n)
	}
	valid, nulls := strAndValidity(ctx.Mem, in.n, x, pos.arr, length.arr)
	return w.finish(in.n, valid, nulls)
}

// strSubstrRange returns the byte range of Spark's substring(s, pos, length)
// (UTF8String.substringSQL).
func strSubstrRange(s []byte, pos, length int64, ascii bool) (lo, hi int) {
	var start int64
	switch {
	case pos > 0:
		start = pos - 1
	case pos < 0:
		n := len(s)
		if !ascii {
			n = utf8.RuneCount(s)
		}
		start = int64(n) + pos
	}
	end := start + length
	if length > 0 && end < start {
		end = math.MaxInt64
	}
	start = max(start, 0)
	if start >= end {
		return 0, 0
	}
	if ascii {
		n := int64(len(s))
		return int(min(start, n)), int(min(end, n))
	}
	lo = strCharIndex(s, 0, start)
	return lo, strCharIndex(s, lo, end-start)
}

// strCharIndex returns the byte index k characters after byte index from,
// clamped to len(s).
func strCharIndex(s []byte, from int, k int64) int {
	i := from
	for ; k > 0 && i < len(s); k-- {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, size := utf8.DecodeRune(s[i:])
		i += size
	}
	return i
}

// ConcatExpr is concat(x, ...): the arguments one after the other, NULL when
// any argument is NULL (Spark's concat; concat_ws is not this).
type ConcatExpr struct {
	Args []Expr
}

// Concat is concat(xs...). With no arguments every row is the empty string.
func Concat(xs ...Expr) *ConcatExpr { return &ConcatExpr{Args: xs} }

func (e *ConcatExpr) String() string {
	parts := make([]string, len(e.Args))
	for i, a := range e.Args {
		parts[i] = a.String()
	}
	return "concat(" + strings.Join(parts, ", ") + ")"
}

func (e *ConcatExpr) Children() []Expr           { return e.Args }
func (e *ConcatExpr) WithChildren(c []Expr) Expr { return &ConcatExpr{Args: c} }

func (e *ConcatExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	if err := strArgTypes(e.String(), s, e.Args...); err != nil {
		return nil, err
	}
	return arrow.BinaryTypes.String, nil
}

// strPart is one concat argument: a constant (offs == nil) or a column.
type strPart struct {
	lit  []byte
	offs []int32
	data []byte
}

func (e *ConcatExpr) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	if _, err := e.Type(rec.Schema()); err != nil {
		return nil, err
	}
	n := int(rec.NumRows())
	parts := make([]strPart, 0, len(e.Args))
	cols := make([]arrow.Array, 0, len(e.Args))
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	size := 0
	for _, a := range e.Args {
		if v, null, ok := strLitString(a); ok {
			if null {
				return array.MakeArrayOfNull(ctx.Mem, arrow.BinaryTypes.String, n), nil
			}
			parts = append(parts, strPart{lit: []byte(v)})
			size += n * len(v)
			continue
		}
		c, err := strEval(ctx, a, rec)
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
		in := newStrIn(c)
		parts = append(parts, strPart{offs: in.offs, data: in.data})
		size += len(in.bytes())
	}
	valid, nulls := strAndValidity(ctx.Mem, n, cols...)
	var bits []byte
	if valid != nil {
		bits = valid.Bytes()
	}
	w := newStrOut(ctx.Mem, n, size)
	for i := range n {
		if bits == nil || bitutil.BitIsSet(bits, i) {
			for _, p := range parts {
				if p.offs == nil {
					w.n += copy(w.data[w.n:], p.lit)
				} else {
					w.n += copy(w.data[w.n:], p.data[p.offs[i]:p.offs[i+1]])
				}
			}
		}
		w.offs[i+1] = int32(w.n)
	}
	return w.finish(n, valid, nulls)
}
