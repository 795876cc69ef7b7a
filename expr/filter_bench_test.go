package expr_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/expr"
)

// filterBenchRecord is one record of the side-by-side filter workload's
// columns: kind (one of "a".."d"), amount in [0, 100), flag (random), 64K
// rows, no NULLs.
func filterBenchRecord(mem memory.Allocator) arrow.RecordBatch {
	r := rand.New(rand.NewPCG(5, 6))
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "kind", Type: arrow.BinaryTypes.String},
		{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
		{Name: "flag", Type: arrow.FixedWidthTypes.Boolean},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	kinds := []string{"a", "b", "c", "d"}
	for range 1 << 16 {
		b.Field(0).(*array.StringBuilder).Append(kinds[r.IntN(len(kinds))])
		b.Field(1).(*array.Float64Builder).Append(float64(r.IntN(1_000_000)) / 10_000)
		b.Field(2).(*array.BooleanBuilder).Append(r.IntN(2) == 0)
	}
	return b.NewRecordBatch()
}

// BenchmarkFilterKernels evaluates each piece of
// WHERE amount > 50 AND kind = 'a' over one 64K-row record, and the
// projection amount * 1.1 over that and over the 8K rows the filter leaves.
func BenchmarkFilterKernels(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := filterBenchRecord(mem)
	defer rec.Release()
	kept := rec.NewSlice(0, int64(rec.NumRows()/8)) // what the filter leaves
	defer kept.Release()
	for _, c := range []struct {
		name string
		e    expr.Expr
		rec  arrow.RecordBatch
	}{
		{"amount>50", expr.Gt(expr.Col("amount"), expr.Lit(50.0)), rec},
		{"kind='a'", expr.Eq(expr.Col("kind"), expr.Lit("a")), rec},
		{"kind<'b'", expr.Lt(expr.Col("kind"), expr.Lit("b")), rec},
		{"flag AND flag", expr.And(expr.Col("flag"), expr.Col("flag")), rec},
		{"amount*1.1", expr.Mul(expr.Col("amount"), expr.Lit(1.1)), rec},
		{"amount*1.1 over 8K", expr.Mul(expr.Col("amount"), expr.Lit(1.1)), kept},
	} {
		rec := c.rec
		b.Run(c.name, func(b *testing.B) {
			ctx := expr.NewContext(context.Background(), mem)
			b.ReportAllocs()
			for b.Loop() {
				out, err := c.e.Eval(ctx, rec)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
			b.ReportMetric(float64(b.N)*float64(rec.NumRows())/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
