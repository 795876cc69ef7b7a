package engine_test

import (
	"context"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/engine"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/source"
	srcmem "github.com/sluicestream/sluice/source/memory"
)

// latencyBatches is how many one-row batches BenchmarkLatency times; -short
// times a tenth.
const latencyBatches = 1000

// latencyMaxPause bounds the random pause before each row: rows arrive at
// random moments, as real rows do, not in step with the engine's poll of
// its sources.
const latencyMaxPause = 10 * time.Millisecond

// stampSink records when each batch reached it, after reading the batch.
type stampSink struct{ seen chan time.Time }

func (s *stampSink) Write(ctx context.Context, _ batch.ID, _ sink.OutputMode, r batch.Reader) error {
	defer r.Close()
	for {
		rec, err := r.Next(ctx)
		if err == io.EOF {
			s.seen <- time.Now()
			return nil
		}
		if err != nil {
			return err
		}
		rec.Release()
	}
}

func (s *stampSink) Close() error { return nil }

// BenchmarkLatency measures the latency floor of a stateless query: SELECT
// k, v + 1 FROM t WHERE v >= 0 over a memory stream, Trigger
// ProcessingTime(0), with a checkpoint in a local directory, so that every
// batch's offsets/N and commits/N are fsynced before the next. 1,000 times
// (100 with -short) a producer waits a random pause (0-10 ms, fixed seed),
// adds one row and waits until the sink has read it (p50-ms, p99-ms: from
// AddData to the end of the sink's Write) and until commits/N is durable
// (durable-p50-ms, durable-p99-ms: to PhaseCommitWritten). b.N repeats the
// whole series; the timer covers it, pauses included.
func BenchmarkLatency(b *testing.B) {
	n := latencyBatches
	if testing.Short() {
		n /= 10
	}
	rec := int64Record(1, func(int) int64 { return 7 })
	defer rec.Release()
	var toSink, toCommit []float64
	for range b.N {
		s, c := latencyOnce(b, rec, n)
		toSink, toCommit = append(toSink, s...), append(toCommit, c...)
	}
	b.ReportMetric(percentile(toSink, 0.5), "p50-ms")
	b.ReportMetric(percentile(toSink, 0.99), "p99-ms")
	b.ReportMetric(percentile(toCommit, 0.5), "durable-p50-ms")
	b.ReportMetric(percentile(toCommit, 0.99), "durable-p99-ms")
}

// latencyOnce runs the query over n one-row batches and returns each
// batch's milliseconds from AddData to the sink and to its commit.
func latencyOnce(b *testing.B, rec arrow.RecordBatch, n int) (toSink, toCommit []float64) {
	b.StopTimer()
	st, err := checkpoint.OpenLocal(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	stream := srcmem.New(ckptSchema)
	defer stream.Release()
	table := engine.NewStreamTable("t", ckptSchema)
	sk := &stampSink{seen: make(chan time.Time, 1)}
	committed := make(chan time.Time, 1)
	q, err := engine.Start(context.Background(), engine.Options{
		Plan:       latencyPlan(b, table),
		Sources:    map[string]source.Source{"t": stream},
		Sink:       sk,
		Mode:       sink.Append,
		Checkpoint: st,
		Trigger:    engine.ProcessingTime(0),
		OnPhase: func(_ batch.ID, p engine.Phase) {
			if p == engine.PhaseCommitWritten {
				committed <- time.Now()
			}
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer q.Stop()
	r := rand.New(rand.NewPCG(7, 8))
	b.StartTimer()
	for range n {
		time.Sleep(time.Duration(r.Int64N(int64(latencyMaxPause))))
		start := time.Now()
		if _, err := stream.AddData(rec); err != nil {
			b.Fatal(err)
		}
		toSink = append(toSink, msSince(start, await(b, q, sk.seen)))
		toCommit = append(toCommit, msSince(start, await(b, q, committed)))
	}
	b.StopTimer()
	return toSink, toCommit
}

// await returns the next time on ch, failing if the query ends first.
func await(b *testing.B, q *engine.Query, ch <-chan time.Time) time.Time {
	select {
	case t := <-ch:
		return t
	case <-time.After(10 * time.Second):
		b.Fatalf("no batch within 10 s; query error: %v", q.Err())
		return time.Time{}
	}
}

func msSince(start, t time.Time) float64 { return float64(t.Sub(start).Microseconds()) / 1000 }

// latencyPlan is SELECT k, v + 1 AS v1 FROM t WHERE v >= 0.
func latencyPlan(b *testing.B, table *engine.StreamTable) plan.Node {
	f, err := plan.NewFilter(plan.NewScan(table), expr.GtEq(expr.Col("v"), expr.Lit(int64(0))))
	if err != nil {
		b.Fatal(err)
	}
	p, err := plan.NewProject(f, []expr.Expr{expr.Col("k"), expr.As(expr.Add(expr.Col("v"), expr.Lit(int64(1))), "v1")})
	if err != nil {
		b.Fatal(err)
	}
	return p
}
