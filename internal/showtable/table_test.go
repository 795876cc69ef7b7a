package showtable

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestRenderAsSparkShow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "w", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"a", "a very long word that is cut", ""}, []bool{true, true, false})
	b.Field(1).(*array.Float64Builder).AppendValues([]float64{45, 2.5, 0}, []bool{true, true, false})
	rec := b.NewRecordBatch()
	defer rec.Release()

	tb := New(schema, 2, DefaultTruncate)
	tb.Add(rec)
	var out strings.Builder
	tb.Render(&out)
	want := `+--------------------+----+
|                   w|   n|
+--------------------+----+
|                   a|45.0|
|a very long word ...| 2.5|
+--------------------+----+
only showing top 2 rows
`
	if out.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
