package batch

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var takeTypes = []arrow.DataType{
	arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64,
	arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64,
	arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64,
	arrow.FixedWidthTypes.Date32, arrow.FixedWidthTypes.Date64, arrow.FixedWidthTypes.Time32ms, arrow.FixedWidthTypes.Time64us,
	&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, arrow.FixedWidthTypes.Duration_ns,
	arrow.FixedWidthTypes.Boolean,
	arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString, arrow.BinaryTypes.Binary, arrow.BinaryTypes.LargeBinary,
}

// randomValues returns n canonical values of dt's kind, about nullPct % NULL.
// Strings run from empty to longer than a word, so both copy paths run.
func randomValues(r *rand.Rand, dt arrow.DataType, n, nullPct int) []any {
	vals := make([]any, n)
	for i := range vals {
		if r.IntN(100) < nullPct {
			continue
		}
		switch {
		case dt.ID() == arrow.BOOL:
			vals[i] = r.IntN(2) == 0
		case dt.ID() == arrow.FLOAT32 || dt.ID() == arrow.FLOAT64:
			vals[i] = float64(r.IntN(1000)) / 8
		case arrow.IsUnsignedInteger(dt.ID()):
			vals[i] = uint64(r.IntN(200))
		case arrow.IsBaseBinary(dt.ID()):
			vals[i] = strings.Repeat(string(rune('a'+r.IntN(26))), r.IntN(13))
		default:
			vals[i] = int64(r.IntN(200) - 100)
		}
	}
	return vals
}

// wantTake is arrow's take of arr at indices, the reference Take must match.
func wantTake(t *testing.T, mem memory.Allocator, arr arrow.Array, indices []int32) arrow.Array {
	t.Helper()
	idx := array.NewInt32Builder(mem)
	defer idx.Release()
	idx.AppendValues(indices, nil)
	ia := idx.NewArray()
	defer ia.Release()
	want, err := compute.TakeArray(compute.WithAllocator(context.Background(), mem), arr, ia)
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// checkTake compares Take with arrow's take of arr at indices.
func checkTake(t *testing.T, mem memory.Allocator, arr arrow.Array, indices []int32) {
	t.Helper()
	got, err := Take(context.Background(), mem, arr, indices)
	if err != nil {
		t.Fatalf("%s: %v", arr.DataType(), err)
	}
	defer got.Release()
	want := wantTake(t, mem, arr, indices)
	defer want.Release()
	if v, ok := got.(interface{ ValidateFull() error }); ok {
		if err := v.ValidateFull(); err != nil {
			t.Errorf("%s: invalid result: %v", arr.DataType(), err)
		}
	}
	if got.NullN() != want.NullN() || !array.Equal(got, want) {
		t.Errorf("%s (offset %d): Take\n got  %v\n want %v", arr.DataType(), arr.Data().Offset(), got, want)
	}
}

func TestTake(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, dt := range takeTypes {
		for _, nullPct := range []int{0, 20} {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			full := buildArray(mem, dt, randomValues(r, dt, 203, nullPct))
			// A slice that starts off a byte boundary, so bitmaps are read
			// from a bit offset.
			arr := array.NewSlice(full, 5, 200)
			indices := make([]int32, 150) // with repeats, in no order
			for i := range indices {
				indices[i] = int32(r.IntN(arr.Len()))
			}
			checkTake(t, mem, arr, indices)
			checkTake(t, mem, arr, []int32{0, int32(arr.Len() - 1)})
			checkTake(t, mem, arr, nil)
			arr.Release()
			full.Release()
			mem.AssertSize(t, 0)
		}
	}
}

func TestTakeOtherTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, c := range []struct {
		dt   arrow.DataType
		json string
	}{
		{arrow.ListOf(arrow.PrimitiveTypes.Int64), `[[1, 2], null, [], [3]]`},
		{&arrow.Decimal128Type{Precision: 10, Scale: 2}, `["1.25", null, "-3.50", "0.01"]`},
		{arrow.Null, `[null, null, null, null]`},
	} {
		arr, _, err := array.FromJSON(mem, c.dt, strings.NewReader(c.json))
		if err != nil {
			t.Fatal(err)
		}
		checkTake(t, mem, arr, []int32{3, 1, 1, 0})
		arr.Release()
	}
}

// BenchmarkTake gathers one row in eight of 64K-row columns, as a filter
// keeping 12.5 % does.
func BenchmarkTake(b *testing.B) {
	mem := memory.NewGoAllocator()
	r := rand.New(rand.NewPCG(1, 2))
	var indices []int32
	for i := range 1 << 16 {
		if r.IntN(8) == 0 {
			indices = append(indices, int32(i))
		}
	}
	for _, dt := range []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.FixedWidthTypes.Boolean, arrow.BinaryTypes.String} {
		arr := buildArray(mem, dt, randomValues(r, dt, 1<<16, 0))
		b.Run(dt.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := Take(context.Background(), mem, arr, indices)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
		})
		arr.Release()
	}
}
