package showtable

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// cell renders row i of col as Spark's show() does; a top-level NULL is
// "NULL".
func cell(col arrow.Array, i int) string {
	if col.IsNull(i) {
		return "NULL"
	}
	var b strings.Builder
	value(&b, col, i)
	return b.String()
}

// value writes row i of col, which is not NULL, as Spark casts it to a
// string; nested NULLs are "null", as Spark prints them.
func value(b *strings.Builder, col arrow.Array, i int) {
	switch c := col.(type) {
	case *array.String:
		b.WriteString(c.Value(i))
	case *array.LargeString:
		b.WriteString(c.Value(i))
	case *array.Float64:
		b.WriteString(javaDouble(c.Value(i), 64))
	case *array.Float32:
		b.WriteString(javaDouble(float64(c.Value(i)), 32))
	case *array.Timestamp:
		unit := c.DataType().(*arrow.TimestampType).Unit
		b.WriteString(c.Value(i).ToTime(unit).UTC().Format("2006-01-02 15:04:05.999999"))
	case *array.Date32:
		b.WriteString(c.Value(i).ToTime().UTC().Format(time.DateOnly))
	case *array.Date64:
		b.WriteString(c.Value(i).ToTime().UTC().Format(time.DateOnly))
	case *array.Binary:
		hexBytes(b, c.Value(i))
	case *array.LargeBinary:
		hexBytes(b, c.Value(i))
	case *array.List:
		from, to := c.ValueOffsets(i)
		list(b, c.ListValues(), int(from), int(to))
	case *array.LargeList:
		from, to := c.ValueOffsets(i)
		list(b, c.ListValues(), int(from), int(to))
	case *array.Map:
		from, to := c.ValueOffsets(i)
		mapEntries(b, c.Keys(), c.Items(), int(from), int(to))
	case *array.Struct:
		b.WriteByte('{')
		for j := 0; j < c.NumField(); j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			nested(b, c.Field(j), i)
		}
		b.WriteByte('}')
	case *array.Dictionary:
		nested(b, c.Dictionary(), c.GetValueIndex(i))
	default:
		b.WriteString(col.ValueStr(i))
	}
}

func nested(b *strings.Builder, col arrow.Array, i int) {
	if col.IsNull(i) {
		b.WriteString("null")
		return
	}
	value(b, col, i)
}

func list(b *strings.Builder, values arrow.Array, from, to int) {
	b.WriteByte('[')
	for k := from; k < to; k++ {
		if k > from {
			b.WriteString(", ")
		}
		nested(b, values, k)
	}
	b.WriteByte(']')
}

func mapEntries(b *strings.Builder, keys, items arrow.Array, from, to int) {
	b.WriteByte('{')
	for k := from; k < to; k++ {
		if k > from {
			b.WriteString(", ")
		}
		nested(b, keys, k)
		b.WriteString(" -> ")
		nested(b, items, k)
	}
	b.WriteByte('}')
}

// hexBytes writes a binary value as Spark shows one: "[0A FF]".
func hexBytes(b *strings.Builder, v []byte) {
	const digits = "0123456789ABCDEF"
	b.WriteByte('[')
	for k, c := range v {
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(digits[c>>4])
		b.WriteByte(digits[c&15])
	}
	b.WriteByte(']')
}

// javaDouble formats v as Java's Double.toString (Float.toString for
// bits 32): plain decimals with at least one fractional digit for
// 1e-3 <= |v| < 1e7, computerized scientific notation ("1.0E7",
// "1.5E-4") otherwise, and "NaN", "Infinity", "-Infinity".
func javaDouble(v float64, bits int) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	}
	if a := math.Abs(v); a == 0 || a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(v, 'f', -1, bits)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(v, 'e', -1, bits) // "1.5e-04"
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	n, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(n)
}
