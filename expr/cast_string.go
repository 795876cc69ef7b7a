package expr

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// CAST to and from strings, in the text forms Spark reads and writes: numbers
// as Java prints them (1.0, 1.0E10), dates as yyyy-MM-dd, timestamps as
// yyyy-MM-dd HH:mm:ss[.ffffff] in the type's time zone. Parsing never
// allocates per row; input that does not parse becomes NULL.

// formatArray renders a numeric, boolean, date32 or timestamp array as text.
func formatArray(mem memory.Allocator, arr arrow.Array, to arrow.DataType) (arrow.Array, error) {
	b := array.NewBinaryBuilder(mem, to.(arrow.BinaryDataType))
	defer b.Release()
	b.Reserve(arr.Len())
	switch dt := arr.DataType().(type) {
	case *arrow.Int8Type:
		formatLoop(b, arr, vecValues[int8](arr), appendInt[int8])
	case *arrow.Int16Type:
		formatLoop(b, arr, vecValues[int16](arr), appendInt[int16])
	case *arrow.Int32Type:
		formatLoop(b, arr, vecValues[int32](arr), appendInt[int32])
	case *arrow.Int64Type:
		formatLoop(b, arr, vecValues[int64](arr), appendInt[int64])
	case *arrow.Uint8Type:
		formatLoop(b, arr, vecValues[uint8](arr), appendUint[uint8])
	case *arrow.Uint16Type:
		formatLoop(b, arr, vecValues[uint16](arr), appendUint[uint16])
	case *arrow.Uint32Type:
		formatLoop(b, arr, vecValues[uint32](arr), appendUint[uint32])
	case *arrow.Uint64Type:
		formatLoop(b, arr, vecValues[uint64](arr), appendUint[uint64])
	case *arrow.Float32Type:
		formatLoop(b, arr, vecValues[float32](arr), func(buf []byte, v float32) []byte {
			return appendJavaFloat(buf, float64(v), 32)
		})
	case *arrow.Float64Type:
		formatLoop(b, arr, vecValues[float64](arr), func(buf []byte, v float64) []byte {
			return appendJavaFloat(buf, v, 64)
		})
	case *arrow.BooleanType:
		vals, off := arr.Data().Buffers()[1].Bytes(), arr.Data().Offset()
		for i := 0; i < arr.Len(); i++ {
			switch {
			case arr.IsNull(i):
				b.AppendNull()
			case bitutil.BitIsSet(vals, off+i):
				b.Append(trueText)
			default:
				b.Append(falseText)
			}
		}
	case *arrow.Date32Type:
		formatLoop(b, arr, vecValues[arrow.Date32](arr), func(buf []byte, v arrow.Date32) []byte {
			return appendDate(buf, int64(v))
		})
	case *arrow.TimestampType:
		loc, err := tzLocation(dt.TimeZone)
		if err != nil {
			return nil, err
		}
		perSec := calUnitsPerSecond(dt.Unit)
		formatLoop(b, arr, vecValues[int64](arr), func(buf []byte, v int64) []byte {
			return appendTimestamp(buf, v, perSec, loc)
		})
	}
	return finishBinary(b), nil
}

var trueText, falseText = []byte("true"), []byte("false")

func formatLoop[T any](b *array.BinaryBuilder, arr arrow.Array, vals []T, f func([]byte, T) []byte) {
	bits, off := vecValidity(arr)
	var buf []byte
	for i, v := range vals {
		if bits != nil && !bitutil.BitIsSet(bits, off+i) {
			b.AppendNull()
			continue
		}
		buf = f(buf[:0], v)
		b.Append(buf)
	}
}

// finishBinary returns the builder's array typed as its data type says
// (*array.String for utf8, not *array.Binary).
func finishBinary(b *array.BinaryBuilder) arrow.Array {
	a := b.NewArray()
	defer a.Release()
	return array.MakeFromData(a.Data())
}

func appendInt[T ~int8 | ~int16 | ~int32 | ~int64](buf []byte, v T) []byte {
	return strconv.AppendInt(buf, int64(v), 10)
}

func appendUint[T ~uint8 | ~uint16 | ~uint32 | ~uint64](buf []byte, v T) []byte {
	return strconv.AppendUint(buf, uint64(v), 10)
}

// appendJavaFloat formats f as Java's Double.toString (Float.toString for
// bitSize 32) does, which is what Spark prints: plain notation with at least
// one fractional digit for 1e-3 <= |f| < 1e7, otherwise d.dddE[-]n.
func appendJavaFloat(buf []byte, f float64, bitSize int) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "NaN"...)
	case math.IsInf(f, 1):
		return append(buf, "Infinity"...)
	case math.IsInf(f, -1):
		return append(buf, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(buf, "-0.0"...)
		}
		return append(buf, "0.0"...)
	}
	start := len(buf)
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		buf = strconv.AppendFloat(buf, f, 'f', -1, bitSize)
		if !containsByte(buf[start:], '.') {
			buf = append(buf, ".0"...)
		}
		return buf
	}
	buf = strconv.AppendFloat(buf, f, 'e', -1, bitSize) // -1.2345e+10, 1e-05
	e := start
	for buf[e] != 'e' {
		e++
	}
	var exp [8]byte
	expText := exp[:copy(exp[:], buf[e+1:])]
	buf = buf[:e]
	if !containsByte(buf[start:], '.') {
		buf = append(buf, ".0"...)
	}
	buf = append(buf, 'E')
	if expText[0] == '-' {
		buf = append(buf, '-')
	}
	expText = expText[1:]
	for len(expText) > 1 && expText[0] == '0' {
		expText = expText[1:]
	}
	return append(buf, expText...)
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

func appendDate(buf []byte, days int64) []byte {
	y, m, d := calCivilFromDays(days)
	if y >= 0 && y <= 9999 {
		buf = appendPadded(buf, y, 4)
	} else {
		buf = strconv.AppendInt(buf, y, 10)
	}
	buf = append(buf, '-')
	buf = appendPadded(buf, m, 2)
	buf = append(buf, '-')
	return appendPadded(buf, d, 2)
}

func appendPadded(buf []byte, v int64, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], v, 10)
	for i := len(s); i < width; i++ {
		buf = append(buf, '0')
	}
	return append(buf, s...)
}

// appendTimestamp formats v (perSec units since the epoch) as local time in
// loc: yyyy-MM-dd HH:mm:ss, then the fraction without trailing zeros.
func appendTimestamp(buf []byte, v, perSec int64, loc *time.Location) []byte {
	sec := calFloorDiv(v, perSec)
	nanos := (v - sec*perSec) * (1e9 / perSec)
	if loc != time.UTC {
		_, off := time.Unix(sec, 0).In(loc).Zone()
		sec += int64(off)
	}
	days := calFloorDiv(sec, 86400)
	rem := sec - days*86400
	buf = appendDate(buf, days)
	buf = append(buf, ' ')
	buf = appendPadded(buf, rem/3600, 2)
	buf = append(buf, ':')
	buf = appendPadded(buf, rem/60%60, 2)
	buf = append(buf, ':')
	buf = appendPadded(buf, rem%60, 2)
	if nanos == 0 {
		return buf
	}
	buf = append(buf, '.')
	start := len(buf)
	buf = appendPadded(buf, nanos, 9)
	end := len(buf)
	for end > start && buf[end-1] == '0' {
		end--
	}
	return buf[:end]
}

// stringVals reads the values of a utf8 (O = int32) or large_utf8 (O = int64)
// array without allocating.
type stringVals[O int32 | int64] struct {
	offs []O
	data []byte
}

func stringsOf[O int32 | int64](arr arrow.Array) stringVals[O] {
	d := arr.Data()
	var sv stringVals[O]
	if arr.Len() == 0 {
		return sv
	}
	sv.offs = arrow.GetData[O](d.Buffers()[1].Bytes())[d.Offset() : d.Offset()+arr.Len()+1]
	if b := d.Buffers()[2]; b != nil {
		sv.data = b.Bytes()
	}
	return sv
}

// at returns value i; the string aliases the array's memory and must not be
// retained.
func (s stringVals[O]) at(i int) string {
	b := s.data[s.offs[i]:s.offs[i+1]]
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// parseArray parses a utf8 or large_utf8 array into type to.
func parseArray(mem memory.Allocator, arr arrow.Array, to arrow.DataType) (arrow.Array, error) {
	if arr.DataType().ID() == arrow.LARGE_STRING {
		return parseStrings(mem, stringsOf[int64](arr), arr, to)
	}
	return parseStrings(mem, stringsOf[int32](arr), arr, to)
}

func parseStrings[O int32 | int64](mem memory.Allocator, sv stringVals[O], arr arrow.Array, to arrow.DataType) (arrow.Array, error) {
	switch to.ID() {
	case arrow.INT8:
		return parseLoop(mem, sv, arr, to, intParser[int8](math.MinInt8, math.MaxInt8)), nil
	case arrow.INT16:
		return parseLoop(mem, sv, arr, to, intParser[int16](math.MinInt16, math.MaxInt16)), nil
	case arrow.INT32:
		return parseLoop(mem, sv, arr, to, intParser[int32](math.MinInt32, math.MaxInt32)), nil
	case arrow.INT64:
		return parseLoop(mem, sv, arr, to, intParser[int64](math.MinInt64, math.MaxInt64)), nil
	case arrow.UINT8:
		return parseLoop(mem, sv, arr, to, intParser[uint8](0, math.MaxUint8)), nil
	case arrow.UINT16:
		return parseLoop(mem, sv, arr, to, intParser[uint16](0, math.MaxUint16)), nil
	case arrow.UINT32:
		return parseLoop(mem, sv, arr, to, intParser[uint32](0, math.MaxUint32)), nil
	case arrow.UINT64:
		return parseLoop(mem, sv, arr, to, intParser[uint64](0, math.MaxInt64)), nil
	case arrow.FLOAT32:
		return parseLoop(mem, sv, arr, to, parseFloat[float32]), nil
	case arrow.FLOAT64:
		return parseLoop(mem, sv, arr, to, parseFloat[float64]), nil
	case arrow.DATE32:
		return parseLoop(mem, sv, arr, to, parseDate), nil
	case arrow.TIMESTAMP:
		ts := to.(*arrow.TimestampType)
		loc, err := tzLocation(ts.TimeZone)
		if err != nil {
			return nil, err
		}
		perSec := calUnitsPerSecond(ts.Unit)
		return parseLoop(mem, sv, arr, to, func(s string) (int64, bool) {
			return parseTimestamp(s, perSec, loc)
		}), nil
	case arrow.BOOL:
		return parseBools(mem, sv, arr), nil
	}
	// Only reachable past Type, which refuses the targets CanCast rejects.
	return nil, errors.New("cast from string to " + to.String() + ": unsupported (CanCast is false)")
}

func parseLoop[T arrow.FixedWidthType, O int32 | int64](mem memory.Allocator, sv stringVals[O], arr arrow.Array, to arrow.DataType, parse func(string) (T, bool)) arrow.Array {
	n := arr.Len()
	valid, bits := vecBitmap(mem, n, false)
	buf, out := vecAlloc[T](mem, n)
	vb, voff := vecValidity(arr)
	for i := 0; i < n; i++ {
		if vb != nil && !bitutil.BitIsSet(vb, voff+i) {
			continue
		}
		if v, ok := parse(sv.at(i)); ok {
			out[i] = v
			bitutil.SetBit(bits, i)
		}
	}
	return vecArray(to, n, valid, buf)
}

func parseBools[O int32 | int64](mem memory.Allocator, sv stringVals[O], arr arrow.Array) arrow.Array {
	n := arr.Len()
	valid, vbits := vecBitmap(mem, n, false)
	buf, bits := vecBitmap(mem, n, false)
	inBits, off := vecValidity(arr)
	for i := 0; i < n; i++ {
		if inBits != nil && !bitutil.BitIsSet(inBits, off+i) {
			continue
		}
		if v, ok := parseBool(sv.at(i)); ok {
			bitutil.SetBit(vbits, i)
			if v {
				bitutil.SetBit(bits, i)
			}
		}
	}
	return vecArray(arrow.FixedWidthTypes.Boolean, n, valid, buf)
}

// trimControl trims spaces and control characters at both ends, as Spark's
// UTF8String.trimAll does before parsing.
func trimControl(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] <= ' ' {
		i++
	}
	for j > i && s[j-1] <= ' ' {
		j--
	}
	return s[i:j]
}

// parseLong parses an integer as Spark's UTF8String.toLong: optional sign,
// digits, and an optional '.' followed by digits that are dropped.
func parseLong(s string) (int64, bool) {
	s = trimControl(s)
	if s == "" {
		return 0, false
	}
	i, neg := 0, false
	if s[0] == '-' || s[0] == '+' {
		neg, i = s[0] == '-', 1
		if len(s) == 1 {
			return 0, false
		}
	}
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var acc uint64
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			i++
			break
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if acc > (limit-d)/10 {
			return 0, false
		}
		acc = acc*10 + d
	}
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	if neg {
		return -int64(acc), true
	}
	return int64(acc), true
}

// intParser parses integers in [lo, hi]; anything else is NULL.
func intParser[T integerT](lo, hi int64) func(string) (T, bool) {
	return func(s string) (T, bool) {
		v, ok := parseLong(s)
		if !ok || v < lo || v > hi {
			return 0, false
		}
		return T(v), true
	}
}

// parseFloat parses a float as Java does (a trailing d or f is allowed), plus
// Spark's case-insensitive inf, infinity and nan.
func parseFloat[T floatT](s string) (T, bool) {
	s = trimControl(s)
	if !floatSpecial(s) {
		if n := len(s); n > 1 {
			switch s[n-1] {
			case 'd', 'D', 'f', 'F':
				s = s[:n-1]
			}
		}
		if !floatSyntax(s) {
			return 0, false
		}
	}
	var zero T
	bitSize := 64
	if unsafe.Sizeof(zero) == 4 {
		bitSize = 32
	}
	v, err := strconv.ParseFloat(s, bitSize)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return T(v), true
}

// floatSyntax reports whether s is [+-] digits [. digits] [e [+-] digits] with
// at least one mantissa digit, so ParseFloat never fails (and allocates) on it.
func floatSyntax(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

func floatSpecial(s string) bool {
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return strings.EqualFold(s, "inf") || strings.EqualFold(s, "infinity") || strings.EqualFold(s, "nan")
}

// parseBool accepts, case-insensitively, t/true/y/yes/1 and f/false/n/no/0.
func parseBool(s string) (bool, bool) {
	s = trimControl(s)
	for _, t := range [...]string{"t", "true", "y", "yes", "1"} {
		if strings.EqualFold(s, t) {
			return true, true
		}
	}
	for _, f := range [...]string{"f", "false", "n", "no", "0"} {
		if strings.EqualFold(s, f) {
			return false, true
		}
	}
	return false, false
}

// digitsAt reads between minN and maxN decimal digits at s[i:].
func digitsAt(s string, i, minN, maxN int) (v int64, next int, ok bool) {
	j := i
	for j < len(s) && j-i < maxN && s[j] >= '0' && s[j] <= '9' {
		v = v*10 + int64(s[j]-'0')
		j++
	}
	return v, j, j-i >= minN
}

// parseYMD reads yyyy[-m[m][-d[d]]] at the start of s and returns the days
// since the epoch and the index after the date.
func parseYMD(s string) (days int64, next int, ok bool) {
	y, i, ok := digitsAt(s, 0, 4, 6)
	if !ok {
		return 0, 0, false
	}
	m, d := int64(1), int64(1)
	if i < len(s) && s[i] == '-' {
		if m, i, ok = digitsAt(s, i+1, 1, 2); !ok {
			return 0, 0, false
		}
		if i < len(s) && s[i] == '-' {
			if d, i, ok = digitsAt(s, i+1, 1, 2); !ok {
				return 0, 0, false
			}
		}
	}
	if m < 1 || m > 12 || d < 1 || d > calDaysInMonth(y, m) {
		return 0, 0, false
	}
	return calDaysFromCivil(y, m, d), i, true
}

// parseDate parses a date as Spark's stringToDate: yyyy, yyyy-[m]m,
// yyyy-[m]m-[d]d, optionally followed by ' ' or 'T' and anything.
func parseDate(s string) (arrow.Date32, bool) {
	s = trimControl(s)
	days, i, ok := parseYMD(s)
	if !ok || (i < len(s) && s[i] != ' ' && s[i] != 'T') {
		return 0, false
	}
	if days < math.MinInt32 || days > math.MaxInt32 {
		return 0, false
	}
	return arrow.Date32(days), true
}

// parseTimestamp parses yyyy-[m]m-[d]d[( |T)[h]h:[m]m[:[s]s[.fraction]]][zone]
// into perSec units since the epoch. zone is Z, UTC, GMT, [+-]hh[[:]mm] or a
// region such as Europe/Paris; without one the time is local to loc.
func parseTimestamp(s string, perSec int64, loc *time.Location) (int64, bool) {
	s = trimControl(s)
	days, i, ok := parseYMD(s)
	if !ok {
		return 0, false
	}
	var h, mi, sec, nanos int64
	if i < len(s) && (s[i] == ' ' || s[i] == 'T') && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
		if h, i, ok = digitsAt(s, i+1, 1, 2); !ok || i >= len(s) || s[i] != ':' {
			return 0, false
		}
		if mi, i, ok = digitsAt(s, i+1, 1, 2); !ok {
			return 0, false
		}
		if i < len(s) && s[i] == ':' {
			if sec, i, ok = digitsAt(s, i+1, 1, 2); !ok {
				return 0, false
			}
			if i < len(s) && s[i] == '.' {
				start := i + 1
				var frac int64
				if frac, i, ok = digitsAt(s, start, 1, 9); !ok {
					return 0, false
				}
				for n := i - start; n < 9; n++ {
					frac *= 10
				}
				nanos = frac
				for i < len(s) && s[i] >= '0' && s[i] <= '9' { // digits past nanoseconds
					i++
				}
			}
		}
	}
	if h > 23 || mi > 59 || sec > 59 {
		return 0, false
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	var epoch int64
	if zone := s[i:]; zone == "" && loc != time.UTC {
		y, m, d := calCivilFromDays(days)
		epoch = time.Date(int(y), time.Month(m), int(d), int(h), int(mi), int(sec), 0, loc).Unix()
	} else {
		off, ok := zoneOffset(zone, days, h, mi, sec)
		if !ok {
			return 0, false
		}
		epoch = days*86400 + h*3600 + mi*60 + sec - off
	}
	if epoch > math.MaxInt64/perSec || epoch < math.MinInt64/perSec {
		return 0, false
	}
	return epoch*perSec + nanos/(1e9/perSec), true
}

// zoneOffset returns the UTC offset in seconds of a zone written after a
// timestamp ("" is UTC), at the given local date and time for regions.
func zoneOffset(zone string, days, h, mi, sec int64) (int64, bool) {
	switch zone {
	case "", "Z", "UTC", "GMT":
		return 0, true
	}
	if off, ok := parseZoneOffset(zone); ok {
		return off, true
	}
	if !strings.Contains(zone, "/") {
		return 0, false
	}
	loc, err := tzLocation(zone)
	if err != nil {
		return 0, false
	}
	y, m, d := calCivilFromDays(days)
	_, off := time.Date(int(y), time.Month(m), int(d), int(h), int(mi), int(sec), 0, loc).Zone()
	return int64(off), true
}

// parseZoneOffset parses [UTC|GMT](+|-)hh[[:]mm] into seconds east of UTC.
func parseZoneOffset(z string) (int64, bool) {
	if strings.HasPrefix(z, "UTC") || strings.HasPrefix(z, "GMT") {
		z = z[3:]
	}
	if len(z) < 2 || (z[0] != '+' && z[0] != '-') {
		return 0, false
	}
	h, i, ok := digitsAt(z, 1, 1, 2)
	if !ok {
		return 0, false
	}
	var m int64
	if i < len(z) && z[i] == ':' {
		i++
	}
	if i < len(z) {
		if m, i, ok = digitsAt(z, i, 2, 2); !ok {
			return 0, false
		}
	}
	if i != len(z) || h > 18 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if z[0] == '-' {
		off = -off
	}
	return off, true
}
