package expr

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var _ Expr = (*CastExpr)(nil)

// CastExpr is CAST(x AS type) with Spark's non-ANSI semantics: a string that
// does not parse becomes NULL, integer narrowing wraps, float to integer
// truncates toward zero and saturates (NaN becomes 0).
//
// Supported conversions: between the integer and float types and boolean;
// string to and from numbers, boolean, date32 and timestamp; string and
// binary to each other; date32 to and from timestamp; timestamp to a different
// unit or zone; timestamp to and from numbers (seconds since the epoch, as
// Spark does). NULL casts to anything. A timestamp without a time zone is read
// as UTC.
type CastExpr struct {
	X  Expr
	To arrow.DataType
}

// Cast returns CAST(x AS to).
func Cast(x Expr, to arrow.DataType) *CastExpr { return &CastExpr{X: x, To: to} }

func (c *CastExpr) String() string {
	return "CAST(" + c.X.String() + " AS " + SQLTypeName(c.To) + ")"
}
func (c *CastExpr) Children() []Expr           { return []Expr{c.X} }
func (c *CastExpr) WithChildren(k []Expr) Expr { return &CastExpr{X: k[0], To: c.To} }

func (c *CastExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	from, err := c.X.Type(s)
	if err != nil {
		return nil, err
	}
	if !CanCast(from, c.To) {
		return nil, &TypeError{Expr: c.String(), Types: []arrow.DataType{from, c.To}, Msg: "unsupported cast"}
	}
	return c.To, nil
}

func (c *CastExpr) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	if _, err := c.Type(rec.Schema()); err != nil {
		return nil, err
	}
	d, err := evalAs(ctx, c.X, rec, c.To)
	if err != nil {
		return nil, err
	}
	return datumToArray(ctx, d, int(rec.NumRows()))
}

// SQLTypeName renders dt as Spark SQL names it (BIGINT, DOUBLE, STRING, ...);
// types Spark lacks keep Arrow's name.
func SQLTypeName(dt arrow.DataType) string {
	switch dt.ID() {
	case arrow.BOOL:
		return "BOOLEAN"
	case arrow.INT8:
		return "TINYINT"
	case arrow.INT16:
		return "SMALLINT"
	case arrow.INT32:
		return "INT"
	case arrow.INT64:
		return "BIGINT"
	case arrow.FLOAT32:
		return "FLOAT"
	case arrow.FLOAT64:
		return "DOUBLE"
	case arrow.STRING, arrow.LARGE_STRING:
		return "STRING"
	case arrow.BINARY, arrow.LARGE_BINARY:
		return "BINARY"
	case arrow.DATE32:
		return "DATE"
	case arrow.TIMESTAMP:
		return "TIMESTAMP"
	case arrow.NULL:
		return "NULL"
	}
	return dt.String()
}

// CanCast reports whether CAST from one type to another is supported.
func CanCast(from, to arrow.DataType) bool {
	if arrow.TypeEqual(from, to) || isNullType(from) {
		return true
	}
	num := func(t arrow.DataType) bool { return IsNumeric(t) || t.ID() == arrow.BOOL }
	temporal := func(t arrow.DataType) bool { return t.ID() == arrow.DATE32 || t.ID() == arrow.TIMESTAMP }
	switch {
	case IsStringLike(to):
		return num(from) || temporal(from) || IsStringLike(from) || IsBinary(from)
	case IsStringLike(from):
		return num(to) || temporal(to) || IsBinary(to)
	case IsBinary(to):
		return IsBinary(from)
	case num(from) && num(to):
		return true
	case temporal(from) && temporal(to):
		return true
	case from.ID() == arrow.TIMESTAMP:
		return IsNumeric(to)
	case to.ID() == arrow.TIMESTAMP:
		return IsNumeric(from)
	}
	return false
}

// castArray converts arr to type to with CAST semantics. The caller releases
// the result.
func castArray(ctx *Context, arr arrow.Array, to arrow.DataType) (arrow.Array, error) {
	from := arr.DataType()
	if arrow.TypeEqual(from, to) {
		arr.Retain()
		return arr, nil
	}
	if !CanCast(from, to) {
		return nil, &TypeError{Expr: "CAST(... AS " + SQLTypeName(to) + ")", Types: []arrow.DataType{from, to}, Msg: "unsupported cast"}
	}
	mem := ctx.Mem
	switch {
	case isNullType(from):
		return array.MakeArrayOfNull(mem, to, arr.Len()), nil
	case arrow.IsBaseBinary(from.ID()) && arrow.IsBaseBinary(to.ID()):
		return castBaseBinary(ctx, arr, to)
	case IsStringLike(to):
		return formatArray(mem, arr, to)
	case IsStringLike(from):
		return parseArray(mem, arr, to)
	case to.ID() == arrow.BOOL:
		return numToBool(mem, arr), nil
	case IsNumeric(to):
		return castToNumber(mem, arr, to), nil
	case to.ID() == arrow.TIMESTAMP:
		return castToTimestamp(mem, arr, to.(*arrow.TimestampType))
	case to.ID() == arrow.DATE32:
		return timestampToDate(mem, arr)
	}
	// Type refuses every pair CanCast rejects, so only a caller that skipped
	// Type gets here.
	return nil, fmt.Errorf("cast %s to %s: unsupported (CanCast is false)", from, to)
}

// reinterpret returns arr's buffers under another type of the same layout.
func reinterpret(arr arrow.Array, to arrow.DataType) arrow.Array {
	d := arr.Data()
	data := array.NewData(to, d.Len(), d.Buffers(), nil, d.NullN(), d.Offset())
	defer data.Release()
	return array.MakeFromData(data)
}

// castBaseBinary converts between utf8, large_utf8, binary and large_binary.
// Bytes are never validated as UTF-8 (as Spark), only offsets are widened or
// narrowed when the widths differ.
func castBaseBinary(ctx *Context, arr arrow.Array, to arrow.DataType) (arrow.Array, error) {
	fromLarge := arrow.IsLargeBinaryLike(arr.DataType().ID())
	toLarge := arrow.IsLargeBinaryLike(to.ID())
	if fromLarge == toLarge {
		return reinterpret(arr, to), nil
	}
	var src, dst arrow.DataType = arrow.BinaryTypes.Binary, arrow.BinaryTypes.LargeBinary
	if fromLarge {
		src, dst = dst, src
	}
	in := reinterpret(arr, src)
	defer in.Release()
	out, err := compute.CastArray(ctx.ComputeCtx(), in, compute.SafeCastOptions(dst))
	if err != nil {
		return nil, err
	}
	defer out.Release()
	return reinterpret(out, to), nil
}

// castToNumber converts a numeric, boolean or timestamp array to the numeric
// type to.
func castToNumber(mem memory.Allocator, arr arrow.Array, to arrow.DataType) arrow.Array {
	switch to.ID() {
	case arrow.INT8:
		return castNumTo[int8](mem, arr, to)
	case arrow.INT16:
		return castNumTo[int16](mem, arr, to)
	case arrow.INT32:
		return castNumTo[int32](mem, arr, to)
	case arrow.INT64:
		return castNumTo[int64](mem, arr, to)
	case arrow.UINT8:
		return castNumTo[uint8](mem, arr, to)
	case arrow.UINT16:
		return castNumTo[uint16](mem, arr, to)
	case arrow.UINT32:
		return castNumTo[uint32](mem, arr, to)
	case arrow.UINT64:
		return castNumTo[uint64](mem, arr, to)
	case arrow.FLOAT32:
		return castNumTo[float32](mem, arr, to)
	default:
		return castNumTo[float64](mem, arr, to)
	}
}

func castNumTo[D numberT](mem memory.Allocator, arr arrow.Array, to arrow.DataType) arrow.Array {
	n := arr.Len()
	buf, out := vecAlloc[D](mem, n)
	switch arr.DataType().ID() {
	case arrow.INT8:
		castInts(vecValues[int8](arr), out)
	case arrow.INT16:
		castInts(vecValues[int16](arr), out)
	case arrow.INT32:
		castInts(vecValues[int32](arr), out)
	case arrow.INT64:
		castInts(vecValues[int64](arr), out)
	case arrow.UINT8:
		castInts(vecValues[uint8](arr), out)
	case arrow.UINT16:
		castInts(vecValues[uint16](arr), out)
	case arrow.UINT32:
		castInts(vecValues[uint32](arr), out)
	case arrow.UINT64:
		castInts(vecValues[uint64](arr), out)
	case arrow.FLOAT32:
		castFloats(vecValues[float32](arr), out)
	case arrow.FLOAT64:
		castFloats(vecValues[float64](arr), out)
	case arrow.BOOL:
		bits, off := arr.Data().Buffers()[1].Bytes(), arr.Data().Offset()
		for i := range out {
			if bitutil.BitIsSet(bits, off+i) {
				out[i] = 1
			}
		}
	case arrow.TIMESTAMP:
		timestampToNumber(vecValues[int64](arr), calUnitsPerSecond(arr.DataType().(*arrow.TimestampType).Unit), out)
	}
	return vecArray(to, n, vecCopyValidity(mem, arr), buf)
}

func castInts[S integerT, D numberT](src []S, dst []D) {
	for i, v := range src {
		dst[i] = D(v)
	}
}

func isFloatT[T numberT]() bool {
	var zero T
	switch any(zero).(type) {
	case float32, float64:
		return true
	}
	return false
}

// castFloats converts floats. To an integer type it truncates toward zero
// and, as Spark (Scala's toInt/toLong) does, saturates at the int32 range for
// types of 32 bits or fewer and at the int64 range otherwise, NaN giving 0;
// types narrower than 32 bits then wrap.
func castFloats[S floatT, D numberT](src []S, dst []D) {
	var zero D
	switch {
	case isFloatT[D]():
		for i, v := range src {
			dst[i] = D(v)
		}
	case unsafe.Sizeof(zero) < 8 && any(zero) != any(uint32(0)):
		for i, v := range src {
			dst[i] = D(int32(castSaturate(float64(v), math.MinInt32, math.MaxInt32)))
		}
	default:
		for i, v := range src {
			dst[i] = D(castSaturate(float64(v), math.MinInt64, math.MaxInt64))
		}
	}
}

// castSaturate truncates f toward zero and clamps it to [lo, hi]; NaN is 0.
func castSaturate(f float64, lo, hi int64) int64 {
	switch {
	case f != f:
		return 0
	case f >= float64(hi):
		return hi
	case f <= float64(lo):
		return lo
	}
	return int64(f)
}

// timestampToNumber converts timestamps to seconds since the epoch: floored
// for integer targets, with the fraction for float targets.
func timestampToNumber[D numberT](src []int64, perSec int64, dst []D) {
	if isFloatT[D]() {
		for i, v := range src {
			dst[i] = D(float64(v) / float64(perSec))
		}
		return
	}
	for i, v := range src {
		dst[i] = D(calFloorDiv(v, perSec))
	}
}

func numToBool(mem memory.Allocator, arr arrow.Array) arrow.Array {
	n := arr.Len()
	buf, bits := vecBitmap(mem, n, false)
	switch arr.DataType().ID() {
	case arrow.INT8:
		castNonZero(vecValues[int8](arr), bits)
	case arrow.INT16:
		castNonZero(vecValues[int16](arr), bits)
	case arrow.INT32:
		castNonZero(vecValues[int32](arr), bits)
	case arrow.INT64:
		castNonZero(vecValues[int64](arr), bits)
	case arrow.UINT8:
		castNonZero(vecValues[uint8](arr), bits)
	case arrow.UINT16:
		castNonZero(vecValues[uint16](arr), bits)
	case arrow.UINT32:
		castNonZero(vecValues[uint32](arr), bits)
	case arrow.UINT64:
		castNonZero(vecValues[uint64](arr), bits)
	case arrow.FLOAT32:
		castNonZero(vecValues[float32](arr), bits)
	case arrow.FLOAT64:
		castNonZero(vecValues[float64](arr), bits)
	}
	return vecArray(arrow.FixedWidthTypes.Boolean, n, vecCopyValidity(mem, arr), buf)
}

func castNonZero[T numberT](src []T, bits []byte) {
	for i, v := range src {
		if v != 0 {
			bitutil.SetBit(bits, i)
		}
	}
}

// castToTimestamp converts date32, timestamps of another unit or zone, and
// numbers (seconds since the epoch) to a timestamp.
func castToTimestamp(mem memory.Allocator, arr arrow.Array, to *arrow.TimestampType) (arrow.Array, error) {
	perSec := calUnitsPerSecond(to.Unit)
	switch from := arr.DataType().(type) {
	case *arrow.TimestampType:
		if from.Unit == to.Unit {
			return reinterpret(arr, to), nil
		}
		buf, out := vecAlloc[int64](mem, arr.Len())
		castRescale(vecValues[int64](arr), calUnitsPerSecond(from.Unit), perSec, out)
		return vecArray(to, arr.Len(), vecCopyValidity(mem, arr), buf), nil
	case *arrow.Date32Type:
		loc, err := tzLocation(to.TimeZone)
		if err != nil {
			return nil, err
		}
		buf, out := vecAlloc[int64](mem, arr.Len())
		for i, d := range vecValues[arrow.Date32](arr) {
			out[i] = dateToSeconds(int64(d), loc) * perSec
		}
		return vecArray(to, arr.Len(), vecCopyValidity(mem, arr), buf), nil
	case *arrow.Float32Type:
		return floatsToTimestamp(mem, vecValues[float32](arr), arr, to), nil
	case *arrow.Float64Type:
		return floatsToTimestamp(mem, vecValues[float64](arr), arr, to), nil
	}
	// Integers: seconds since the epoch, wrapping on overflow.
	secs := castToNumber(mem, arr, arrow.PrimitiveTypes.Int64)
	defer secs.Release()
	vals := vecValues[int64](secs)
	for i := range vals {
		vals[i] *= perSec
	}
	return reinterpret(secs, to), nil
}

// floatsToTimestamp converts seconds since the epoch to timestamps; NaN,
// infinities and values out of range become NULL.
func floatsToTimestamp[S floatT](mem memory.Allocator, src []S, arr arrow.Array, to *arrow.TimestampType) arrow.Array {
	perSec := float64(calUnitsPerSecond(to.Unit))
	valid, bits := vecBitmap(mem, arr.Len(), true)
	if vb, off := vecValidity(arr); vb != nil {
		bitutil.CopyBitmap(vb, off, arr.Len(), bits, 0)
	}
	buf, out := vecAlloc[int64](mem, arr.Len())
	for i, v := range src {
		f := float64(v) * perSec
		if f == f && f < math.MaxInt64 && f > math.MinInt64 {
			out[i] = int64(f)
		} else {
			bitutil.ClearBit(bits, i)
		}
	}
	return vecArray(to, arr.Len(), valid, buf)
}

func castRescale(src []int64, fromPerSec, toPerSec int64, out []int64) {
	switch {
	case fromPerSec == toPerSec:
		copy(out, src)
	case fromPerSec < toPerSec:
		k := toPerSec / fromPerSec
		for i, v := range src {
			out[i] = v * k
		}
	default:
		k := fromPerSec / toPerSec
		for i, v := range src {
			out[i] = calFloorDiv(v, k)
		}
	}
}

// timestampToDate converts timestamps to the date they fall on in their time
// zone (UTC when they have none).
func timestampToDate(mem memory.Allocator, arr arrow.Array) (arrow.Array, error) {
	ts := arr.DataType().(*arrow.TimestampType)
	loc, err := tzLocation(ts.TimeZone)
	if err != nil {
		return nil, err
	}
	perSec := calUnitsPerSecond(ts.Unit)
	n := arr.Len()
	buf, out := vecAlloc[arrow.Date32](mem, n)
	for i, v := range vecValues[int64](arr) {
		out[i] = arrow.Date32(secondsToDate(calFloorDiv(v, perSec), loc))
	}
	return vecArray(arrow.FixedWidthTypes.Date32, n, vecCopyValidity(mem, arr), buf), nil
}

// Calendar helpers.

func calUnitsPerSecond(u arrow.TimeUnit) int64 {
	switch u {
	case arrow.Millisecond:
		return 1e3
	case arrow.Microsecond:
		return 1e6
	case arrow.Nanosecond:
		return 1e9
	}
	return 1
}

func calFloorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// calDaysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (Howard Hinnant's algorithm).
func calDaysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := calFloorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// calCivilFromDays is the inverse of calDaysFromCivil.
func calCivilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := calFloorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func calDaysInMonth(y, m int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// dateToSeconds returns the epoch seconds of midnight of a date in loc.
func dateToSeconds(days int64, loc *time.Location) int64 {
	if loc == time.UTC {
		return days * 86400
	}
	y, m, d := calCivilFromDays(days)
	return time.Date(int(y), time.Month(m), int(d), 0, 0, 0, 0, loc).Unix()
}

// secondsToDate returns the date, in loc, of an instant in epoch seconds.
func secondsToDate(sec int64, loc *time.Location) int64 {
	if loc == time.UTC {
		return calFloorDiv(sec, 86400)
	}
	y, m, d := time.Unix(sec, 0).In(loc).Date()
	return calDaysFromCivil(int64(y), int64(m), int64(d))
}

// tzCache remembers resolved zones by name: a region or offset resolves to
// its *time.Location, an unknown name to the error it gave. Lookups with a
// string key do not allocate, so parsing zoned timestamps stays
// allocation-free per row.
var tzCache struct {
	sync.RWMutex
	m      map[string]tzEntry
	misses int
}

type tzEntry struct {
	loc *time.Location
	err error
}

// tzMaxMisses bounds how many unknown zone names are remembered, so garbage
// zones in parsed strings cannot grow the cache without limit.
const tzMaxMisses = 1024

// tzLocation resolves a time zone name: a region (Europe/Paris), UTC, or a
// fixed offset (+05:30). "" (a timestamp without a zone) is read as UTC.
func tzLocation(tz string) (*time.Location, error) {
	switch tz {
	case "", "UTC", "Z", "GMT", "Etc/UTC":
		return time.UTC, nil
	}
	tzCache.RLock()
	e, ok := tzCache.m[tz]
	tzCache.RUnlock()
	if ok {
		return e.loc, e.err
	}
	key := strings.Clone(tz) // tz may alias Arrow memory
	if off, ok := parseZoneOffset(key); ok {
		e.loc = time.FixedZone(key, int(off))
	} else if e.loc, e.err = time.LoadLocation(key); e.err != nil {
		e.loc, e.err = nil, fmt.Errorf("time zone %q: %w", key, e.err)
	}
	tzCache.Lock()
	defer tzCache.Unlock()
	if tzCache.m == nil {
		tzCache.m = make(map[string]tzEntry)
	}
	if e.err == nil || tzCache.misses < tzMaxMisses {
		if e.err != nil {
			tzCache.misses++
		}
		tzCache.m[key] = e
	}
	return e.loc, e.err
}
