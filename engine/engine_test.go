package engine_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/commitlog"
	"github.com/sluicestream/sluice/engine"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/offsetlog"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
	sinkmem "github.com/sluicestream/sluice/sink/memory"
	"github.com/sluicestream/sluice/source"
	srcmem "github.com/sluicestream/sluice/source/memory"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var schema = arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)

// fixture is one stream, a checked allocator and a memory sink table.
type fixture struct {
	t      *testing.T
	mem    *memory.CheckedAllocator
	stream *srcmem.Stream
	table  *engine.StreamTable
	name   string
	st     checkpoint.Storage
}

func newFixture(t *testing.T) *fixture {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	f := &fixture{t: t, mem: mem, stream: srcmem.New(schema), name: strings.ReplaceAll(t.Name(), "/", "_"), st: checkpoint.NewMem()}
	f.table = engine.NewStreamTable("events", schema)
	t.Cleanup(func() {
		_ = sinkmem.Drop(f.name)
		f.stream.Release()
	})
	return f
}

func (f *fixture) add(vals ...int64) {
	f.t.Helper()
	b := array.NewInt64Builder(f.mem)
	b.AppendValues(vals, nil)
	col := b.NewArray()
	b.Release()
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, int64(len(vals)))
	col.Release()
	defer rec.Release()
	if _, err := f.stream.AddData(rec); err != nil {
		f.t.Fatal(err)
	}
}

// plan: SELECT v FROM events WHERE v > 0
func (f *fixture) plan() plan.Node {
	f.t.Helper()
	flt, err := plan.NewFilter(plan.NewScan(f.table), expr.Gt(expr.Col("v"), expr.Lit(int64(0))))
	if err != nil {
		f.t.Fatal(err)
	}
	p, err := plan.NewProject(flt, []expr.Expr{expr.Col("v")})
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// recordingSink records the batch ids written and fails batch failAt once.
type recordingSink struct {
	sink.Sink
	mu     sync.Mutex
	ids    []batch.ID
	failAt batch.ID
}

var errInjected = errors.New("injected sink failure")

func (s *recordingSink) Write(ctx context.Context, id batch.ID, mode sink.OutputMode, r batch.Reader) error {
	s.mu.Lock()
	fail := id == s.failAt
	if fail {
		s.failAt = -1
	} else {
		s.ids = append(s.ids, id)
	}
	s.mu.Unlock()
	if fail {
		r.Close()
		return errInjected
	}
	return s.Sink.Write(ctx, id, mode, r)
}

func (s *recordingSink) written() []batch.ID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ids)
}

func (f *fixture) start(trig engine.Trigger, failAt batch.ID, limit source.ReadLimit) (*engine.Query, *recordingSink) {
	f.t.Helper()
	inner, err := sinkmem.New(f.name)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { inner.Close() })
	rs := &recordingSink{Sink: inner, failAt: failAt}
	q, err := engine.Start(f.t.Context(), engine.Options{
		Plan: f.plan(), Sources: map[string]source.Source{"events": f.stream},
		Sink: rs, Mode: sink.Append, Checkpoint: f.st, Trigger: trig, Mem: f.mem, Name: "q",
		ReadLimit: limit,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(q.Stop)
	return q, rs
}

func (f *fixture) stopAndClose(q *engine.Query, rs *recordingSink) {
	q.Stop()
	rs.Sink.Close()
}

func (f *fixture) output() []int64 {
	f.t.Helper()
	_, recs, ok := sinkmem.Table(f.name)
	if !ok {
		return nil
	}
	defer batch.Release(recs)
	var out []int64
	for _, r := range recs {
		out = append(out, r.Column(0).(*array.Int64).Int64Values()...)
	}
	return out
}

func (f *fixture) processAll(q *engine.Query) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.t.Context(), 10*time.Second)
	defer cancel()
	if err := q.ProcessAllAvailable(ctx); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) offsetsEntry(id batch.ID) offsetlog.Entry {
	f.t.Helper()
	e, err := offsetlog.New(f.st).Get(f.t.Context(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

func (f *fixture) ids(log interface {
	List(context.Context) ([]batch.ID, error)
}) []batch.ID {
	f.t.Helper()
	ids, err := log.List(f.t.Context())
	if err != nil {
		f.t.Fatal(err)
	}
	return ids
}

func equal[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func TestFilterSelect(t *testing.T) {
	f := newFixture(t)
	q, rs := f.start(engine.ProcessingTime(0), -1, source.ReadLimit{})
	f.add(1, -2, 3)
	f.processAll(q)
	equal(t, "output", f.output(), []int64{1, 3})
	f.add(4, -5)
	f.processAll(q)
	equal(t, "output", f.output(), []int64{1, 3, 4})
	equal(t, "batches", rs.written(), []batch.ID{0, 1})

	e := f.offsetsEntry(1)
	if len(e.Offsets) != 1 || string(e.Offsets[0]) != "2" {
		t.Errorf("offsets/1 offsets = %q, want [2]", e.Offsets)
	}
	if e.Metadata.BatchWatermarkMs != 0 || e.Metadata.BatchTimestampMs == 0 {
		t.Errorf("offsets/1 metadata = %+v", e.Metadata)
	}
	if v, _ := e.Metadata.Conf.Get(engine.ConfStateful); v != "false" {
		t.Errorf("conf %s = %q", engine.ConfStateful, v)
	}
	if v, _ := e.Metadata.Conf.Get(engine.ConfNumSources); v != "1" {
		t.Errorf("conf %s = %q", engine.ConfNumSources, v)
	}
	if string(f.offsetsEntry(0).Offsets[0]) != "1" {
		t.Errorf("offsets/0 = %q", f.offsetsEntry(0).Offsets)
	}
	equal(t, "commits", f.ids(commitlog.New(f.st)), []batch.ID{0, 1})
	if c, err := commitlog.New(f.st).Get(t.Context(), 1); err != nil || c.NextBatchWatermarkMs != 0 {
		t.Errorf("commits/1 = %+v, %v", c, err)
	}

	p := q.LastProgress()
	if p == nil || p.BatchID != 1 || p.NumInputRows != 2 || p.ID != q.ID() || p.RunID != q.RunID() || p.Name != "q" {
		t.Fatalf("progress = %+v", p)
	}
	if _, ok := p.DurationMs["triggerExecution"]; !ok {
		t.Errorf("durationMs = %v", p.DurationMs)
	}
	f.stopAndClose(q, rs)
	if err := q.AwaitTermination(); err != nil {
		t.Fatal(err)
	}
}

func TestRestartContinues(t *testing.T) {
	f := newFixture(t)
	q, rs := f.start(engine.ProcessingTime(0), -1, source.ReadLimit{})
	f.add(1, 2)
	f.processAll(q)
	id := q.ID()
	f.stopAndClose(q, rs)

	f.add(3)
	q, rs = f.start(engine.ProcessingTime(0), -1, source.ReadLimit{})
	if q.ID() != id {
		t.Errorf("id after restart = %s, want %s", q.ID(), id)
	}
	f.processAll(q)
	equal(t, "batches after restart", rs.written(), []batch.ID{1})
	equal(t, "output", f.output(), []int64{1, 2, 3})
	f.stopAndClose(q, rs)
}

func TestCrashBeforeCommitReruns(t *testing.T) {
	f := newFixture(t)
	q, rs := f.start(engine.ProcessingTime(0), 1, source.ReadLimit{})
	f.add(1)
	f.processAll(q)
	f.add(2)
	err := q.AwaitTermination()
	if !errors.Is(err, errInjected) {
		t.Fatalf("query error = %v, want the injected failure", err)
	}
	if q.Err() == nil {
		t.Error("Err() = nil after a failure")
	}
	equal(t, "offsets", f.ids(offsetlog.New(f.st)), []batch.ID{0, 1})
	equal(t, "commits", f.ids(commitlog.New(f.st)), []batch.ID{0})
	before := f.offsetsEntry(1)
	f.stopAndClose(q, rs)

	f.add(3) // must not be part of the re-run of batch 1
	q, rs = f.start(engine.ProcessingTime(0), -1, source.ReadLimit{})
	f.processAll(q)
	equal(t, "batches after restart", rs.written(), []batch.ID{1, 2})
	equal(t, "output", f.output(), []int64{1, 2, 3})
	after := f.offsetsEntry(1)
	if string(after.Offsets[0]) != "2" || after.Metadata.BatchTimestampMs != before.Metadata.BatchTimestampMs {
		t.Errorf("offsets/1 changed: %+v -> %+v", before, after)
	}
	if got := string(f.offsetsEntry(2).Offsets[0]); got != "3" {
		t.Errorf("offsets/2 = %s, want 3", got)
	}
	f.stopAndClose(q, rs)
}

func TestTriggerOnce(t *testing.T) {
	f := newFixture(t)
	f.add(1)
	f.add(2)
	q, rs := f.start(engine.Once(), -1, source.ReadLimit{})
	if err := q.AwaitTermination(); err != nil {
		t.Fatal(err)
	}
	equal(t, "batches", rs.written(), []batch.ID{0})
	equal(t, "output", f.output(), []int64{1, 2})
	f.stopAndClose(q, rs)

	// nothing new: stops without a batch
	q, rs = f.start(engine.Once(), -1, source.ReadLimit{})
	if err := q.AwaitTermination(); err != nil {
		t.Fatal(err)
	}
	equal(t, "batches", rs.written(), nil)
	f.stopAndClose(q, rs)
}

func TestTriggerAvailableNow(t *testing.T) {
	f := newFixture(t)
	f.add(1)
	f.add(2)
	f.add(3)
	q, rs := f.start(engine.AvailableNow(), -1, source.ReadLimit{MaxRows: 1})
	if err := q.AwaitTermination(); err != nil {
		t.Fatal(err)
	}
	equal(t, "batches", rs.written(), []batch.ID{0, 1, 2})
	equal(t, "output", f.output(), []int64{1, 2, 3})
	if err := q.ProcessAllAvailable(t.Context()); err != nil {
		t.Errorf("ProcessAllAvailable after the end = %v", err)
	}
	f.stopAndClose(q, rs)
}

func TestRejectsStatefulPlans(t *testing.T) {
	f := newFixture(t)
	agg, err := plan.NewAggregate(plan.NewScan(f.table), nil, []expr.Expr{expr.CountStar()})
	if err != nil {
		t.Fatal(err)
	}
	inner, err := sinkmem.New(f.name)
	if err != nil {
		t.Fatal(err)
	}
	defer inner.Close()
	opts := engine.Options{Plan: agg, Sources: map[string]source.Source{"events": f.stream},
		Sink: inner, Mode: sink.Append, Checkpoint: f.st}
	_, err = engine.Start(t.Context(), opts)
	if err == nil || !strings.Contains(err.Error(), "not built yet") || !strings.Contains(err.Error(), "Aggregate") {
		t.Fatalf("Start(aggregate) = %v, want a not-built-yet error naming Aggregate", err)
	}
	opts.Plan, opts.Mode = f.plan(), sink.Complete
	if _, err := engine.Start(t.Context(), opts); err == nil || !strings.Contains(err.Error(), "complete") {
		t.Fatalf("Start(complete) = %v", err)
	}
	opts.Mode, opts.Sources = sink.Append, map[string]source.Source{}
	if _, err := engine.Start(t.Context(), opts); err == nil || !strings.Contains(err.Error(), "no source") {
		t.Fatalf("Start(no source) = %v", err)
	}
}
