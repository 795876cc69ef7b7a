package exec

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/internal/benchdata"
	"github.com/sluicestream/sluice/plan"
)

// The side-by-side "filter" workload (bench/cmd/sluicebench/filter.go) in
// miniature: the same schema, value distributions and record size, planned
// the way the DataFrame API plans it, so a profile of this benchmark is a
// profile of that query's hot loops.
const (
	eventRecordRows = 1 << 16
	eventRecords    = 16
)

// eventSchema is the workload's (internal/benchdata).
var eventSchema = benchdata.EventSchema

// eventRecordsOf builds nrec records of rows events each, the workload's
// first nrec*rows events; the caller releases them.
func eventRecordsOf(mem memory.Allocator, nrec, rows int) []arrow.RecordBatch {
	return benchdata.EventRecords(mem, benchdata.EventColumns(nrec*rows), rows)
}

// filterProjectPlan is
//
//	SELECT id, user, amount * 1.1 AS gross FROM t WHERE amount > 50 AND kind = 'a'
//
// as the DataFrame API builds it, optimised and built.
func filterProjectPlan(t plan.Table) (Operator, error) {
	f, err := plan.NewFilter(plan.NewScan(t), expr.And(
		expr.Gt(expr.Col("amount"), expr.Lit(50.0)),
		expr.Eq(expr.Col("kind"), expr.Lit("a"))))
	if err != nil {
		return nil, err
	}
	p, err := plan.NewProject(f, []expr.Expr{
		expr.Col("id"), expr.Col("user"),
		expr.As(expr.Mul(expr.Col("amount"), expr.Lit(1.1)), "gross")})
	if err != nil {
		return nil, err
	}
	opt, err := plan.Optimize(p)
	if err != nil {
		return nil, err
	}
	return Build(opt)
}

func BenchmarkFilterProject(b *testing.B) {
	mem := memory.NewGoAllocator()
	recs := eventRecordsOf(mem, eventRecords, eventRecordRows)
	src := &source{schema: eventSchema, recs: recs, armed: true}
	defer batch.Release(recs)
	op, err := filterProjectPlan(&testTable{source: src, name: "events"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var kept int64
	for b.Loop() {
		r, err := op.Execute(context.Background(), NewTaskContext(mem))
		if err != nil {
			b.Fatal(err)
		}
		if kept, err = drain(r); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
	rows := float64(b.N) * eventRecords * eventRecordRows
	b.ReportMetric(rows/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(kept)/(eventRecords*eventRecordRows), "kept")
}

// BenchmarkSecondConjunct runs kind = 'a' after a first conjunct that keeps
// a given share of the rows, over the whole record ("whole") or over only
// the rows kept ("kept"), to place wholeRecordDensity.
func BenchmarkSecondConjunct(b *testing.B) {
	mem := memory.NewGoAllocator()
	recs := eventRecordsOf(mem, 4, eventRecordRows)
	defer batch.Release(recs)
	for _, pct := range []float64{0.5, 2, 5, 10, 30} {
		for _, whole := range []bool{true, false} {
			first := expr.Gt(expr.Col("amount"), expr.Lit(100-pct))
			second := expr.Eq(expr.Col("kind"), expr.Lit("a"))
			op, err := newScan(&testTable{source: &source{schema: eventSchema, recs: recs, armed: true}, name: "events"},
				[]string{"id"}, []expr.Expr{first, second}, schemaOf("id", arrow.PrimitiveTypes.Int64))
			if err != nil {
				b.Fatal(err)
			}
			name := fmt.Sprintf("whole-%v%%", pct)
			op.preds[1].wholeWhile = math.MaxInt32
			if !whole {
				op.preds[1].wholeWhile, name = 0, fmt.Sprintf("kept-%v%%", pct)
			}
			b.Run(name, func(b *testing.B) { runOperator(b, mem, op) })
		}
	}
}

// runOperator executes op over and over, draining it.
func runOperator(b *testing.B, mem memory.Allocator, op Operator) {
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
