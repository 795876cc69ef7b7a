package exec

import (
	"context"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
)

func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestCPUTimeAgg(t *testing.T) {
	if os.Getenv("SLUICE_CPUTIME") == "" {
		t.Skip()
	}
	for _, kind := range []string{"string", "int64"} {
		var cols []arrow.Array
		if kind == "string" {
			cols = gtZipfWords(memory.DefaultAllocator)
		} else {
			cols = gtZipfInts(memory.DefaultAllocator)
		}
		schema := arrow.NewSchema([]arrow.Field{{Name: "key", Type: cols[0].DataType(), Nullable: true}}, nil)
		src := &htSource{schema: schema}
		for _, c := range cols {
			src.recs = append(src.recs, array.NewRecordBatch(schema, []arrow.Array{c}, int64(c.Len())))
			c.Release()
		}
		op, _ := NewHashAggregateOp(src, []expr.Expr{expr.Col("key")}, []expr.Expr{expr.CountStar()}, AggregateSingle)
		tc := NewTaskContext(memory.DefaultAllocator)
		ctx := context.Background()
		runtime.LockOSThread()
		best := time.Duration(1 << 62)
		for rep := 0; rep < 15; rep++ {
			c0 := threadCPU()
			const iters = 5
			for i := 0; i < iters; i++ {
				r, _ := op.Execute(ctx, tc)
				recs, _ := batch.ReadAll(ctx, r)
				batch.Release(recs)
			}
			if d := (threadCPU() - c0) / iters; d < best {
				best = d
			}
		}
		runtime.UnlockOSThread()
		rows := float64(gtBatches * gtBatchRows)
		t.Logf("%s: %.1f M rows/s (thread CPU time, best of 15)", kind, rows/best.Seconds()/1e6)
		src.release()
	}
}
