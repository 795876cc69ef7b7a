package exec

import (
	"context"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
)

// BenchmarkHashJoinInt64 probes gtBatches records of gtBatchRows rows
// against a 10,000-row build side with unique int64 keys (an inner join of
// a fact stream with a dimension table; every probe key matches), and
// reports probe rows per second.
func BenchmarkHashJoinInt64(b *testing.B) {
	mem := memory.DefaultAllocator
	rng := rand.New(rand.NewSource(1))
	ls := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64}, {Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	rs := arrow.NewSchema([]arrow.Field{{Name: "rk", Type: arrow.PrimitiveTypes.Int64}, {Name: "name", Type: arrow.BinaryTypes.String}}, nil)
	left := &htSource{schema: ls}
	for i := 0; i < gtBatches; i++ {
		kb, vb := array.NewInt64Builder(mem), array.NewInt64Builder(mem)
		for j := 0; j < gtBatchRows; j++ {
			kb.Append(int64(rng.Intn(gtVocab)))
			vb.Append(int64(j))
		}
		k, v := kb.NewArray(), vb.NewArray()
		left.recs = append(left.recs, array.NewRecordBatch(ls, []arrow.Array{k, v}, gtBatchRows))
		k.Release()
		v.Release()
		kb.Release()
		vb.Release()
	}
	defer left.release()
	kb, nb := array.NewInt64Builder(mem), array.NewStringBuilder(mem)
	for j := 0; j < gtVocab; j++ {
		kb.Append(int64(j))
		nb.Append(gtRandWord(rng, 8, 26))
	}
	k, n := kb.NewArray(), nb.NewArray()
	right := &htSource{schema: rs, recs: []arrow.RecordBatch{array.NewRecordBatch(rs, []arrow.Array{k, n}, gtVocab)}}
	k.Release()
	n.Release()
	kb.Release()
	nb.Release()
	defer right.release()
	node, err := plan.NewJoin(&htNode{schema: ls}, &htNode{schema: rs}, plan.InnerJoin,
		[]expr.Expr{expr.Col("k")}, []expr.Expr{expr.Col("rk")}, nil)
	if err != nil {
		b.Fatal(err)
	}
	op, err := newHashJoin(left, right, node)
	if err != nil {
		b.Fatal(err)
	}
	tc := NewTaskContext(mem)
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
