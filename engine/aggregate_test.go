package engine_test

import (
	"context"
	"errors"
	"io"
	"maps"
	"os"
	"strconv"
	"strings"
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
	"github.com/sluicestream/sluice/offsetlog"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/source"
	srcmem "github.com/sluicestream/sluice/source/memory"
	"github.com/sluicestream/sluice/statestore"
	statemem "github.com/sluicestream/sluice/statestore/mem"
	staterocks "github.com/sluicestream/sluice/statestore/rocksdb"
)

var lineSchema = arrow.NewSchema([]arrow.Field{{Name: "value", Type: arrow.BinaryTypes.String}}, nil)

// captureSink keeps each batch's rows as word -> count (the last write of
// an id wins) and fails batch failAt once.
type captureSink struct {
	mu      sync.Mutex
	batches map[batch.ID]map[string]int64
	failAt  batch.ID
}

func (s *captureSink) Write(ctx context.Context, id batch.ID, _ sink.OutputMode, r batch.Reader) error {
	defer r.Close()
	s.mu.Lock()
	fail := id == s.failAt
	if fail {
		s.failAt = -1
	}
	s.mu.Unlock()
	if fail {
		return errInjected
	}
	rows := map[string]int64{}
	for {
		rec, err := r.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		var words []string
		if rec.NumCols() == 2 {
			w := rec.Column(0).(*array.String)
			for i := range w.Len() {
				words = append(words, w.Value(i))
			}
		} else {
			words = make([]string, rec.NumRows())
		}
		c := rec.Column(int(rec.NumCols()) - 1).(*array.Int64)
		for i, word := range words {
			if _, dup := rows[word]; dup {
				rec.Release()
				return errors.New("duplicate group " + word)
			}
			rows[word] = c.Value(i)
		}
		rec.Release()
	}
	s.mu.Lock()
	s.batches[id] = rows
	s.mu.Unlock()
	return nil
}

func (s *captureSink) Close() error { return nil }

func (s *captureSink) batch(id batch.ID) map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.batches[id]
}

func (s *captureSink) ids() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.batches)
}

// aggFixture is a stream of text lines, a checked allocator and a
// checkpoint storage shared by the runs of one test.
type aggFixture struct {
	t      *testing.T
	mem    *memory.CheckedAllocator
	stream *srcmem.Stream
	table  *engine.StreamTable
	st     checkpoint.Storage
}

func newAggFixture(t *testing.T) *aggFixture {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	f := &aggFixture{t: t, mem: mem, stream: srcmem.New(lineSchema), st: checkpoint.NewMem()}
	f.table = engine.NewStreamTable("lines", lineSchema)
	t.Cleanup(f.stream.Release)
	return f
}

func (f *aggFixture) add(lines ...string) {
	f.t.Helper()
	b := array.NewStringBuilder(f.mem)
	b.AppendValues(lines, nil)
	col := b.NewArray()
	b.Release()
	rec := array.NewRecordBatch(lineSchema, []arrow.Array{col}, int64(len(lines)))
	col.Release()
	defer rec.Release()
	if _, err := f.stream.AddData(rec); err != nil {
		f.t.Fatal(err)
	}
}

// wordCount: SELECT word, count(*) AS count FROM (SELECT
// explode(split(value, " ")) AS word FROM lines) GROUP BY word
func (f *aggFixture) wordCount() plan.Node {
	f.t.Helper()
	ex, err := plan.NewExplode(plan.NewScan(f.table), expr.Split(expr.Col("value"), " "), "word")
	if err != nil {
		f.t.Fatal(err)
	}
	pr, err := plan.NewProject(ex, []expr.Expr{expr.Col("word")})
	if err != nil {
		f.t.Fatal(err)
	}
	agg, err := plan.NewAggregate(pr, []expr.Expr{expr.Col("word")}, []expr.Expr{expr.As(expr.CountStar(), "count")})
	if err != nil {
		f.t.Fatal(err)
	}
	return agg
}

func (f *aggFixture) options(p plan.Node, mode sink.OutputMode, sk sink.Sink, prov statestore.Provider) engine.Options {
	return engine.Options{Plan: p, Sources: map[string]source.Source{"lines": f.stream},
		Sink: sk, Mode: mode, Checkpoint: f.st, Mem: f.mem, StateProvider: prov}
}

// start starts the word count with a new mem provider over the checkpoint.
func (f *aggFixture) start(mode sink.OutputMode, failAt batch.ID) (*engine.Query, *captureSink, statestore.Provider) {
	f.t.Helper()
	prov := statemem.New(statemem.Options{Storage: f.st})
	return f.startWith(f.wordCount(), mode, failAt, prov)
}

func (f *aggFixture) startWith(p plan.Node, mode sink.OutputMode, failAt batch.ID, prov statestore.Provider) (*engine.Query, *captureSink, statestore.Provider) {
	f.t.Helper()
	sk := &captureSink{batches: map[batch.ID]map[string]int64{}, failAt: failAt}
	q, err := engine.Start(f.t.Context(), f.options(p, mode, sk, prov))
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() {
		q.Stop()
		prov.Close()
	})
	return q, sk, prov
}

func (f *aggFixture) processAll(q *engine.Query) {
	f.t.Helper()
	if err := q.ProcessAllAvailable(f.t.Context()); err != nil {
		f.t.Fatal(err)
	}
}

func sameCounts(t *testing.T, what string, got, want map[string]int64) {
	t.Helper()
	if !maps.Equal(got, want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func TestAggregateUpdate(t *testing.T) {
	f := newAggFixture(t)
	q, sk, _ := f.start(sink.Update, -1)
	f.add("a b a", "c")
	f.processAll(q)
	sameCounts(t, "batch 0", sk.batch(0), map[string]int64{"a": 2, "b": 1, "c": 1})
	f.add("b d", "a")
	f.processAll(q)
	sameCounts(t, "batch 1", sk.batch(1), map[string]int64{"a": 3, "b": 2, "d": 1})
	f.add("d")
	f.processAll(q)
	sameCounts(t, "batch 2", sk.batch(2), map[string]int64{"d": 2})

	e, err := offsetlog.New(f.st).Get(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{engine.ConfStateful: "true", engine.ConfStatePartitions: strconv.Itoa(engine.DefaultStatePartitions()), engine.ConfNumSources: "1", engine.ConfStateFormat: "2"} {
		if v, _ := e.Metadata.Conf.Get(k); v != want {
			t.Errorf("conf %s = %q, want %q", k, v, want)
		}
	}
	q.Stop()
	if err := q.AwaitTermination(); err != nil {
		t.Fatal(err)
	}
}

func TestAggregateComplete(t *testing.T) {
	f := newAggFixture(t)
	q, sk, _ := f.start(sink.Complete, -1)
	f.add("a b a")
	f.processAll(q)
	sameCounts(t, "batch 0", sk.batch(0), map[string]int64{"a": 2, "b": 1})
	f.add("b c")
	f.processAll(q)
	sameCounts(t, "batch 1", sk.batch(1), map[string]int64{"a": 2, "b": 2, "c": 1})
	q.Stop()
}

func TestAggregateNoGroupKeys(t *testing.T) {
	f := newAggFixture(t)
	agg, err := plan.NewAggregate(plan.NewScan(f.table), nil, []expr.Expr{expr.As(expr.CountStar(), "n")})
	if err != nil {
		t.Fatal(err)
	}
	q, sk, _ := f.startWith(agg, sink.Complete, -1, statemem.New(statemem.Options{Storage: f.st}))
	f.add("x", "y")
	f.processAll(q)
	f.add("z")
	f.processAll(q)
	sameCounts(t, "batch 1", sk.batch(1), map[string]int64{"": 3})
	q.Stop()
}

func TestAggregateRestartNewProvider(t *testing.T) {
	f := newAggFixture(t)
	q, _, prov := f.start(sink.Update, -1)
	f.add("a b a")
	f.processAll(q)
	f.add("b")
	f.processAll(q)
	q.Stop()
	prov.Close()

	f.add("a c")
	q, sk, _ := f.start(sink.Update, -1)
	f.processAll(q)
	if sk.ids() != 1 {
		t.Fatalf("batches after restart = %d, want 1", sk.ids())
	}
	sameCounts(t, "batch 2", sk.batch(2), map[string]int64{"a": 3, "c": 1})
	q.Stop()

	f.add("b")
	q, sk, _ = f.start(sink.Complete, -1)
	f.processAll(q)
	sameCounts(t, "batch 3 (complete)", sk.batch(3), map[string]int64{"a": 3, "b": 3, "c": 1})
	q.Stop()
}

// straight runs the lines batch by batch in Complete mode and returns the
// final counts.
func straight(t *testing.T, batches [][]string) map[string]int64 {
	f := newAggFixture(t)
	q, sk, _ := f.start(sink.Complete, -1)
	for _, lines := range batches {
		f.add(lines...)
		f.processAll(q)
	}
	q.Stop()
	return sk.batch(batch.ID(len(batches) - 1))
}

func TestAggregateSinkFailureRestart(t *testing.T) {
	batches := [][]string{{"a b a"}, {"b c"}, {"c a"}}
	want := straight(t, batches)
	for _, newProvider := range []bool{true, false} {
		name := "same provider"
		if newProvider {
			name = "new provider"
		}
		t.Run(name, func(t *testing.T) {
			f := newAggFixture(t)
			q, _, prov := f.start(sink.Complete, 1)
			f.add(batches[0]...)
			f.processAll(q)
			f.add(batches[1]...)
			if err := q.AwaitTermination(); !errors.Is(err, errInjected) {
				t.Fatalf("query error = %v, want the injected failure", err)
			}
			if ids, err := commitlog.New(f.st).List(t.Context()); err != nil || len(ids) != 1 {
				t.Fatalf("commits = %v, %v; want [0]", ids, err)
			}
			var sk *captureSink
			if newProvider {
				prov.Close()
				q, sk, _ = f.start(sink.Complete, -1)
			} else {
				q, sk, _ = f.startWith(f.wordCount(), sink.Complete, -1, prov)
			}
			f.processAll(q)
			sameCounts(t, "re-run of batch 1", sk.batch(1), map[string]int64{"a": 2, "b": 2, "c": 1})
			f.add(batches[2]...)
			f.processAll(q)
			sameCounts(t, "final", sk.batch(2), want)
			q.Stop()
		})
	}
}

func TestAggregateRefused(t *testing.T) {
	f := newAggFixture(t)
	sk := &captureSink{batches: map[batch.ID]map[string]int64{}, failAt: -1}
	prov := statemem.New(statemem.Options{Storage: f.st})
	defer prov.Close()
	_, err := engine.Start(t.Context(), f.options(f.wordCount(), sink.Append, sk, prov))
	if err == nil || !strings.Contains(err.Error(), "append") || !strings.Contains(err.Error(), "watermark") {
		t.Fatalf("Start(append aggregation) = %v, want a refusal naming append and watermark", err)
	}
	_, err = engine.Start(t.Context(), f.options(f.wordCount(), sink.Update, sk, nil))
	if err == nil || !strings.Contains(err.Error(), "StateProvider") {
		t.Fatalf("Start(no provider) = %v, want a refusal naming StateProvider", err)
	}
	// A checkpoint written by the stateful query is refused to a stateless one.
	q, err := engine.Start(t.Context(), f.options(f.wordCount(), sink.Update, sk, prov))
	if err != nil {
		t.Fatal(err)
	}
	f.add("a")
	f.processAll(q)
	q.Stop()
	pr, err := plan.NewProject(plan.NewScan(f.table), []expr.Expr{expr.Col("value")})
	if err != nil {
		t.Fatal(err)
	}
	// The last commit's entry is read at restart and checked.
	q2, err := engine.Start(t.Context(), f.options(pr, sink.Append, sk, nil))
	if err == nil {
		q2.Stop()
		t.Fatal("Start(stateless on stateful checkpoint) succeeded")
	}
	if !strings.Contains(err.Error(), engine.ConfStateful) {
		t.Fatalf("Start(stateless on stateful checkpoint) = %v", err)
	}
}

// TestAggregateRocksDBRestoreFromStorage runs word count on the RocksDB
// provider, then restarts with an empty local directory: the counts continue
// from the state restored out of the checkpoint alone.
func TestAggregateRocksDBRestoreFromStorage(t *testing.T) {
	f := newAggFixture(t)
	newProvider := func(dir string) statestore.Provider {
		p, err := staterocks.New(staterocks.Options{LocalDir: dir, Storage: f.st, WriteBufferSize: 1 << 20, BlockCacheSize: 8 << 20})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	dir := t.TempDir()
	q, sk, prov := f.startWith(f.wordCount(), sink.Update, -1, newProvider(dir))
	f.add("a b a", "c")
	f.processAll(q)
	f.add("b")
	f.processAll(q)
	sameCounts(t, "batch 1", sk.batch(1), map[string]int64{"b": 2})
	q.Stop()
	prov.Close()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}

	f.add("a c d")
	q, sk, _ = f.startWith(f.wordCount(), sink.Update, -1, newProvider(t.TempDir()))
	f.processAll(q)
	sameCounts(t, "batch 2", sk.batch(2), map[string]int64{"a": 3, "c": 2, "d": 1})
	q.Stop()
}
