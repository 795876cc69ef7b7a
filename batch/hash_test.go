package batch

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/cespare/xxhash/v2"
)

// TestHashGolden pins hashes and partitions. Partitions are recorded in
// checkpoints: if this test fails, existing checkpoints would route keys to
// the wrong state partition after an upgrade. Do not update these values
// without a checkpoint migration.
func TestHashGolden(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	// The building blocks are the published algorithms.
	if got := mix(0); got != 0xe220a8397b1dcdaf {
		t.Errorf("mix(0) = %#x, want splitmix64's first output from seed 0, 0xe220a8397b1dcdaf", got)
	}
	if got := xxhash.Sum64(nil); got != 0xef46db3751d8e999 {
		t.Errorf("xxhash64(\"\") = %#x, want 0xef46db3751d8e999", got)
	}

	ints := buildArray(mem, arrow.PrimitiveTypes.Int64, []any{int64(0), int64(1), int64(-1), int64(42), nil, int64(math.MaxInt64)})
	defer ints.Release()
	strs := buildArray(mem, arrow.BinaryTypes.String, []any{"", "a", "sluice", nil, "\x00", "key-12345"})
	defer strs.Release()
	flts := buildArray(mem, arrow.PrimitiveTypes.Float64, []any{0.0, math.Copysign(0, -1), math.NaN(), 1.5, math.Inf(-1), nil})
	defer flts.Release()

	tests := []struct {
		name   string
		cols   []arrow.Array
		hashes []uint64
		p16    []int32
		p200   []int32
	}{
		{"int64", []arrow.Array{ints},
			[]uint64{0x88465a751b1c82ea, 0xf2adc000510433d0, 0xe8b69ce3de20c41, 0x18e5a494329b7fcb, 0x3cd228762d4fc7be, 0x84110759fac765ac},
			[]int32{8, 15, 0, 1, 3, 8}, []int32{106, 189, 11, 19, 47, 103}},
		{"string", []arrow.Array{strs},
			[]uint64{0x95b2867e12dc8b0, 0x4a9e666f0472eabe, 0xfb360edb5a50d90f, 0x3cd228762d4fc7be, 0x74aa7c5135a9c2a6, 0x87e385348c873cd6},
			[]int32{0, 4, 15, 3, 7, 8}, []int32{7, 58, 196, 47, 91, 106}},
		{"float64", []arrow.Array{flts},
			[]uint64{0x88465a751b1c82ea, 0x88465a751b1c82ea, 0x5052a8b65ddb442a, 0x22b1ccc5c816266c, 0xfd3c86cecbbe8905, 0x3cd228762d4fc7be},
			[]int32{8, 8, 5, 2, 15, 3}, []int32{106, 106, 62, 27, 197, 47}},
		{"int64, string", []arrow.Array{ints, strs},
			[]uint64{0x5d2eda4983eb0465, 0x32afbb7fe1faf18, 0x9112c0cffb2df358, 0x1d0fbfcd84ad5b3d, 0x852d13390d656a1a, 0x1870ce7570b74b5f},
			[]int32{5, 0, 9, 1, 8, 1}, []int32{72, 2, 113, 22, 104, 19}},
	}
	for _, tt := range tests {
		hashes := make([]uint64, len(tt.hashes))
		if err := HashColumns(tt.cols, hashes); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !slices.Equal(hashes, tt.hashes) {
			t.Errorf("%s: hashes %#x, want %#x", tt.name, hashes, tt.hashes)
		}
		parts := make([]int32, len(hashes))
		Partitions(hashes, 16, parts)
		if !slices.Equal(parts, tt.p16) {
			t.Errorf("%s: 16 partitions %v, want %v", tt.name, parts, tt.p16)
		}
		Partitions(hashes, 200, parts)
		if !slices.Equal(parts, tt.p200) {
			t.Errorf("%s: 200 partitions %v, want %v", tt.name, parts, tt.p200)
		}
	}
}

// TestHashIgnoresLayout checks that a value's hash does not depend on where
// it sits: in a slice at an offset, in a freshly built array, or in a large
// string array rather than a string array.
func TestHashIgnoresLayout(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	var ints, strs []any
	for i := range 100 {
		if i%7 == 3 {
			ints, strs = append(ints, nil), append(strs, nil)
			continue
		}
		ints = append(ints, int64(i*i-500))
		strs = append(strs, fmt.Sprintf("k\x00%d", i))
	}
	full := []arrow.Array{
		buildArray(mem, arrow.PrimitiveTypes.Int32, ints),
		buildArray(mem, arrow.BinaryTypes.String, strs),
	}
	defer releaseArrays(full)
	whole := make([]uint64, 100)
	if err := HashColumns(full, whole); err != nil {
		t.Fatal(err)
	}

	const beg, end = 13, 71
	sliced := []arrow.Array{array.NewSlice(full[0], beg, end), array.NewSlice(full[1], beg, end)}
	defer releaseArrays(sliced)
	fresh := []arrow.Array{
		buildArray(mem, arrow.PrimitiveTypes.Int32, ints[beg:end]),
		buildArray(mem, arrow.BinaryTypes.LargeString, strs[beg:end]),
	}
	defer releaseArrays(fresh)
	for name, cols := range map[string][]arrow.Array{"sliced": sliced, "fresh large": fresh} {
		got := make([]uint64, end-beg)
		if err := HashColumns(cols, got); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, whole[beg:end]) {
			t.Errorf("%s: hashes differ from the same rows in the whole array", name)
		}
	}
}

// TestPartitionsUniform checks that sequential integer keys and similar
// strings spread evenly over 16 partitions: every partition within 5% of its
// fair share of 100k keys (about four standard deviations).
func TestPartitionsUniform(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	const n, p = 100_000, 16
	ib := array.NewInt64Builder(mem)
	sb := array.NewStringBuilder(mem)
	for i := range n {
		ib.Append(int64(i))
		sb.Append(fmt.Sprintf("user-%d", i))
	}
	ints, strs := ib.NewArray(), sb.NewArray()
	ib.Release()
	sb.Release()
	defer ints.Release()
	defer strs.Release()

	hashes := make([]uint64, n)
	parts := make([]int32, n)
	for _, col := range []arrow.Array{ints, strs} {
		if err := HashColumns([]arrow.Array{col}, hashes); err != nil {
			t.Fatal(err)
		}
		Partitions(hashes, p, parts)
		var counts [p]int
		for _, q := range parts {
			counts[q]++
		}
		for q, c := range counts {
			if math.Abs(float64(c)-n/p) > 0.05*n/p {
				t.Errorf("%s: partition %d has %d keys, want %d ± 5%%", col.DataType(), q, c, n/p)
			}
		}
	}
}

func TestPartitionsRange(t *testing.T) {
	hashes := []uint64{0, 1, 1 << 63, math.MaxUint64, 0x9e3779b97f4a7c15}
	out := make([]int32, len(hashes))
	for _, p := range []int{1, 2, 7, 200, math.MaxInt32} {
		Partitions(hashes, p, out)
		for i, q := range out {
			if q < 0 || int(q) >= p {
				t.Errorf("p=%d: hash %#x in partition %d", p, hashes[i], q)
			}
		}
	}
	for _, p := range []int{0, -1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Partitions with p=%d did not panic", p)
				}
			}()
			Partitions(hashes, p, out)
		}()
	}
}

func TestHashColumnsErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	col := buildArray(mem, arrow.PrimitiveTypes.Int64, []any{int64(1), int64(2)})
	defer col.Release()
	if err := HashColumns([]arrow.Array{col}, make([]uint64, 3)); err == nil {
		t.Error("3 hashes for 2 rows: no error")
	}
	if err := HashColumns([]arrow.Array{col}, make([]uint64, 2)); err != nil {
		t.Errorf("2 hashes for 2 rows: %v", err)
	}
}
