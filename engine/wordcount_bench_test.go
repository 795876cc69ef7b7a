package engine_test

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/commitlog"
	"github.com/sluicestream/sluice/engine"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/internal/benchdata"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/source"
	srcmem "github.com/sluicestream/sluice/source/memory"
	staterocks "github.com/sluicestream/sluice/statestore/rocksdb"
)

// The streaming word-count workload: the lines of the root package's
// BenchmarkWordCount (internal/benchdata: 1,000,000 lines of 10 words from
// a 10,000-word vocabulary, so the same words), cut into 10 records of
// 100,000 lines, one micro-batch each.
const (
	swcLines      = 1_000_000
	swcWordsPer   = benchdata.WordsPerLine
	swcVocabulary = benchdata.Vocabulary
	swcBatchRows  = 100_000
	swcBatches    = swcLines / swcBatchRows
	swcWords      = swcLines * swcWordsPer
)

var swcSchema = arrow.NewSchema([]arrow.Field{{Name: "value", Type: arrow.BinaryTypes.String}}, nil)

var swcData struct {
	once sync.Once
	recs []arrow.RecordBatch // never released: shared by every run
}

// streamingWordCountRecords returns the workload's records, built once.
func streamingWordCountRecords() []arrow.RecordBatch {
	swcData.once.Do(func() {
		lines := benchdata.WordCountLines(swcLines)
		for lo := 0; lo < swcLines; lo += swcBatchRows {
			b := array.NewStringBuilder(memory.DefaultAllocator)
			b.AppendValues(lines[lo:lo+swcBatchRows], nil)
			col := b.NewArray()
			b.Release()
			swcData.recs = append(swcData.recs, array.NewRecordBatch(swcSchema, []arrow.Array{col}, swcBatchRows))
			col.Release()
		}
	})
	return swcData.recs
}

// swcPlan is SELECT word, count(*) AS count FROM (SELECT
// explode(split(value, " ")) AS word FROM lines) GROUP BY word, as the
// aggregation tests build it.
func swcPlan(b *testing.B, table *engine.StreamTable) plan.Node {
	ex, err := plan.NewExplode(plan.NewScan(table), expr.Split(expr.Col("value"), " "), "word")
	if err != nil {
		b.Fatal(err)
	}
	pr, err := plan.NewProject(ex, []expr.Expr{expr.Col("word")})
	if err != nil {
		b.Fatal(err)
	}
	agg, err := plan.NewAggregate(pr, []expr.Expr{expr.Col("word")}, []expr.Expr{expr.As(expr.CountStar(), "count")})
	if err != nil {
		b.Fatal(err)
	}
	return agg
}

// countSink consumes an Update-mode word count cheaply: it reads every
// record and releases it. With keep set it also keeps each word's latest
// count, which the benchmark checks after the run.
type countSink struct {
	keep   bool
	counts map[string]int64
	rows   int64
}

func (s *countSink) Write(ctx context.Context, _ batch.ID, _ sink.OutputMode, r batch.Reader) error {
	defer r.Close()
	for {
		rec, err := r.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		s.rows += rec.NumRows()
		if s.keep {
			words, wok := rec.Column(0).(*array.String)
			counts, cok := rec.Column(1).(*array.Int64)
			if !wok || !cok {
				rec.Release()
				return fmt.Errorf("output columns %s, %s; want string, int64", rec.Column(0).DataType(), rec.Column(1).DataType())
			}
			for i := range words.Len() {
				s.counts[words.Value(i)] = counts.Value(i)
			}
		}
		rec.Release()
	}
}

func (s *countSink) Close() error { return nil }

// swcMode is one way of checkpointing the streaming word count.
type swcMode struct {
	name string
	sync bool // Options.SyncCheckpoint
	mem  bool // checkpoint.Mem instead of a local directory
}

// BenchmarkStreamingWordCount counts the words of 1,000,000 lines (10,000,000
// words) in 10 micro-batches of 100,000 lines (Trigger AvailableNow with
// ReadLimit MaxRows 100,000), in Update mode, with state in a fresh RocksDB
// provider, and reports words/s. Every iteration starts from nothing: a new
// checkpoint, a new provider over a new local directory, a new memory
// stream holding the 10 records; building them and closing the provider
// are outside the timer. The timer covers Start to the end of the query,
// so every batch's state upload and commits/N are inside it.
//
//   - async: a checkpoint in a local directory, default options (state
//     uploads overlap the next batch).
//   - sync: the same with Options.SyncCheckpoint: batch N+1 waits for batch
//     N's upload.
//   - nocheckpoint: a checkpoint.Mem, nothing written to disk but RocksDB's
//     own local files. Sluice always needs checkpoint storage; this is what
//     a query without a checkpoint location would cost at best (logs and
//     state uploads become memory copies), so async/nocheckpoint is the
//     price of durability.
//
// The last iteration's sink keeps each word's latest count: their total must
// be 10,000,000 and the last commit batch 9, so a broken engine cannot look
// fast.
func BenchmarkStreamingWordCount(b *testing.B) {
	recs := streamingWordCountRecords()
	for _, m := range []swcMode{{name: "async"}, {name: "sync", sync: true}, {name: "nocheckpoint", mem: true}} {
		b.Run(m.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				streamingWordCountOnce(b, m, recs, i == b.N-1)
			}
			b.ReportMetric(float64(swcWords)*float64(b.N)/b.Elapsed().Seconds(), "words/s")
		})
	}
}

// streamingWordCountOnce runs the query once, timing Start to its end (the
// timer is left stopped, so the deferred closes are not timed); check
// verifies the output.
func streamingWordCountOnce(b *testing.B, m swcMode, recs []arrow.RecordBatch, check bool) {
	b.StopTimer()
	ctx := context.Background()
	var st checkpoint.Storage = checkpoint.NewMem()
	if !m.mem {
		local, err := checkpoint.OpenLocal(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		st = local
	}
	prov, err := staterocks.New(staterocks.Options{LocalDir: b.TempDir(), Storage: st})
	if err != nil {
		b.Fatal(err)
	}
	defer prov.Close()
	stream := srcmem.New(swcSchema)
	defer stream.Release()
	if _, err := stream.AddData(recs...); err != nil {
		b.Fatal(err)
	}
	table := engine.NewStreamTable("lines", swcSchema)
	sk := &countSink{keep: check, counts: make(map[string]int64, swcVocabulary)}
	opts := engine.Options{
		Plan:           swcPlan(b, table),
		Sources:        map[string]source.Source{"lines": stream},
		Sink:           sk,
		Mode:           sink.Update,
		Checkpoint:     st,
		Trigger:        engine.AvailableNow(),
		ReadLimit:      source.ReadLimit{MaxRows: swcBatchRows},
		StateProvider:  prov,
		SyncCheckpoint: m.sync,
	}
	b.StartTimer()
	q, err := engine.Start(ctx, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer q.Stop() // before the provider closes, also after a failure
	err = q.AwaitTermination()
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if n := len(q.RecentProgress()); n != swcBatches {
		b.Fatalf("%d micro-batches, want %d", n, swcBatches)
	}
	if last := q.LastProgress(); last == nil || last.BatchID != swcBatches-1 {
		b.Fatalf("last progress %+v, want batch %d", last, swcBatches-1)
	}
	if check {
		checkStreamingWordCount(b, st, sk)
	}
}

// checkStreamingWordCount checks that the run committed batches 0 to 9 and
// that the latest counts the sink saw total the workload's words.
func checkStreamingWordCount(b *testing.B, st checkpoint.Storage, sk *countSink) {
	ids, err := commitlog.New(st).List(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	if len(ids) == 0 || ids[len(ids)-1] != swcBatches-1 {
		b.Fatalf("commits %v, want the last to be %d", ids, swcBatches-1)
	}
	var total int64
	for _, c := range sk.counts {
		total += c
	}
	if total != swcWords || len(sk.counts) == 0 || len(sk.counts) > swcVocabulary {
		b.Fatalf("%d words in %d groups, want %d words in at most %d groups", total, len(sk.counts), swcWords, swcVocabulary)
	}
}
