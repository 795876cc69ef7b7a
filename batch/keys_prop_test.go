package batch

import (
	"bytes"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"pgregory.net/rapid"
)

// keyTypes is every supported key type, in the variants the tests draw from.
var keyTypes = []arrow.DataType{
	arrow.Null,
	arrow.FixedWidthTypes.Boolean,
	arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64,
	arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64,
	arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64,
	arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString, arrow.BinaryTypes.Binary, arrow.BinaryTypes.LargeBinary,
	arrow.FixedWidthTypes.Date32, arrow.FixedWidthTypes.Date64,
	arrow.FixedWidthTypes.Time32ms, arrow.FixedWidthTypes.Time64ns,
	&arrow.TimestampType{Unit: arrow.Second}, &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
	arrow.FixedWidthTypes.Duration_ms,
}

// Special floats that rapid's float generators never produce.
var specialFloats = []float64{
	0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
	math.Float64frombits(0xFFF8000000000001), // negative NaN with a payload
	math.MaxFloat64, -math.SmallestNonzeroFloat64,
}

// drawValue draws one value of dt in canonical form, NULL one time in five.
// Alphabets are small so that escapes, prefixes and ties are common.
func drawValue(t *rapid.T, dt arrow.DataType) any {
	if dt.ID() == arrow.NULL || rapid.IntRange(0, 4).Draw(t, "null") == 0 {
		return nil
	}
	switch dt.ID() {
	case arrow.BOOL:
		return rapid.Bool().Draw(t, "bool")
	case arrow.INT8:
		return int64(rapid.Int8().Draw(t, "i8"))
	case arrow.INT16:
		return int64(rapid.Int16().Draw(t, "i16"))
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return int64(rapid.Int32().Draw(t, "i32"))
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return rapid.Int64().Draw(t, "i64")
	case arrow.UINT8:
		return uint64(rapid.Uint8().Draw(t, "u8"))
	case arrow.UINT16:
		return uint64(rapid.Uint16().Draw(t, "u16"))
	case arrow.UINT32:
		return uint64(rapid.Uint32().Draw(t, "u32"))
	case arrow.UINT64:
		return rapid.Uint64().Draw(t, "u64")
	case arrow.FLOAT32:
		return float64(float32(rapid.OneOf(rapid.Float64Range(-math.MaxFloat32, math.MaxFloat32),
			rapid.SampledFrom(specialFloats)).Draw(t, "f32")))
	case arrow.FLOAT64:
		return rapid.OneOf(rapid.Float64(), rapid.SampledFrom(specialFloats)).Draw(t, "f64")
	case arrow.STRING, arrow.LARGE_STRING:
		return rapid.StringOfN(rapid.RuneFrom([]rune{0, 1, 'a', 'b', 'ÿ', '€'}), 0, 5, -1).Draw(t, "str")
	case arrow.BINARY, arrow.LARGE_BINARY:
		return string(rapid.SliceOfN(rapid.SampledFrom([]byte{0x00, 0x01, 'a', 0xFE, 0xFF}), 0, 5).Draw(t, "bin"))
	}
	t.Fatalf("no generator for %s", dt)
	return nil
}

// drawRows draws 1–3 key column types and up to 12 rows. A cell either
// repeats the same column of an earlier row or is fresh, so that rows often
// share prefixes and tie.
func drawRows(t *rapid.T) ([]arrow.DataType, [][]any) {
	types := rapid.SliceOfN(rapid.SampledFrom(keyTypes), 1, 3).Draw(t, "types")
	n := rapid.IntRange(0, 12).Draw(t, "rows")
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = make([]any, len(types))
		for j, dt := range types {
			if i > 0 && rapid.Bool().Draw(t, "repeat") {
				rows[i][j] = rows[rapid.IntRange(0, i-1).Draw(t, "from")][j]
				continue
			}
			rows[i][j] = drawValue(t, dt)
		}
	}
	return types, rows
}

// buildColumns builds one array per type from rows, each a slice at a random
// offset into a larger array so that offset handling is exercised too.
func buildColumns(t *rapid.T, mem memory.Allocator, types []arrow.DataType, rows [][]any) []arrow.Array {
	cols := make([]arrow.Array, len(types))
	for j, dt := range types {
		pad := rapid.IntRange(0, 9).Draw(t, "pad")
		vals := make([]any, 0, pad+len(rows)+1)
		for range pad {
			vals = append(vals, drawValue(t, dt))
		}
		for _, row := range rows {
			vals = append(vals, row[j])
		}
		vals = append(vals, drawValue(t, dt)) // a value after the slice too
		full := buildArray(mem, dt, vals)
		cols[j] = array.NewSlice(full, int64(pad), int64(pad+len(rows)))
		full.Release()
	}
	return cols
}

// TestKeysProperty: for random rows of random key types, keys order as the
// rows do, decoding gives the rows back, and rows with equal keys hash equal.
func TestKeysProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)

		types, rows := drawRows(t)
		cols := buildColumns(t, mem, types, rows)
		defer releaseArrays(cols)

		var buf KeyBuffer
		if err := EncodeKeys(cols, &buf); err != nil {
			t.Fatal(err)
		}
		if buf.Len() != len(rows) {
			t.Fatalf("%d keys for %d rows", buf.Len(), len(rows))
		}
		hashes := make([]uint64, len(rows))
		if err := HashColumns(cols, hashes); err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			for j := range rows {
				want := sign(compareRows(rows[i], rows[j]))
				if got := sign(bytes.Compare(buf.Key(i), buf.Key(j))); got != want {
					t.Fatalf("rows %v and %v: key order %d, want %d\n% x\n% x", rows[i], rows[j], got, want, buf.Key(i), buf.Key(j))
				}
				if want == 0 && hashes[i] != hashes[j] {
					t.Fatalf("rows %v and %v are equal but hash %x and %x", rows[i], rows[j], hashes[i], hashes[j])
				}
			}
		}

		keys := make([][]byte, buf.Len())
		for i := range keys {
			keys[i] = buf.Key(i)
		}
		got, err := DecodeKeys(mem, types, keys)
		if err != nil {
			t.Fatal(err)
		}
		defer releaseArrays(got)
		for j, col := range got {
			if !arrow.TypeEqual(col.DataType(), types[j]) || col.Len() != len(rows) {
				t.Fatalf("column %d decoded as %s × %d, want %s × %d", j, col.DataType(), col.Len(), types[j], len(rows))
			}
			for i, row := range rows {
				if v := valueAt(col, i); compareValues(v, row[j]) != 0 || (v == nil) != (row[j] == nil) {
					t.Fatalf("row %d column %d decoded as %v, want %v", i, j, v, row[j])
				}
			}
		}
	})
}

// FuzzDecodeKeys feeds arbitrary bytes to DecodeKeys under arbitrary column
// types. It must never panic or leak; whatever it accepts must re-encode to
// the same bytes (for float columns, to bytes that decode to the same values,
// since -0 and NaN payloads are normalised).
func FuzzDecodeKeys(f *testing.F) {
	f.Add([]byte{3, 12}, []byte{0x01, 0x80, 0x00, 0x00, 0x01, 0x01, 'a', 0x00, 0xFF, 0x00, 0x00})
	f.Add([]byte{0}, []byte{0x00})
	f.Add([]byte{11, 1}, []byte{0x01, 0xFF, 0xF8, 0, 0, 0, 0, 0, 0, 0x01, 0x01})
	f.Add([]byte{14}, []byte{0x01, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, sel []byte, key []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		if len(sel) == 0 || len(sel) > 4 {
			return
		}
		types := make([]arrow.DataType, len(sel))
		hasFloat := false
		for j, s := range sel {
			types[j] = keyTypes[int(s)%len(keyTypes)]
			hasFloat = hasFloat || types[j].ID() == arrow.FLOAT32 || types[j].ID() == arrow.FLOAT64
		}
		// Two keys: the input and a truncation of it, so that one column
		// decodes across keys of different shapes.
		keys := [][]byte{key, key[:len(key)/2]}
		cols, err := DecodeKeys(mem, types, keys)
		if err != nil {
			keys = keys[:1]
			if cols, err = DecodeKeys(mem, types, keys); err != nil {
				return
			}
		}
		defer releaseArrays(cols)
		var buf KeyBuffer
		if err := EncodeKeys(cols, &buf); err != nil {
			t.Fatalf("decoded columns do not encode: %v", err)
		}
		for i, k := range keys {
			if !hasFloat && !bytes.Equal(buf.Key(i), k) {
				t.Fatalf("key %d: decode then encode gave % x, want % x", i, buf.Key(i), k)
			}
		}
		again, err := DecodeKeys(mem, types, [][]byte{buf.Key(0)})
		if err != nil {
			t.Fatalf("re-encoded key does not decode: %v", err)
		}
		defer releaseArrays(again)
		for j := range cols {
			if compareValues(valueAt(cols[j], 0), valueAt(again[j], 0)) != 0 {
				t.Fatalf("column %d: %v after a round trip, want %v", j, valueAt(again[j], 0), valueAt(cols[j], 0))
			}
		}
	})
}
