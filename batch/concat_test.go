package batch

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// testRecord builds a record of testSchema with ids from..to-1 (every third
// NULL) and names "n<id>".
func testRecord(mem memory.Allocator, from, to int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, testSchema)
	defer b.Release()
	ids := b.Field(0).(*array.Int64Builder)
	names := b.Field(1).(*array.StringBuilder)
	for i := from; i < to; i++ {
		if i%3 == 2 {
			ids.AppendNull()
		} else {
			ids.Append(int64(i))
		}
		names.Append("n" + strings.Repeat("x", i%4))
	}
	return b.NewRecordBatch()
}

func TestConcat(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	parts := []arrow.RecordBatch{testRecord(mem, 0, 4), testRecord(mem, 4, 4), testRecord(mem, 4, 11)}
	defer Release(parts)
	got, err := Concat(mem, testSchema, parts)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	want := testRecord(mem, 0, 11)
	defer want.Release()
	if !array.RecordEqual(got, want) {
		t.Errorf("Concat = %v, want %v", got, want)
	}

	// Slices at offsets concatenate by value, not by buffer.
	whole := testRecord(mem, 0, 11)
	defer whole.Release()
	a, b := whole.NewSlice(0, 5), whole.NewSlice(5, 11)
	defer a.Release()
	defer b.Release()
	got2, err := Concat(mem, testSchema, []arrow.RecordBatch{a, b})
	if err != nil {
		t.Fatal(err)
	}
	defer got2.Release()
	if !array.RecordEqual(got2, want) {
		t.Errorf("Concat of slices = %v, want %v", got2, want)
	}
}

func TestConcatEdges(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	empty, err := Concat(mem, testSchema, nil)
	if err != nil {
		t.Fatal(err)
	}
	if empty.NumRows() != 0 || !empty.Schema().Equal(testSchema) {
		t.Errorf("Concat of nothing = %v", empty)
	}
	empty.Release()

	one := testRecord(mem, 0, 3)
	defer one.Release()
	same, err := Concat(mem, testSchema, []arrow.RecordBatch{one})
	if err != nil {
		t.Fatal(err)
	}
	if same != one {
		t.Error("Concat of one record copied it")
	}
	same.Release()

	// Metadata and nullability do not matter; names and types do.
	meta := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String, Metadata: arrow.NewMetadata([]string{"k"}, []string{"v"})},
	}, nil)
	relabelled := array.NewRecordBatch(meta, one.Columns(), one.NumRows())
	defer relabelled.Release()
	mixed, err := Concat(mem, testSchema, []arrow.RecordBatch{one, relabelled})
	if err != nil {
		t.Fatalf("schemas differing in metadata: %v", err)
	}
	if mixed.NumRows() != 6 || mixed.Schema() != testSchema {
		t.Errorf("Concat = %d rows of %v", mixed.NumRows(), mixed.Schema())
	}
	mixed.Release()

	other := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int32}}, nil)
	for _, tc := range []struct {
		schema *arrow.Schema
		recs   []arrow.RecordBatch
		want   string
	}{
		{nil, nil, "nil schema"},
		{other, []arrow.RecordBatch{one}, "record 0: 2 columns, want 1"},
		{testSchema, []arrow.RecordBatch{one, nil}, "record 1 is nil"},
	} {
		if _, err := Concat(mem, tc.schema, tc.recs); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want one containing %q", err, tc.want)
		}
	}
}

func TestSplit(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	rec := testRecord(mem, 0, 10)
	defer rec.Release()
	chunks, err := Split(rec, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer Release(chunks)
	var sizes []int64
	for _, c := range chunks {
		sizes = append(sizes, c.NumRows())
		// Zero-copy: the chunk's values are the record's buffer.
		if c.Column(1).Data().Buffers()[2] != rec.Column(1).Data().Buffers()[2] {
			t.Error("chunk copied its string data")
		}
	}
	if !slices.Equal(sizes, []int64{3, 3, 3, 1}) {
		t.Errorf("chunk sizes %v, want [3 3 3 1]", sizes)
	}
	back, err := Concat(mem, testSchema, chunks)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Release()
	if !array.RecordEqual(back, rec) {
		t.Errorf("chunks concatenate to %v, want %v", back, rec)
	}

	if _, err := Split(rec, 0); err == nil {
		t.Error("Split(rec, 0): no error")
	}
	empty := rec.NewSlice(0, 0)
	defer empty.Release()
	if chunks, err := Split(empty, 4); err != nil || len(chunks) != 0 {
		t.Errorf("Split of an empty record = %d chunks, %v", len(chunks), err)
	}
}

func TestSplitReader(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()

	src := NewSliceReader(testSchema, testRecord(mem, 0, 5), testRecord(mem, 5, 5), testRecord(mem, 5, 12))
	recs, err := ReadAll(ctx, NewSplitReader(src, 3))
	if err != nil {
		t.Fatal(err)
	}
	defer Release(recs)
	var sizes []int64
	for _, r := range recs {
		sizes = append(sizes, r.NumRows())
	}
	if !slices.Equal(sizes, []int64{3, 2, 0, 3, 3, 1}) {
		t.Errorf("sizes %v, want [3 2 0 3 3 1]", sizes)
	}

	// Closing mid-record releases the chunks not yet served.
	r := NewSplitReader(NewSliceReader(testSchema, testRecord(mem, 0, 9)), 2)
	first, err := r.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first.Release()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestFromRecordReader(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	in := []arrow.RecordBatch{testRecord(mem, 0, 4), testRecord(mem, 4, 9)}
	defer Release(in)
	rr, err := array.NewRecordReader(testSchema, in)
	if err != nil {
		t.Fatal(err)
	}
	r := FromRecordReader(rr)
	if !r.Schema().Equal(testSchema) {
		t.Errorf("schema %v", r.Schema())
	}
	out, err := ReadAll(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	defer Release(out)
	if len(out) != 2 || !array.RecordEqual(out[0], in[0]) || !array.RecordEqual(out[1], in[1]) {
		t.Errorf("read %v, want %v", out, in)
	}
}
