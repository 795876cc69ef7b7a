package fileformat

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// appendFunc appends the value at row i of one array (never NULL) to dst.
type appendFunc func(dst []byte, i int) []byte

// textAppender formats values as CSV and text write them, in the spellings
// the readers parse back (see the package doc).
func textAppender(arr arrow.Array) appendFunc {
	if f := numberAppender(arr); f != nil {
		return f
	}
	switch a := arr.(type) {
	case *array.String:
		return func(dst []byte, i int) []byte { return append(dst, a.Value(i)...) }
	case *array.LargeString:
		return func(dst []byte, i int) []byte { return append(dst, a.Value(i)...) }
	case *array.Float32:
		return func(dst []byte, i int) []byte { return appendFloat(dst, float64(a.Value(i)), 32) }
	case *array.Float64:
		return func(dst []byte, i int) []byte { return appendFloat(dst, a.Value(i), 64) }
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return func(dst []byte, i int) []byte {
			return a.Value(i).ToTime(unit).UTC().AppendFormat(dst, time.RFC3339Nano)
		}
	case *array.Date32:
		return func(dst []byte, i int) []byte { return a.Value(i).ToTime().AppendFormat(dst, time.DateOnly) }
	}
	return func(dst []byte, i int) []byte { return append(dst, arr.ValueStr(i)...) }
}

// jsonAppender formats values as JSON: strings, timestamps, dates and
// non-finite floats quoted, nested and other types as encoding/json writes
// arrow-go's marshalling of them.
func jsonAppender(arr arrow.Array) appendFunc {
	if f := numberAppender(arr); f != nil {
		return f
	}
	switch a := arr.(type) {
	case *array.String:
		return func(dst []byte, i int) []byte { return appendJSONString(dst, a.Value(i)) }
	case *array.LargeString:
		return func(dst []byte, i int) []byte { return appendJSONString(dst, a.Value(i)) }
	case *array.Float32:
		return func(dst []byte, i int) []byte { return appendJSONFloat(dst, float64(a.Value(i)), 32) }
	case *array.Float64:
		return func(dst []byte, i int) []byte { return appendJSONFloat(dst, a.Value(i), 64) }
	case *array.Timestamp, *array.Date32:
		text := textAppender(arr) // digits, '-', ':', '.', 'T', 'Z': nothing to escape
		return func(dst []byte, i int) []byte {
			dst = append(dst, '"')
			dst = text(dst, i)
			return append(dst, '"')
		}
	}
	return func(dst []byte, i int) []byte {
		b, err := json.Marshal(arr.GetOneForMarshal(i))
		if err != nil {
			return append(dst, "null"...)
		}
		return append(dst, b...)
	}
}

// numberAppender handles booleans and integers, which CSV and JSON spell
// alike; it returns nil for other types.
func numberAppender(arr arrow.Array) appendFunc {
	switch a := arr.(type) {
	case *array.Boolean:
		return func(dst []byte, i int) []byte { return strconv.AppendBool(dst, a.Value(i)) }
	case *array.Int8:
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(a.Value(i)), 10) }
	case *array.Int16:
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(a.Value(i)), 10) }
	case *array.Int32:
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(a.Value(i)), 10) }
	case *array.Int64:
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, a.Value(i), 10) }
	case *array.Uint8:
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, uint64(a.Value(i)), 10) }
	case *array.Uint16:
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, uint64(a.Value(i)), 10) }
	case *array.Uint32:
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, uint64(a.Value(i)), 10) }
	case *array.Uint64:
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, a.Value(i), 10) }
	}
	return nil
}

// appendFloat writes f in Go's shortest form, with ".0" after integral
// values so they read back as floats, and NaN and infinities as Spark does.
func appendFloat(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'g', -1, bits)
	for _, c := range dst[start:] {
		if c == '.' || c == 'e' {
			return dst
		}
	}
	return append(dst, ".0"...)
}

// appendJSONFloat writes a finite float as a JSON number and NaN and the
// infinities, which JSON numbers cannot spell, as strings.
func appendJSONFloat(dst []byte, f float64, bits int) []byte {
	if !math.IsNaN(f) && !math.IsInf(f, 0) {
		return appendFloat(dst, f, bits)
	}
	dst = append(dst, '"')
	dst = appendFloat(dst, f, bits)
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json does; HTML characters are not escaped.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
