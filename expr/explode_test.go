package expr

import (
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// sxIntLists builds a list<int64> array; a nil element is a NULL list.
func sxIntLists(mem memory.Allocator, large bool, lists ...[]int64) arrow.Array {
	var b interface {
		array.ListLikeBuilder
		ValueBuilder() array.Builder
	}
	if large {
		b = array.NewLargeListBuilder(mem, arrow.PrimitiveTypes.Int64)
	} else {
		b = array.NewListBuilder(mem, arrow.PrimitiveTypes.Int64)
	}
	defer b.Release()
	vb := b.ValueBuilder().(*array.Int64Builder)
	for _, l := range lists {
		if l == nil {
			b.AppendNull()
			continue
		}
		b.Append(true)
		vb.AppendValues(l, nil)
	}
	return b.NewArray()
}

func TestExplodeList(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, large := range []bool{false, true} {
		full := sxIntLists(mem, large, []int64{9}, []int64{1, 2}, nil, []int64{}, []int64{3}, []int64{4, 5, 6}, []int64{8})
		for _, c := range []struct {
			lo, hi  int64
			values  []any
			parents []int32
		}{
			{0, 7, []any{int64(9), int64(1), int64(2), int64(3), int64(4), int64(5), int64(6), int64(8)}, []int32{0, 1, 1, 4, 5, 5, 5, 6}},
			{1, 6, []any{int64(1), int64(2), int64(3), int64(4), int64(5), int64(6)}, []int32{0, 0, 3, 4, 4, 4}},
			{2, 4, []any{}, []int32{}},
			{3, 3, []any{}, nil},
		} {
			l := array.NewSlice(full, c.lo, c.hi)
			vals, parents, err := ExplodeList(mem, l)
			if err != nil {
				t.Fatal(err)
			}
			if got := sxValues(vals); !reflect.DeepEqual(got, c.values) {
				t.Errorf("large=%v [%d,%d): values %v, want %v", large, c.lo, c.hi, got, c.values)
			}
			if len(parents) != len(c.parents) || (len(parents) > 0 && !reflect.DeepEqual(parents, c.parents)) {
				t.Errorf("large=%v [%d,%d): parents %v, want %v", large, c.lo, c.hi, parents, c.parents)
			}
			if vals.Len() > 0 && &sxChild(l).Data().Buffers()[1].Bytes()[0] != &vals.Data().Buffers()[1].Bytes()[0] {
				t.Errorf("large=%v [%d,%d): values were copied", large, c.lo, c.hi)
			}
			vals.Release()
			l.Release()
		}
		full.Release()
	}
}

func sxChild(l arrow.Array) arrow.Array { return l.(array.ListLike).ListValues() }

// TestExplodeListNullWithValues covers a NULL list whose offsets span
// elements (allowed by Arrow): they are skipped, by Take.
func TestExplodeListNullWithValues(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src := sxIntLists(mem, false, []int64{1}, []int64{2, 3}, []int64{4})
	defer src.Release()
	valid := memory.NewResizableBuffer(mem)
	valid.Resize(1)
	valid.Bytes()[0] = 0b101 // row 1 NULL, its elements 2 and 3 still there
	d := array.NewData(src.DataType(), 3, []*memory.Buffer{valid, src.Data().Buffers()[1]}, src.Data().Children(), 1, 0)
	valid.Release()
	l := array.MakeFromData(d)
	d.Release()
	defer l.Release()
	vals, parents, err := ExplodeList(mem, l)
	if err != nil {
		t.Fatal(err)
	}
	defer vals.Release()
	if got := sxValues(vals); !reflect.DeepEqual(got, []any{int64(1), int64(4)}) || !reflect.DeepEqual(parents, []int32{0, 2}) {
		t.Errorf("values %v parents %v, want [1 4] [0 2]", got, parents)
	}
}

func TestExplodeListNotAList(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	a := sxStrings(mem, "x")
	defer a.Release()
	if _, _, err := ExplodeList(mem, a); err == nil {
		t.Error("explode of a string array: no error")
	}
}

func TestExplodeRecord(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ids := sxStrings(mem, "a", "b", "c", "d")
	lists := sxIntLists(mem, false, []int64{1, 2}, nil, []int64{}, []int64{3})
	rec := sxRecord(ids, lists, sxStrings(mem, "x", "y", "z", nil))
	defer rec.Release()
	out, err := ExplodeRecord(mem, rec, 1, "n")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if got := out.Schema().String(); !reflect.DeepEqual(sxNames(out.Schema()), []string{"c0", "c2", "n"}) {
		t.Fatalf("schema %s", got)
	}
	want := [][]any{{"a", "a", "d"}, {"x", "x", nil}, {int64(1), int64(2), int64(3)}}
	for i, w := range want {
		if got := sxValues(out.Column(i)); !reflect.DeepEqual(got, w) {
			t.Errorf("column %d: %v, want %v", i, got, w)
		}
	}

	// one element per row: the other columns are passed through
	one := sxIntLists(mem, false, []int64{7}, []int64{8})
	rec2 := sxRecord(sxStrings(mem, "p", "q"), one)
	defer rec2.Release()
	out2, err := ExplodeRecord(mem, rec2, 1, "n")
	if err != nil {
		t.Fatal(err)
	}
	defer out2.Release()
	if out2.Column(0) != rec2.Column(0) && out2.Column(0).Data() != rec2.Column(0).Data() {
		t.Error("identity explode copied a column")
	}
	if _, err := ExplodeRecord(mem, rec2, 5, "n"); err == nil {
		t.Error("column out of range: no error")
	}
}

func sxNames(s *arrow.Schema) []string {
	out := make([]string, s.NumFields())
	for i := range out {
		out[i] = s.Field(i).Name
	}
	return out
}
