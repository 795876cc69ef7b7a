package batch

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestKeyBytes pins the byte format documented in doc.go: state stores hold
// these bytes across restarts, so a change here is a checkpoint format change.
func TestKeyBytes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	negZero := math.Copysign(0, -1)
	tests := []struct {
		dt   arrow.DataType
		val  any
		want []byte
	}{
		{arrow.PrimitiveTypes.Int64, nil, []byte{0x00}},
		{arrow.PrimitiveTypes.Int8, int64(-1), []byte{0x01, 0x7F}},
		{arrow.PrimitiveTypes.Int8, int64(1), []byte{0x01, 0x81}},
		{arrow.PrimitiveTypes.Int16, int64(-2), []byte{0x01, 0x7F, 0xFE}},
		{arrow.PrimitiveTypes.Int32, int64(math.MinInt32), []byte{0x01, 0, 0, 0, 0}},
		{arrow.PrimitiveTypes.Int64, int64(1), []byte{0x01, 0x80, 0, 0, 0, 0, 0, 0, 1}},
		{arrow.PrimitiveTypes.Uint16, uint64(0x1234), []byte{0x01, 0x12, 0x34}},
		{arrow.FixedWidthTypes.Date32, int64(1), []byte{0x01, 0x80, 0, 0, 1}},
		{arrow.FixedWidthTypes.Timestamp_us, int64(-1), []byte{0x01, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
		{arrow.FixedWidthTypes.Boolean, true, []byte{0x01, 0x01}},
		{arrow.FixedWidthTypes.Boolean, false, []byte{0x01, 0x00}},
		{arrow.PrimitiveTypes.Float64, 1.0, []byte{0x01, 0xBF, 0xF0, 0, 0, 0, 0, 0, 0}},
		{arrow.PrimitiveTypes.Float64, negZero, []byte{0x01, 0x80, 0, 0, 0, 0, 0, 0, 0}},
		{arrow.PrimitiveTypes.Float64, math.NaN(), []byte{0x01, 0xFF, 0xF8, 0, 0, 0, 0, 0, 0}},
		{arrow.PrimitiveTypes.Float64, math.Inf(-1), []byte{0x01, 0x00, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
		{arrow.PrimitiveTypes.Float32, -1.0, []byte{0x01, 0x40, 0x7F, 0xFF, 0xFF}},
		{arrow.BinaryTypes.String, "", []byte{0x01, 0x00, 0x00}},
		{arrow.BinaryTypes.String, "ab", []byte{0x01, 'a', 'b', 0x00, 0x00}},
		{arrow.BinaryTypes.Binary, "a\x00\xff", []byte{0x01, 'a', 0x00, 0xFF, 0xFF, 0x00, 0x00}},
		{arrow.Null, nil, []byte{0x00}},
	}
	for _, tt := range tests {
		col := buildArray(mem, tt.dt, []any{tt.val})
		var buf KeyBuffer
		if err := EncodeKeys([]arrow.Array{col}, &buf); err != nil {
			t.Fatalf("%s %v: %v", tt.dt, tt.val, err)
		}
		if got := buf.Key(0); !bytes.Equal(got, tt.want) {
			t.Errorf("%s %v: key % x, want % x", tt.dt, tt.val, got, tt.want)
		}
		col.Release()
	}
}

// TestKeyBytesRow checks the multi-column example in doc.go.
func TestKeyBytesRow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	cols := []arrow.Array{
		buildArray(mem, arrow.PrimitiveTypes.Int32, []any{int64(-1)}),
		buildArray(mem, arrow.BinaryTypes.String, []any{"a\x00"}),
		buildArray(mem, arrow.PrimitiveTypes.Float64, []any{nil}),
	}
	defer releaseArrays(cols)
	var buf KeyBuffer
	if err := EncodeKeys(cols, &buf); err != nil {
		t.Fatal(err)
	}
	want := []byte{0x01, 0x7F, 0xFF, 0xFF, 0xFF, 0x01, 0x61, 0x00, 0xFF, 0x00, 0x00, 0x00}
	if !bytes.Equal(buf.Key(0), want) {
		t.Errorf("key % x, want % x", buf.Key(0), want)
	}
}

// TestKeyOrderEdges checks, per type, that a list of values in ascending
// order encodes to keys in strictly ascending order (or equal where the
// values are equal as keys).
func TestKeyOrderEdges(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	nan2 := math.Float64frombits(0xFFF8000000000001) // a negative NaN with a payload
	tests := []struct {
		dt   arrow.DataType
		vals []any // ascending
	}{
		{arrow.PrimitiveTypes.Int64, []any{nil, int64(math.MinInt64), int64(-1), int64(0), int64(1), int64(math.MaxInt64)}},
		{arrow.PrimitiveTypes.Int8, []any{nil, int64(-128), int64(-1), int64(0), int64(127)}},
		{arrow.PrimitiveTypes.Uint64, []any{nil, uint64(0), uint64(1), uint64(1 << 63), uint64(math.MaxUint64)}},
		{arrow.PrimitiveTypes.Float64, []any{nil, math.Inf(-1), -math.MaxFloat64, -1.0, -math.SmallestNonzeroFloat64,
			math.Copysign(0, -1), 0.0, math.SmallestNonzeroFloat64, 1.0, math.MaxFloat64, math.Inf(1), math.NaN(), nan2}},
		{arrow.PrimitiveTypes.Float32, []any{nil, math.Inf(-1), -1.0, math.Copysign(0, -1), 0.0, 1.5, math.Inf(1), math.NaN()}},
		{arrow.FixedWidthTypes.Boolean, []any{nil, false, true}},
		{arrow.BinaryTypes.Binary, []any{nil, "", "\x00", "\x00\x00", "\x00\x01", "\x00\xff", "\x01", "a", "a\x00", "a\x00b", "a\x01", "ab", "b", "\xff", "\xff\xff"}},
		{arrow.BinaryTypes.LargeString, []any{nil, "", "a", "a\x00", "ab", "é"}},
	}
	for _, tt := range tests {
		col := buildArray(mem, tt.dt, tt.vals)
		var buf KeyBuffer
		if err := EncodeKeys([]arrow.Array{col}, &buf); err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(tt.vals); i++ {
			want := sign(compareValues(tt.vals[i-1], tt.vals[i]))
			if got := sign(bytes.Compare(buf.Key(i-1), buf.Key(i))); got != want {
				t.Errorf("%s: %v vs %v: key order %d, want %d (% x vs % x)",
					tt.dt, tt.vals[i-1], tt.vals[i], got, want, buf.Key(i-1), buf.Key(i))
			}
		}
		col.Release()
	}
}

// TestEncodeKeysAppends checks that keys are appended after those already in
// the buffer, that Reset empties it, and that a zero-row batch adds nothing.
func TestEncodeKeysAppends(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	ints := buildArray(mem, arrow.PrimitiveTypes.Int32, []any{int64(1), nil, int64(3)})
	defer ints.Release()
	strs := buildArray(mem, arrow.BinaryTypes.String, []any{"x", "y\x00", nil})
	defer strs.Release()
	cols := []arrow.Array{ints, strs}

	var buf KeyBuffer
	if buf.Len() != 0 {
		t.Fatalf("zero KeyBuffer has %d keys", buf.Len())
	}
	for range 2 {
		if err := EncodeKeys(cols, &buf); err != nil {
			t.Fatal(err)
		}
	}
	if buf.Len() != 6 {
		t.Fatalf("Len = %d, want 6", buf.Len())
	}
	for i := range 3 {
		if !bytes.Equal(buf.Key(i), buf.Key(i+3)) {
			t.Errorf("key %d = % x, key %d = % x; want equal", i, buf.Key(i), i+3, buf.Key(i+3))
		}
	}
	k0 := buf.Key(0)
	if cap(k0) != len(k0) {
		t.Errorf("Key(0) has spare capacity %d; appending to it would overwrite key 1", cap(k0)-len(k0))
	}

	empty := array.NewSlice(ints, 0, 0)
	defer empty.Release()
	if err := EncodeKeys([]arrow.Array{empty}, &buf); err != nil || buf.Len() != 6 {
		t.Errorf("zero rows: Len = %d, err = %v; want 6, nil", buf.Len(), err)
	}

	buf.Reset()
	if buf.Len() != 0 || len(buf.Data) != 0 {
		t.Errorf("after Reset: Len = %d, %d bytes", buf.Len(), len(buf.Data))
	}
	if err := EncodeKeys(cols, &buf); err != nil || buf.Len() != 3 {
		t.Errorf("after Reset: Len = %d, err = %v; want 3, nil", buf.Len(), err)
	}
}

func TestEncodeKeysErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	ints := buildArray(mem, arrow.PrimitiveTypes.Int64, []any{int64(1), int64(2)})
	defer ints.Release()
	short := buildArray(mem, arrow.PrimitiveTypes.Int64, []any{int64(1)})
	defer short.Release()
	lb := array.NewListBuilder(mem, arrow.PrimitiveTypes.Int32)
	lb.AppendNull()
	lb.AppendNull()
	list := lb.NewArray()
	lb.Release()
	defer list.Release()

	tests := []struct {
		name string
		cols []arrow.Array
		want string
	}{
		{"no columns", nil, "no key columns"},
		{"nil column", []arrow.Array{ints, nil}, "key column 1 is nil"},
		{"lengths", []arrow.Array{ints, short}, "key column 1 has 1 rows, column 0 has 2"},
		{"unsupported", []arrow.Array{ints, list}, "unsupported key type list<item: int32, nullable>"},
	}
	for _, tt := range tests {
		var buf KeyBuffer
		err := EncodeKeys(tt.cols, &buf)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one containing %q", tt.name, err, tt.want)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: %d keys added on error", tt.name, buf.Len())
		}
		if err := HashColumns(tt.cols, make([]uint64, 2)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: HashColumns err = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestSupportedKeyType(t *testing.T) {
	for _, dt := range keyTypes {
		if !SupportedKeyType(dt) {
			t.Errorf("SupportedKeyType(%s) = false", dt)
		}
	}
	for _, dt := range []arrow.DataType{
		nil,
		arrow.ListOf(arrow.PrimitiveTypes.Int32),
		&arrow.Decimal128Type{Precision: 10, Scale: 2},
		&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String},
		arrow.BinaryTypes.StringView,
		arrow.FixedWidthTypes.Float16,
	} {
		if SupportedKeyType(dt) {
			t.Errorf("SupportedKeyType(%v) = true", dt)
		}
	}
}

func TestDecodeKeysErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	i32 := arrow.PrimitiveTypes.Int32
	str := arrow.BinaryTypes.String
	tests := []struct {
		name  string
		types []arrow.DataType
		key   []byte
		want  string
	}{
		{"empty", []arrow.DataType{i32}, nil, "truncated"},
		{"short int", []arrow.DataType{i32}, []byte{0x01, 0x80, 0}, "truncated"},
		{"bad marker", []arrow.DataType{i32}, []byte{0x02}, "null marker"},
		{"trailing", []arrow.DataType{i32}, []byte{0x00, 0x00}, "1 bytes after the last column"},
		{"unterminated", []arrow.DataType{str}, []byte{0x01, 'a'}, "truncated"},
		{"half terminator", []arrow.DataType{str}, []byte{0x01, 'a', 0x00}, "truncated"},
		{"bad escape", []arrow.DataType{str}, []byte{0x01, 'a', 0x00, 0x01, 0x00, 0x00}, "neither 0xFF nor 0x00"},
		{"escape then end", []arrow.DataType{str}, []byte{0x01, 0x00, 0xFF}, "truncated"},
		{"utf8", []arrow.DataType{str}, []byte{0x01, 0xFF, 0x00, 0x00}, "UTF-8"},
		{"bool", []arrow.DataType{arrow.FixedWidthTypes.Boolean}, []byte{0x01, 0x02}, "bool"},
		{"null type", []arrow.DataType{arrow.Null}, []byte{0x01}, "null type"},
		{"second column", []arrow.DataType{i32, i32}, []byte{0x00, 0x01}, "column 1"},
	}
	for _, tt := range tests {
		arrs, err := DecodeKeys(mem, tt.types, [][]byte{tt.key})
		if err == nil {
			releaseArrays(arrs)
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if !errors.Is(err, ErrCorruptKey) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want ErrCorruptKey containing %q", tt.name, err, tt.want)
		}
	}

	_, err := DecodeKeys(mem, []arrow.DataType{arrow.ListOf(i32)}, nil)
	if err == nil || !strings.Contains(err.Error(), "unsupported key type list") {
		t.Errorf("unsupported type: err = %v", err)
	}
}
