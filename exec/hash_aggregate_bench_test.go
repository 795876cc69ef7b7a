package exec

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
)

// benchAggregate measures a whole hash aggregation, group by the one column
// of cols with count(*), over gtBatches records of gtBatchRows rows each, and
// reports input rows per second.
func benchAggregate(b *testing.B, cols []arrow.Array) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "key", Type: cols[0].DataType(), Nullable: true}}, nil)
	src := &htSource{schema: schema}
	for _, c := range cols {
		src.recs = append(src.recs, array.NewRecordBatch(schema, []arrow.Array{c}, int64(c.Len())))
		c.Release()
	}
	defer src.release()
	op, err := NewHashAggregateOp(src, []expr.Expr{expr.Col("key")}, []expr.Expr{expr.As(expr.CountStar(), "n")}, AggregateSingle)
	if err != nil {
		b.Fatal(err)
	}
	tc := NewTaskContext(memory.DefaultAllocator)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := op.Execute(ctx, tc)
		if err != nil {
			b.Fatal(err)
		}
		recs, err := batch.ReadAll(ctx, r)
		if err != nil {
			b.Fatal(err)
		}
		batch.Release(recs)
	}
	b.ReportMetric(float64(b.N)*gtBatches*gtBatchRows/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkHashAggregateString is word count: 65,536-row batches of words
// from a 10,000-word Zipf vocabulary, grouped with count(*).
func BenchmarkHashAggregateString(b *testing.B) {
	benchAggregate(b, gtZipfWords(memory.DefaultAllocator))
}

// BenchmarkHashAggregateInt64 is the same over int64 keys.
func BenchmarkHashAggregateInt64(b *testing.B) {
	benchAggregate(b, gtZipfInts(memory.DefaultAllocator))
}
