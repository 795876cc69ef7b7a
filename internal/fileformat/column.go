package fileformat

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// kind is the column types the CSV and JSON readers can build.
type kind uint8

const (
	kString kind = iota
	kLargeString
	kBool
	kInt8
	kInt16
	kInt32
	kInt64
	kUint8
	kUint16
	kUint32
	kUint64
	kFloat32
	kFloat64
	kTimestamp
	kDate32
)

func kindOf(dt arrow.DataType) (kind, bool) {
	switch dt.ID() {
	case arrow.STRING:
		return kString, true
	case arrow.LARGE_STRING:
		return kLargeString, true
	case arrow.BOOL:
		return kBool, true
	case arrow.INT8:
		return kInt8, true
	case arrow.INT16:
		return kInt16, true
	case arrow.INT32:
		return kInt32, true
	case arrow.INT64:
		return kInt64, true
	case arrow.UINT8:
		return kUint8, true
	case arrow.UINT16:
		return kUint16, true
	case arrow.UINT32:
		return kUint32, true
	case arrow.UINT64:
		return kUint64, true
	case arrow.FLOAT32:
		return kFloat32, true
	case arrow.FLOAT64:
		return kFloat64, true
	case arrow.TIMESTAMP:
		return kTimestamp, true
	case arrow.DATE32:
		return kDate32, true
	}
	return 0, false
}

// bits is the width strconv parses an integer or float kind with.
func (k kind) bits() int {
	switch k {
	case kInt8, kUint8:
		return 8
	case kInt16, kUint16:
		return 16
	case kInt32, kUint32, kFloat32:
		return 32
	}
	return 64
}

func (k kind) isString() bool { return k == kString || k == kLargeString }
func (k kind) isInt() bool    { return k >= kInt8 && k <= kInt64 }
func (k kind) isUint() bool   { return k >= kUint8 && k <= kUint64 }
func (k kind) isFloat() bool  { return k == kFloat32 || k == kFloat64 }

// cell is one parsed value waiting to be appended, so that a row is appended
// only once all its fields parsed (or the mode says to keep it anyway).
type cell struct {
	valid bool
	i     int64   // ints, bool (0/1), timestamps, dates; uints bit-cast
	f     float64 // floats
	s     string  // strings from CSV
	b     []byte  // strings from JSON; used instead of s when non-nil
}

// column builds one output column from text values.
type column struct {
	name string
	typ  arrow.DataType
	kind kind
	unit arrow.TimeUnit
	b    array.Builder
	cell cell
}

func newColumn(mem memory.Allocator, f arrow.Field) *column {
	k, ok := kindOf(f.Type)
	if !ok {
		panic("fileformat: unsupported type " + f.Type.String()) // validate() rejects these
	}
	c := &column{name: f.Name, typ: f.Type, kind: k, b: array.NewBuilder(mem, f.Type)}
	if ts, ok := f.Type.(*arrow.TimestampType); ok {
		c.unit = ts.Unit
	}
	return c
}

func (c *column) setNull() { c.cell = cell{} }

// parseText parses a CSV field or a JSON string's content into c.cell; the
// empty string is NULL. It reports false if s is not a value of c's type.
func (c *column) parseText(s string) bool {
	c.cell = cell{}
	if s == "" {
		return true
	}
	var err error
	switch {
	case c.kind.isString():
		c.cell.s = s
	case c.kind.isInt():
		c.cell.i, err = strconv.ParseInt(s, 10, c.kind.bits())
	case c.kind.isUint():
		var u uint64
		u, err = strconv.ParseUint(s, 10, c.kind.bits())
		c.cell.i = int64(u)
	case c.kind.isFloat():
		c.cell.f, err = parseFloat(s, c.kind.bits())
	case c.kind == kBool:
		b, ok := parseBool(s)
		if !ok {
			return false
		}
		c.cell.i = b2i(b)
	case c.kind == kTimestamp:
		t, ok := parseTimestamp(s)
		if !ok {
			return false
		}
		c.cell.i = timeToUnit(t, c.unit)
	case c.kind == kDate32:
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return false
		}
		c.cell.i = t.Unix() / 86400
	}
	if err != nil {
		return false
	}
	c.cell.valid = true
	return true
}

// append adds c.cell to the builder.
func (c *column) append() {
	if !c.cell.valid {
		c.b.AppendNull()
		return
	}
	v := c.cell.i
	switch b := c.b.(type) {
	case *array.StringBuilder:
		appendStr(b.BinaryBuilder, &c.cell)
	case *array.LargeStringBuilder:
		appendStr(b.BinaryBuilder, &c.cell)
	case *array.BooleanBuilder:
		b.Append(v != 0)
	case *array.Int8Builder:
		b.Append(int8(v))
	case *array.Int16Builder:
		b.Append(int16(v))
	case *array.Int32Builder:
		b.Append(int32(v))
	case *array.Int64Builder:
		b.Append(v)
	case *array.Uint8Builder:
		b.Append(uint8(v))
	case *array.Uint16Builder:
		b.Append(uint16(v))
	case *array.Uint32Builder:
		b.Append(uint32(v))
	case *array.Uint64Builder:
		b.Append(uint64(v))
	case *array.Float32Builder:
		b.Append(float32(c.cell.f))
	case *array.Float64Builder:
		b.Append(c.cell.f)
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v))
	case *array.Date32Builder:
		b.Append(arrow.Date32(v))
	default:
		panic("fileformat: unexpected builder " + c.typ.String())
	}
}

func appendStr(b *array.BinaryBuilder, c *cell) {
	if c.b != nil {
		b.Append(c.b)
	} else {
		b.AppendString(c.s)
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// parseBool accepts true and false in any case, as Spark does.
func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// parseFloat is strconv.ParseFloat without out-of-range values (which
// ParseFloat turns into ±Inf) and with Spark's and JSON writers' spellings of
// the non-finite values.
func parseFloat(s string, bits int) (float64, error) {
	switch s {
	case "NaN":
		return math.NaN(), nil
	case "Infinity", "+Infinity", "Inf", "+Inf":
		return math.Inf(1), nil
	case "-Infinity", "-Inf":
		return math.Inf(-1), nil
	}
	return strconv.ParseFloat(s, bits)
}

// timestampLayouts are tried in order by parseTimestamp; the first two use
// 'T' between date and time, the last two a space. ".999999999" makes the
// fraction optional and "Z07:00" accepts "Z" or an offset.
var timestampLayouts = [2][2]string{
	{"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999"},
	{"2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"},
}

// parseTimestamp reads the timestamp spellings listed in the package doc; a
// time without a zone is UTC.
func parseTimestamp(s string) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	if len(s) == 10 {
		t, err := time.Parse(time.DateOnly, s)
		return t, err == nil
	}
	var layouts [2]string
	switch s[10] {
	case 'T':
		layouts = timestampLayouts[0]
	case ' ':
		layouts = timestampLayouts[1]
	default:
		return time.Time{}, false
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func timeToUnit(t time.Time, unit arrow.TimeUnit) int64 {
	switch unit {
	case arrow.Second:
		return t.Unix()
	case arrow.Millisecond:
		return t.UnixMilli()
	case arrow.Microsecond:
		return t.UnixMicro()
	}
	return t.UnixNano()
}
