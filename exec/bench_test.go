package exec

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
)

// benchRecord is n rows of (a int64 pseudo-random, s string), a NULL every
// 16th row.
func benchRecord(mem memory.Allocator, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, schemaOf("a", arrow.PrimitiveTypes.Int64, "s", arrow.BinaryTypes.String))
	defer b.Release()
	ab := b.Field(0).(*array.Int64Builder)
	sb := b.Field(1).(*array.StringBuilder)
	x := uint64(88172645463325252)
	for i := range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		if i%16 == 0 {
			ab.AppendNull()
		} else {
			ab.Append(int64(x % 1000))
		}
		sb.Append("row")
	}
	return b.NewRecordBatch()
}

func benchOp(b *testing.B, newOp func(in Operator) (Operator, error)) {
	mem := memory.NewGoAllocator()
	rec := benchRecord(mem, 1<<16)
	defer rec.Release()
	src := &source{t: nil, schema: rec.Schema(), recs: []arrow.RecordBatch{rec}, armed: true}
	op, err := newOp(src)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(rec.NumRows() * 8)
	for b.Loop() {
		r, err := op.Execute(context.Background(), NewTaskContext(mem))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := drain(r); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

func BenchmarkFilter(b *testing.B) {
	benchOp(b, func(in Operator) (Operator, error) { return newFilter(in, gt("a", 500)) })
}

func BenchmarkSort(b *testing.B) {
	benchOp(b, func(in Operator) (Operator, error) {
		return newSort(in, []plan.SortKey{{Expr: expr.Col("a")}, {Expr: expr.Col("s"), Desc: true}})
	})
}

func BenchmarkProject(b *testing.B) {
	benchOp(b, func(in Operator) (Operator, error) {
		return newProject(in, []expr.Expr{expr.Col("s"), expr.As(expr.Lit(int64(1)), "one")}, schemaOf("s", arrow.BinaryTypes.String, "one", arrow.PrimitiveTypes.Int64))
	})
}
