package expr

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Type helpers shared by the operators of this package: which types count as
// numeric, how two types promote to a common one, and how operands are
// evaluated to compute datums (a scalar for a literal, an array otherwise) so a
// constant is never broadcast to a full column just to be combined with one.

// Generic constraints for the typed loops over fixed-width values.
type (
	integerT interface {
		~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
	}
	floatT  interface{ ~float32 | ~float64 }
	numberT interface{ integerT | floatT }
)

// IsNumeric reports whether dt is an integer or a float32/float64 type.
func IsNumeric(dt arrow.DataType) bool {
	return arrow.IsInteger(dt.ID()) || dt.ID() == arrow.FLOAT32 || dt.ID() == arrow.FLOAT64
}

// IsStringLike reports whether dt is utf8 or large_utf8.
func IsStringLike(dt arrow.DataType) bool {
	return dt.ID() == arrow.STRING || dt.ID() == arrow.LARGE_STRING
}

// IsBinary reports whether dt is binary or large_binary.
func IsBinary(dt arrow.DataType) bool {
	return dt.ID() == arrow.BINARY || dt.ID() == arrow.LARGE_BINARY
}

func isNullType(dt arrow.DataType) bool { return dt.ID() == arrow.NULL }

// intWidth is the byte width of an integer type.
func intWidth(id arrow.Type) int {
	switch id {
	case arrow.INT8, arrow.UINT8:
		return 1
	case arrow.INT16, arrow.UINT16:
		return 2
	case arrow.INT32, arrow.UINT32:
		return 4
	}
	return 8
}

var signedBySize = map[int]arrow.DataType{
	1: arrow.PrimitiveTypes.Int8, 2: arrow.PrimitiveTypes.Int16,
	4: arrow.PrimitiveTypes.Int32, 8: arrow.PrimitiveTypes.Int64,
}

// CommonType returns the type both a and b convert to without losing range,
// as Spark's type widening does:
//   - identical types, and NULL with anything, give that type;
//   - integers widen to the wider integer; a signed and an unsigned integer give
//     a signed integer wider than the unsigned one (int64 at most);
//   - float32 with float32 stays float32; any other mix involving a float
//     (including an integer with float32) gives float64;
//   - utf8 with large_utf8 gives large_utf8, binary with large_binary gives
//     large_binary;
//   - date32 with a timestamp gives the timestamp; two timestamps give the finer
//     unit (and a's time zone, or b's when a has none).
//
// ok is false when the types have no common type.
func CommonType(a, b arrow.DataType) (dt arrow.DataType, ok bool) {
	switch {
	case arrow.TypeEqual(a, b):
		return a, true
	case isNullType(a):
		return b, true
	case isNullType(b):
		return a, true
	case IsNumeric(a) && IsNumeric(b):
		return commonNumeric(a, b), true
	case IsStringLike(a) && IsStringLike(b):
		return arrow.BinaryTypes.LargeString, true
	case IsBinary(a) && IsBinary(b):
		return arrow.BinaryTypes.LargeBinary, true
	}
	ta, aTS := a.(*arrow.TimestampType)
	tb, bTS := b.(*arrow.TimestampType)
	switch {
	case aTS && bTS:
		out := &arrow.TimestampType{Unit: max(ta.Unit, tb.Unit), TimeZone: ta.TimeZone}
		if out.TimeZone == "" {
			out.TimeZone = tb.TimeZone
		}
		return out, true
	case aTS && b.ID() == arrow.DATE32:
		return a, true
	case bTS && a.ID() == arrow.DATE32:
		return b, true
	}
	return nil, false
}

func commonNumeric(a, b arrow.DataType) arrow.DataType {
	ai, bi := arrow.IsInteger(a.ID()), arrow.IsInteger(b.ID())
	if !ai || !bi {
		if a.ID() == arrow.FLOAT32 && b.ID() == arrow.FLOAT32 {
			return a
		}
		return arrow.PrimitiveTypes.Float64
	}
	as, bs := arrow.IsSignedInteger(a.ID()), arrow.IsSignedInteger(b.ID())
	wa, wb := intWidth(a.ID()), intWidth(b.ID())
	if as == bs {
		if wa >= wb {
			return a
		}
		return b
	}
	// One signed, one unsigned: a signed type strictly wider than the unsigned.
	ws, wu := wa, wb
	if !as {
		ws, wu = wb, wa
	}
	w := max(ws, min(2*wu, 8))
	return signedBySize[w]
}

// comparisonType is the type two operands of a comparison (or of IN) are
// compared as: their CommonType, or, as Spark coerces, a date or timestamp
// when the other side is a string, and binary when a string meets binary.
func comparisonType(a, b arrow.DataType) (arrow.DataType, bool) {
	if dt, ok := CommonType(a, b); ok {
		return dt, true
	}
	isTemporal := func(t arrow.DataType) bool {
		return t.ID() == arrow.DATE32 || t.ID() == arrow.TIMESTAMP
	}
	switch {
	case IsStringLike(a) && isTemporal(b):
		return b, true
	case IsStringLike(b) && isTemporal(a):
		return a, true
	case IsStringLike(a) && IsBinary(b):
		return b, true
	case IsBinary(a) && IsStringLike(b):
		return a, true
	}
	return nil, false
}

// childTypes resolves the types of es against s.
func childTypes(s *arrow.Schema, es ...Expr) ([]arrow.DataType, error) {
	out := make([]arrow.DataType, len(es))
	for i, e := range es {
		t, err := e.Type(s)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// evalDatum evaluates e over rec: a scalar datum for a literal (possibly under
// aliases), an array datum otherwise. The caller releases the datum.
func evalDatum(ctx *Context, e Expr, rec arrow.RecordBatch) (compute.Datum, error) {
	if l, ok := Unalias(e).(*Literal); ok {
		return compute.NewDatum(l.Value), nil
	}
	arr, err := e.Eval(ctx, rec)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	return compute.NewDatum(arr), nil
}

// evalAs evaluates e over rec and casts the result to dt with CAST semantics.
// The caller releases the datum.
func evalAs(ctx *Context, e Expr, rec arrow.RecordBatch, dt arrow.DataType) (compute.Datum, error) {
	d, err := evalDatum(ctx, e, rec)
	if err != nil {
		return nil, err
	}
	return castDatum(ctx, d, dt)
}

// evalArrayAs evaluates e over rec as an array of rec.NumRows() values of type
// dt. The caller releases the array.
func evalArrayAs(ctx *Context, e Expr, rec arrow.RecordBatch, dt arrow.DataType) (arrow.Array, error) {
	d, err := evalAs(ctx, e, rec, dt)
	if err != nil {
		return nil, err
	}
	return datumToArray(ctx, d, int(rec.NumRows()))
}

// castDatum converts d to dt with CAST semantics. It takes over d: the
// returned datum replaces it and d must not be released by the caller.
func castDatum(ctx *Context, d compute.Datum, dt arrow.DataType) (compute.Datum, error) {
	if arrow.TypeEqual(datumType(d), dt) {
		return d, nil
	}
	defer d.Release()
	switch v := d.(type) {
	case *compute.ScalarDatum:
		s, err := castScalar(ctx, v.Value, dt)
		if err != nil {
			return nil, err
		}
		return compute.NewDatum(s), nil
	case *compute.ArrayDatum:
		in := v.MakeArray()
		defer in.Release()
		out, err := castArray(ctx, in, dt)
		if err != nil {
			return nil, err
		}
		defer out.Release()
		return compute.NewDatum(out), nil
	}
	return nil, fmt.Errorf("cast: unexpected datum kind %s", d.Kind())
}

// castScalar converts s to dt with CAST semantics, by casting a one-row array.
// The result owns its memory (Go memory), so it can outlive the allocator.
func castScalar(ctx *Context, s scalar.Scalar, dt arrow.DataType) (scalar.Scalar, error) {
	if !s.IsValid() {
		return scalar.MakeNullScalar(dt), nil
	}
	arr, err := scalar.MakeArrayFromScalar(s, 1, ctx.Mem)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	out, err := castArray(ctx, arr, dt)
	if err != nil {
		return nil, err
	}
	defer out.Release()
	return ownedScalar(out, 0)
}

// ownedScalar returns the value at row i of arr as a scalar whose bytes live
// in Go memory, independent of arr's allocator.
func ownedScalar(arr arrow.Array, i int) (scalar.Scalar, error) {
	if arr.IsNull(i) {
		return scalar.MakeNullScalar(arr.DataType()), nil
	}
	switch a := arr.(type) {
	case *array.String:
		return scalar.NewStringScalar(strings.Clone(a.Value(i))), nil
	case *array.LargeString:
		return scalar.NewLargeStringScalar(strings.Clone(a.Value(i))), nil
	case *array.Binary:
		return scalar.NewBinaryScalar(memory.NewBufferBytes(append([]byte(nil), a.Value(i)...)), a.DataType()), nil
	case *array.LargeBinary:
		return scalar.NewLargeBinaryScalar(memory.NewBufferBytes(append([]byte(nil), a.Value(i)...))), nil
	}
	return scalar.GetScalar(arr, i)
}

func datumType(d compute.Datum) arrow.DataType {
	return d.(compute.ArrayLikeDatum).Type()
}

// datumToArray returns d as an array of n rows, broadcasting a scalar. It
// takes over d. The caller releases the array.
func datumToArray(ctx *Context, d compute.Datum, n int) (arrow.Array, error) {
	defer d.Release()
	switch v := d.(type) {
	case *compute.ArrayDatum:
		return v.MakeArray(), nil
	case *compute.ScalarDatum:
		return scalar.MakeArrayFromScalar(v.Value, n, ctx.Mem)
	}
	return nil, fmt.Errorf("unexpected datum kind %s", d.Kind())
}

// callFunction runs an arrow compute function with the evaluation allocator.
func callFunction(ctx *Context, name string, opts compute.FunctionOptions, args ...compute.Datum) (compute.Datum, error) {
	return compute.CallFunction(ctx.ComputeCtx(), name, opts, args...)
}

// releaseDatums releases every non-nil datum.
func releaseDatums(ds ...compute.Datum) {
	for _, d := range ds {
		if d != nil {
			d.Release()
		}
	}
}

// vecValues returns the values of a fixed-width array as a []T of
// arr.Len() elements, offset applied.
func vecValues[T arrow.FixedWidthType](arr arrow.Array) []T {
	buf := arr.Data().Buffers()[1]
	if buf == nil || arr.Len() == 0 {
		return nil
	}
	off := arr.Data().Offset()
	return arrow.GetData[T](buf.Bytes())[off : off+arr.Len()]
}

// vecScalar returns the value of a valid primitive scalar of Go type T.
func vecScalar[T arrow.FixedWidthType](s scalar.Scalar) T {
	return arrow.GetData[T](s.(scalar.PrimitiveScalar).Data())[0]
}

// vecValidity returns arr's validity bitmap and bit offset; bits is nil when
// every value is valid. It reads the null count without computing it, so it
// never writes to an array other goroutines may be reading.
func vecValidity(arr arrow.Array) (bits []byte, off int) {
	d := arr.Data()
	if d.NullN() == 0 || len(d.Buffers()) == 0 || d.Buffers()[0] == nil {
		return nil, 0
	}
	return d.Buffers()[0].Bytes(), d.Offset()
}

// vecAlloc allocates a zeroed buffer of n values of type T.
func vecAlloc[T arrow.FixedWidthType](mem memory.Allocator, n int) (*memory.Buffer, []T) {
	var zero T
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * int(unsafe.Sizeof(zero)))
	b := buf.Bytes()
	clear(b)
	return buf, arrow.GetData[T](b)[:n]
}

// vecAllocFull allocates a buffer of n values of type T for a loop that
// writes every one: unlike vecAlloc it does not clear it first.
func vecAllocFull[T arrow.FixedWidthType](mem memory.Allocator, n int) (*memory.Buffer, []T) {
	var zero T
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * int(unsafe.Sizeof(zero)))
	return buf, arrow.GetData[T](buf.Bytes())[:n]
}

// vecBitmap allocates a bitmap of n bits, all set when set is true.
func vecBitmap(mem memory.Allocator, n int, set bool) (*memory.Buffer, []byte) {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(n))))
	b := buf.Bytes()
	if !set {
		clear(b) // a memclr, several times faster than the loop below
		return buf, b
	}
	for i := range b {
		b[i] = 0xff
	}
	return buf, b
}

// vecCopyValidity returns a fresh copy of arr's validity bitmap starting at bit 0,
// or nil when arr has no nulls.
func vecCopyValidity(mem memory.Allocator, arr arrow.Array) *memory.Buffer {
	bits, off := vecValidity(arr)
	if bits == nil {
		return nil
	}
	buf, b := vecBitmap(mem, arr.Len(), false)
	bitutil.CopyBitmap(bits, off, arr.Len(), b, 0)
	return buf
}

// vecArray assembles an array of n values from a validity bitmap (nil for
// none) and a value buffer, releasing both buffers.
func vecArray(dt arrow.DataType, n int, valid, values *memory.Buffer) arrow.Array {
	nulls := 0
	if valid != nil {
		nulls = array.UnknownNullCount
		defer valid.Release()
	}
	defer values.Release()
	data := array.NewData(dt, n, []*memory.Buffer{valid, values}, nil, nulls, 0)
	defer data.Release()
	return array.MakeFromData(data)
}
