package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/reugn/go-streams/extension"
	"github.com/reugn/go-streams/flow"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/engine"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/source"
	srcmem "github.com/sluicestream/sluice/source/memory"
	"github.com/sluicestream/sluice/statestore"
	statemem "github.com/sluicestream/sluice/statestore/mem"
	staterocks "github.com/sluicestream/sluice/statestore/rocksdb"
)

// Streaming word count: the same lines in 10 micro-batches, the counts kept
// as state across them.
const swcBatches = 10

func init() {
	register(&workload{
		name:  "streaming-wordcount",
		rank:  2,
		title: "Streaming word count",
		about: "The lines of the batch word count (1,000,000 × 10 words) arriving in 10 micro-batches of 100,000 lines; " +
			"each system keeps every word's running count as state and ends with the same counts. " +
			"Timed from the first batch in to the last batch's state durable (Sluice) or applied (the peers); " +
			"fresh state, checkpoint directory and stream for every run, built outside the timer.",
		unit:   "words/s",
		smoke:  2_000,
		full:   1_000_000,
		work:   func(n int) float64 { return float64(n * wcWordsPer) },
		expect: wordCountAnswer,
		systems: []system{
			{name: "sluice-rocksdb-async", about: "engine, Update mode, AvailableNow with ReadLimit of one batch, RocksDB state, checkpoint in a local directory, asynchronous state uploads (the default)", prepare: prepareSluiceStream(rocksAsync)},
			{name: "sluice-rocksdb-sync", about: "the same with SyncCheckpoint: batch N+1 waits for batch N's upload", prepare: prepareSluiceStream(rocksSync)},
			{name: "sluice-mem", about: "the same (async) with the memory state provider", prepare: prepareSluiceStream(memState)},
			{name: "duckdb-incremental", about: "per batch: appender into a batch table, `GROUP BY` the batch's words, `INSERT … ON CONFLICT (word) DO UPDATE SET n = n + excluded.n` into a state table", prepare: prepareDuckStream},
			{name: "benthos", about: "`public/service` stream, batches of 1,000 lines from a batch producer func (GOMAXPROCS concurrent callers), a batch processor that splits and counts into shared state (per-batch map merged under a mutex), pipeline threads = GOMAXPROCS", prepare: benthosWordCount(0)},
			{name: "benthos-1thread", about: "the same with one pipeline thread", prepare: benthosWordCount(1)},
			{name: "go-streams", about: "channel source of lines → `flow.FlatMap` split (parallelism GOMAXPROCS) → a sink counting into a Go map (one stream: go-streams has no micro-batches)", prepare: prepareGoStreams},
		},
		ratios: []ratio{
			{num: "sluice-rocksdb-async", dens: []string{"duckdb-incremental"}, atLeast: 3, why: "the issue's target: Sluice with durable RocksDB state at least 3× DuckDB's incremental loop."},
			{num: "sluice-rocksdb-async", dens: []string{"benthos", "benthos-1thread"}, atLeast: 2, why: "the issue's target: at least 2× the best Benthos configuration."},
		},
	})
}

// swcMode is how a Sluice run keeps its state and checkpoints.
type swcMode int

const (
	rocksAsync swcMode = iota
	rocksSync
	memState
)

var swcSchema = arrow.NewSchema([]arrow.Field{{Name: "value", Type: arrow.BinaryTypes.String}}, nil)

// swcPlan is SELECT word, count(*) AS count FROM (SELECT
// explode(split(value, " ")) AS word FROM lines) GROUP BY word.
func swcPlan(table *engine.StreamTable) (plan.Node, error) {
	ex, err := plan.NewExplode(plan.NewScan(table), expr.Split(expr.Col("value"), " "), "word")
	if err != nil {
		return nil, err
	}
	pr, err := plan.NewProject(ex, []expr.Expr{expr.Col("word")})
	if err != nil {
		return nil, err
	}
	return plan.NewAggregate(pr, []expr.Expr{expr.Col("word")}, []expr.Expr{expr.As(expr.CountStar(), "count")})
}

// countSink keeps each word's latest count from an Update-mode word count.
type countSink struct{ counts answer }

func (s *countSink) Write(ctx context.Context, _ batch.ID, _ sink.OutputMode, r batch.Reader) error {
	defer r.Close()
	return readerCounts(ctx, r, s.counts)
}

func (s *countSink) Close() error { return nil }

// sluiceStream is one Sluice run's fresh resources.
type sluiceStream struct {
	dir    string
	prov   statestore.Provider
	stream *srcmem.Stream
	sink   *countSink
	opts   engine.Options
}

func (s *sluiceStream) close() error {
	var err error
	if s.prov != nil {
		err = s.prov.Close()
	}
	if s.stream != nil {
		s.stream.Release()
	}
	if s.dir != "" {
		if rerr := os.RemoveAll(s.dir); err == nil {
			err = rerr
		}
	}
	*s = sluiceStream{}
	return err
}

func prepareSluiceStream(mode swcMode) func(ctx context.Context, n int) (*runner, error) {
	return func(ctx context.Context, n int) (*runner, error) {
		recs := linesRecords(memory.DefaultAllocator, wordCountLines(n), n/swcBatches)
		cur := &sluiceStream{}
		release := func() {
			for _, r := range recs {
				r.Release()
			}
		}
		return &runner{
			reset: func(ctx context.Context) error {
				if err := cur.close(); err != nil {
					return err
				}
				return cur.open(mode, recs, n/swcBatches)
			},
			run: func(ctx context.Context) (answer, error) {
				q, err := engine.Start(ctx, cur.opts)
				if err != nil {
					return nil, err
				}
				defer q.Stop()
				if err := q.AwaitTermination(); err != nil {
					return nil, err
				}
				if got := len(q.RecentProgress()); got != swcBatches {
					return nil, fmt.Errorf("%d micro-batches, want %d", got, swcBatches)
				}
				return cur.sink.counts, nil
			},
			close: func() error { release(); return cur.close() },
		}, nil
	}
}

// open builds a fresh checkpoint directory, state provider and stream.
func (s *sluiceStream) open(mode swcMode, recs []arrow.RecordBatch, batchRows int) error {
	dir, err := os.MkdirTemp("", "sluicebench-")
	if err != nil {
		return err
	}
	s.dir = dir
	st, err := checkpoint.OpenLocal(dir + "/checkpoint")
	if err != nil {
		return err
	}
	if mode == memState {
		s.prov = statemem.New(statemem.Options{Storage: st})
	} else if s.prov, err = staterocks.New(staterocks.Options{LocalDir: dir + "/state", Storage: st}); err != nil {
		return err
	}
	s.stream = srcmem.New(linesSchema)
	if _, err := s.stream.AddData(recs...); err != nil {
		return err
	}
	table := engine.NewStreamTable("lines", linesSchema)
	p, err := swcPlan(table)
	if err != nil {
		return err
	}
	s.sink = &countSink{counts: make(answer, wcVocabulary)}
	s.opts = engine.Options{
		Plan:           p,
		Sources:        map[string]source.Source{"lines": s.stream},
		Sink:           s.sink,
		Mode:           sink.Update,
		Checkpoint:     st,
		Trigger:        engine.AvailableNow(),
		ReadLimit:      source.ReadLimit{MaxRows: int64(batchRows)},
		StateProvider:  s.prov,
		SyncCheckpoint: mode == rocksSync,
	}
	return nil
}

const duckUpsert = "INSERT INTO state SELECT word, count(*) FROM (SELECT unnest(string_split(line, ' ')) AS word FROM batch) GROUP BY word " +
	"ON CONFLICT (word) DO UPDATE SET n = n + excluded.n"

func prepareDuckStream(ctx context.Context, n int) (*runner, error) {
	d, err := openDuck(ctx, 0)
	if err != nil {
		return nil, err
	}
	if err := d.exec(ctx, "CREATE TABLE batch (line VARCHAR)"); err != nil {
		d.close()
		return nil, err
	}
	lines := wordCountLines(n)
	per := n / swcBatches
	return &runner{
		reset: func(ctx context.Context) error {
			return d.exec(ctx, "CREATE OR REPLACE TABLE state (word VARCHAR PRIMARY KEY, n BIGINT)")
		},
		run: func(ctx context.Context) (answer, error) {
			for i := range swcBatches {
				if err := d.appendLines("batch", lines[i*per:(i+1)*per]); err != nil {
					return nil, err
				}
				if err := d.exec(ctx, duckUpsert); err != nil {
					return nil, err
				}
				if err := d.exec(ctx, "DELETE FROM batch"); err != nil {
					return nil, err
				}
			}
			return d.counts(ctx, "SELECT word, n FROM state")
		},
		close: d.close,
	}, nil
}

// benthosBatch is the lines per Benthos message batch.
const benthosBatch = 1_000

// wordCounter is the Benthos processor: it splits each message's line and
// adds its words to shared counts, merging a batch's counts under a mutex.
type wordCounter struct {
	mu     *sync.Mutex
	counts map[string]int64
}

func (w *wordCounter) ProcessBatch(_ context.Context, b service.MessageBatch) ([]service.MessageBatch, error) {
	local := make(map[string]int64, 1024)
	for _, m := range b {
		line, err := m.AsBytes()
		if err != nil {
			return nil, err
		}
		start := 0
		for j := range line {
			if line[j] == ' ' {
				local[string(line[start:j])]++
				start = j + 1
			}
		}
		local[string(line[start:])]++
	}
	w.mu.Lock()
	for k, v := range local {
		w.counts[k] += v
	}
	w.mu.Unlock()
	return nil, nil // counted: nothing goes downstream
}

func (w *wordCounter) Close(context.Context) error { return nil }

// benthosRun is one Benthos stream built for one run.
type benthosRun struct {
	stream  *service.Stream
	produce service.MessageBatchHandlerFunc
	batches []service.MessageBatch
	mu      sync.Mutex
	counts  map[string]int64
}

func benthosWordCount(threads int) func(ctx context.Context, n int) (*runner, error) {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	return func(ctx context.Context, n int) (*runner, error) {
		lines := wordCountLines(n)
		var cur *benthosRun
		return &runner{
			reset: func(ctx context.Context) error {
				r, err := newBenthosRun(lines, threads)
				cur = r
				return err
			},
			run: func(ctx context.Context) (answer, error) { return cur.run(ctx) },
		}, nil
	}
}

func newBenthosRun(lines []string, threads int) (*benthosRun, error) {
	r := &benthosRun{counts: make(map[string]int64, wcVocabulary)}
	env := service.NewEnvironment()
	err := env.RegisterBatchProcessor("wordcount", service.NewConfigSpec(), func(*service.ParsedConfig, *service.Resources) (service.BatchProcessor, error) {
		return &wordCounter{mu: &r.mu, counts: r.counts}, nil
	})
	if err != nil {
		return nil, err
	}
	sb := env.NewStreamBuilder()
	sb.SetThreads(threads)
	if err := sb.SetLoggerYAML("level: none"); err != nil {
		return nil, err
	}
	if r.produce, err = sb.AddBatchProducerFunc(); err != nil {
		return nil, err
	}
	if err := sb.AddProcessorYAML("wordcount: {}"); err != nil {
		return nil, err
	}
	if err := sb.AddBatchConsumerFunc(func(context.Context, service.MessageBatch) error { return nil }); err != nil {
		return nil, err
	}
	if r.stream, err = sb.Build(); err != nil {
		return nil, err
	}
	for start := 0; start < len(lines); start += benthosBatch {
		end := min(start+benthosBatch, len(lines))
		b := make(service.MessageBatch, 0, end-start)
		for _, l := range lines[start:end] {
			b = append(b, service.NewMessage([]byte(l)))
		}
		r.batches = append(r.batches, b)
	}
	return r, nil
}

// run starts the stream, feeds every batch from GOMAXPROCS producers (each
// call blocks until its batch is processed), then stops the stream.
func (r *benthosRun) run(ctx context.Context) (answer, error) {
	done := make(chan error, 1)
	go func() { done <- r.stream.Run(ctx) }()
	next := make(chan service.MessageBatch)
	errs := make(chan error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range next {
				if err := r.produce(ctx, b); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for _, b := range r.batches {
		next <- b
	}
	close(next)
	wg.Wait()
	close(errs)
	perr := <-errs
	if err := r.stream.Stop(ctx); err != nil && perr == nil {
		perr = err
	}
	if err := <-done; err != nil && perr == nil && ctx.Err() == nil {
		perr = err
	}
	if perr != nil {
		return nil, perr
	}
	return countsAnswer(r.counts), nil
}

// mapSink is a go-streams sink counting words into a Go map.
type mapSink struct {
	in     chan any
	counts map[string]int64
	done   chan struct{}
}

func newMapSink() *mapSink {
	s := &mapSink{in: make(chan any), counts: make(map[string]int64, wcVocabulary), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for w := range s.in {
			s.counts[w.(string)]++
		}
	}()
	return s
}

func (s *mapSink) In() chan<- any   { return s.in }
func (s *mapSink) AwaitCompletion() { <-s.done }

func prepareGoStreams(ctx context.Context, n int) (*runner, error) {
	lines := wordCountLines(n)
	return &runner{run: func(ctx context.Context) (answer, error) {
		in := make(chan any)
		sink := newMapSink()
		split := flow.NewFlatMap(func(l string) []string { return strings.Split(l, " ") }, runtime.GOMAXPROCS(0))
		go extension.NewChanSource(in).Via(split).To(sink)
		for _, l := range lines {
			in <- l
		}
		close(in)
		sink.AwaitCompletion()
		return countsAnswer(sink.counts), nil
	}}, nil
}
