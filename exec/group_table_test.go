package exec

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// gtRefGroups is the reference for a group table: groups numbered by first
// appearance of each key, keys rendered with fmt (NULL as "<nil>").
type gtRefGroups struct {
	index map[string]uint32
	keys  []string
}

func (r *gtRefGroups) add(key string) uint32 {
	if r.index == nil {
		r.index = map[string]uint32{}
	}
	g, ok := r.index[key]
	if !ok {
		g = uint32(len(r.keys))
		r.index[key] = g
		r.keys = append(r.keys, key)
	}
	return g
}

// gtRowKey renders row i of cols as the reference key.
func gtRowKey(cols []arrow.Array, i int) string {
	s := ""
	for _, c := range cols {
		if c.IsNull(i) {
			s += "|<nil>"
			continue
		}
		s += "|" + c.ValueStr(i)
	}
	return s
}

// gtCheck inserts batches into a fresh table and compares group
// indices, Find and KeyColumns with the reference.
func gtCheck(t *testing.T, types []arrow.DataType, batches [][]arrow.Array) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	gt, err := NewGroupTable(types)
	if err != nil {
		t.Fatal(err)
	}
	var ref gtRefGroups
	for bi, cols := range batches {
		n := cols[0].Len()
		groups := make([]uint32, n)
		if err := gt.Insert(cols, groups); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if want := ref.add(gtRowKey(cols, i)); groups[i] != want {
				t.Fatalf("batch %d row %d (%s): group %d, want %d", bi, i, gtRowKey(cols, i), groups[i], want)
			}
		}
		found := make([]uint32, n)
		if err := gt.Find(cols, found); err != nil {
			t.Fatal(err)
		}
		for i := range found {
			if found[i] != groups[i] {
				t.Fatalf("batch %d row %d: Find %d, Insert %d", bi, i, found[i], groups[i])
			}
		}
	}
	if gt.Len() != len(ref.keys) {
		t.Fatalf("Len %d, want %d", gt.Len(), len(ref.keys))
	}
	keys, err := gt.KeyColumns(mem)
	if err != nil {
		t.Fatal(err)
	}
	defer releaseArrays(keys)
	for g, want := range ref.keys {
		if got := gtRowKey(keys, g); got != want {
			t.Fatalf("key of group %d: %s, want %s", g, got, want)
		}
	}
	for _, b := range batches {
		releaseArrays(b)
	}
}

func TestGroupTableInt64(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var batches [][]arrow.Array
	for b := 0; b < 5; b++ {
		bld := array.NewInt64Builder(memory.DefaultAllocator)
		for i := 0; i < 3000; i++ {
			switch {
			case rng.Intn(20) == 0:
				bld.AppendNull()
			case rng.Intn(10) == 0:
				bld.Append(int64(rng.Uint64())) // wide values, mostly unique
			default:
				bld.Append(int64(rng.Intn(2000)) - 1000)
			}
		}
		batches = append(batches, []arrow.Array{bld.NewArray()})
		bld.Release()
	}
	gtCheck(t, []arrow.DataType{arrow.PrimitiveTypes.Int64}, batches)
}

func TestGroupTableNarrowInts(t *testing.T) {
	for _, dt := range []arrow.DataType{
		arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Int16,
		arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Date32, arrow.FixedWidthTypes.Timestamp_us,
	} {
		t.Run(dt.String(), func(t *testing.T) {
			rng := rand.New(rand.NewSource(2))
			vals := make([]int64, 5000)
			valid := make([]bool, len(vals))
			for i := range vals {
				vals[i] = int64(rng.Intn(240)) - 120
				valid[i] = rng.Intn(30) != 0
			}
			arr := gtInts(dt, vals, valid)
			sl := array.NewSlice(arr, 7, 4000) // a sliced array reads from an offset
			arr.Release()
			gtCheck(t, []arrow.DataType{dt}, [][]arrow.Array{{sl}})
		})
	}
}

func TestGroupTableString(t *testing.T) {
	for _, dt := range []arrow.DataType{arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString, arrow.BinaryTypes.Binary} {
		t.Run(dt.String(), func(t *testing.T) {
			rng := rand.New(rand.NewSource(3))
			var batches [][]arrow.Array
			for b := 0; b < 4; b++ {
				bld := array.NewBuilder(memory.DefaultAllocator, dt)
				for i := 0; i < 4000; i++ {
					switch rng.Intn(25) {
					case 0:
						bld.AppendNull()
					case 1:
						bld.AppendValueFromString("")
					default:
						// lengths 1..40 exercise every hash branch
						bld.AppendValueFromString(gtRandWord(rng, 1+rng.Intn(40), 3))
					}
				}
				arr := bld.NewArray()
				bld.Release()
				sl := array.NewSlice(arr, 3, int64(arr.Len()))
				arr.Release()
				batches = append(batches, []arrow.Array{sl})
			}
			gtCheck(t, []arrow.DataType{dt}, batches)
		})
	}
}

// gtRandWord returns a word of length n over an alphabet of k letters, so short
// words repeat and long words share prefixes.
func gtRandWord(rng *rand.Rand, n, k int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rng.Intn(k))
	}
	return string(b)
}

func TestGroupTableFindMissing(t *testing.T) {
	gt, err := NewGroupTable([]arrow.DataType{arrow.BinaryTypes.String})
	if err != nil {
		t.Fatal(err)
	}
	in := gtStrings([]string{"a", "b"}, nil)
	defer in.Release()
	if err := gt.Insert([]arrow.Array{in}, make([]uint32, 2)); err != nil {
		t.Fatal(err)
	}
	probe := gtStrings([]string{"b", "c", ""}, []bool{true, true, false})
	defer probe.Release()
	got := make([]uint32, 3)
	if err := gt.Find([]arrow.Array{probe}, got); err != nil {
		t.Fatal(err)
	}
	if want := []uint32{1, NoGroup, NoGroup}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Find = %v, want %v", got, want)
	}
	gt.Reset()
	if gt.Len() != 0 {
		t.Fatalf("Len after Reset = %d", gt.Len())
	}
}

func TestGroupTableErrors(t *testing.T) {
	if _, err := NewGroupTable(nil); err == nil {
		t.Fatal("no key columns: want an error")
	}
	gt, err := NewGroupTable([]arrow.DataType{arrow.PrimitiveTypes.Int64})
	if err != nil {
		t.Fatal(err)
	}
	s := gtStrings([]string{"x"}, nil)
	defer s.Release()
	if err := gt.Insert([]arrow.Array{s}, make([]uint32, 1)); err == nil {
		t.Fatal("wrong key type: want an error")
	}
	if err := gt.Insert([]arrow.Array{s, s}, make([]uint32, 1)); err == nil {
		t.Fatal("wrong number of key columns: want an error")
	}
}

// gtStrings builds a string array; valid nil means no NULLs.
func gtStrings(vals []string, valid []bool) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(vals, valid)
	return b.NewArray()
}

// gtInts builds an array of integer-like type dt from vals, truncated to
// the type's width; valid nil means no NULLs.
func gtInts(dt arrow.DataType, vals []int64, valid []bool) arrow.Array {
	w := intWidth(dt)
	raw := make([]byte, len(vals)*w)
	for i, v := range vals {
		for j := 0; j < w; j++ {
			raw[i*w+j] = byte(v >> (8 * j))
		}
	}
	bufs := []*memory.Buffer{nil, memory.NewBufferBytes(raw)}
	nulls := 0
	if valid != nil {
		bm := make([]byte, bitutil.BytesForBits(int64(len(vals))))
		for i, ok := range valid {
			if ok {
				bitutil.SetBit(bm, i)
			} else {
				nulls++
			}
		}
		bufs[0] = memory.NewBufferBytes(bm)
	}
	data := array.NewData(dt, len(vals), bufs, nil, nulls, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

func TestGroupTableGeneric(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	types := []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String, arrow.FixedWidthTypes.Boolean, arrow.PrimitiveTypes.Float64}
	var batches [][]arrow.Array
	for b := 0; b < 3; b++ {
		bld := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema([]arrow.Field{
			{Name: "i", Type: types[0]}, {Name: "s", Type: types[1]}, {Name: "b", Type: types[2]}, {Name: "f", Type: types[3]},
		}, nil))
		for i := 0; i < 2000; i++ {
			for c := range types {
				f := bld.Field(c)
				if rng.Intn(10) == 0 {
					f.AppendNull()
					continue
				}
				switch f := f.(type) {
				case *array.Int64Builder:
					f.Append(int64(rng.Intn(5)))
				case *array.StringBuilder:
					f.Append(gtRandWord(rng, rng.Intn(3), 2))
				case *array.BooleanBuilder:
					f.Append(rng.Intn(2) == 0)
				case *array.Float64Builder:
					f.Append(float64(rng.Intn(3)) / 2)
				}
			}
		}
		rec := bld.NewRecordBatch()
		bld.Release()
		cols := rec.Columns()
		for _, c := range cols {
			c.Retain()
		}
		rec.Release()
		batches = append(batches, cols)
	}
	gtCheck(t, types, batches)
}

func TestGroupTableFloatKeys(t *testing.T) {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues([]float64{0, math.Copysign(0, -1), math.NaN(), -math.NaN(), 1}, nil)
	col := b.NewArray()
	defer col.Release()
	gt, err := NewGroupTable([]arrow.DataType{arrow.PrimitiveTypes.Float64})
	if err != nil {
		t.Fatal(err)
	}
	groups := make([]uint32, col.Len())
	if err := gt.Insert([]arrow.Array{col}, groups); err != nil {
		t.Fatal(err)
	}
	// -0 groups with 0, and every NaN with every other, as Spark groups them.
	if want := []uint32{0, 0, 1, 1, 2}; fmt.Sprint(groups) != fmt.Sprint(want) {
		t.Fatalf("groups %v, want %v", groups, want)
	}
}
