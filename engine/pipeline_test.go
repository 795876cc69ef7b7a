package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/engine"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/source"
	srcfile "github.com/sluicestream/sluice/source/file"
	statemem "github.com/sluicestream/sluice/statestore/mem"
	staterocks "github.com/sluicestream/sluice/statestore/rocksdb"
)

// slowState delays every write under state/: uploads then take long enough
// for the next batch to run meanwhile.
type slowState struct {
	checkpoint.Storage
	delay time.Duration
}

func (s slowState) Put(ctx context.Context, p string, r io.Reader) error {
	s.wait(p)
	return s.Storage.Put(ctx, p, r)
}

func (s slowState) Create(ctx context.Context, p string, data []byte) error {
	s.wait(p)
	return s.Storage.Create(ctx, p, data)
}

func (s slowState) Write(ctx context.Context, p string, data []byte) error {
	s.wait(p)
	return s.Storage.Write(ctx, p, data)
}

func (s slowState) wait(p string) {
	if strings.HasPrefix(p, "state/") && !strings.Contains(p, "_metadata") {
		time.Sleep(s.delay)
	}
}

// phaseLog records, for every moment a batch's offsets are written, how
// many batches were then uncommitted.
type phaseLog struct {
	mu          sync.Mutex
	started     map[batch.ID]bool
	maxOpen     int
	overlapped  bool // a batch started while another's upload ran
	uploading   int
	phasesOfOne map[engine.Phase]int
}

func newPhaseLog() *phaseLog {
	return &phaseLog{started: map[batch.ID]bool{}, phasesOfOne: map[engine.Phase]int{}}
}

func (l *phaseLog) on(id batch.ID, p engine.Phase) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.phasesOfOne[p]++
	switch p {
	case engine.PhaseOffsetsWritten:
		l.started[id] = true
		l.maxOpen = max(l.maxOpen, len(l.started))
		if l.uploading > 0 {
			l.overlapped = true
		}
	case engine.PhaseUploadStarted:
		l.uploading++
	case engine.PhaseUploadDone:
		l.uploading--
	case engine.PhaseCommitWritten:
		delete(l.started, id)
	}
}

// TestUncommittedBatches checks DESIGN.md §4's bound: asynchronous
// checkpoints let batch N+1 run while N uploads, never N+2; synchronous
// ones never overlap.
func TestUncommittedBatches(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sync    bool
		maxOpen int
	}{{"async", false, 2}, {"sync", true, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newAggFixture(t)
			f.st = slowState{Storage: f.st, delay: 20 * time.Millisecond}
			for i := range 8 {
				f.add(strings.Repeat("w"+string(rune('a'+i))+" ", 3), "x y")
			}
			log := newPhaseLog()
			sk := &captureSink{batches: map[batch.ID]map[string]int64{}, failAt: -1}
			prov := statemem.New(statemem.Options{Storage: f.st})
			defer prov.Close()
			opts := f.options(f.wordCount(), sink.Update, sk, prov)
			opts.SyncCheckpoint, opts.OnPhase = tc.sync, log.on
			opts.Trigger, opts.ReadLimit.MaxRows = engine.AvailableNow(), 2
			opts.StatePartitions = 2
			q, err := engine.Start(t.Context(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := q.AwaitTermination(); err != nil {
				t.Fatal(err)
			}
			log.mu.Lock()
			defer log.mu.Unlock()
			if log.maxOpen != tc.maxOpen {
				t.Errorf("at most %d batches uncommitted at once, want %d", log.maxOpen, tc.maxOpen)
			}
			if log.overlapped == tc.sync {
				t.Errorf("a batch started during an upload: %v, want %v", log.overlapped, !tc.sync)
			}
			if len(log.started) != 0 {
				t.Errorf("batches %v left uncommitted after the trigger ended", log.started)
			}
			if n := log.phasesOfOne[engine.PhaseCommitWritten]; n != 8 {
				t.Errorf("%d commits, want 8", n)
			}
			if got := sk.batch(7); got["x"] != 8 {
				t.Errorf("batch 7 = %v, want x=8", got)
			}
		})
	}
}

// TestStatePartitionsFixed checks a checkpoint's number of state
// partitions cannot change, and a query that does not say takes it.
func TestStatePartitionsFixed(t *testing.T) {
	f := newAggFixture(t)
	f.add("a b", "a")
	run := func(p int) (*engine.Query, error) {
		prov := statemem.New(statemem.Options{Storage: f.st})
		t.Cleanup(func() { prov.Close() })
		opts := f.options(f.wordCount(), sink.Update, &captureSink{batches: map[batch.ID]map[string]int64{}, failAt: -1}, prov)
		opts.StatePartitions, opts.Trigger = p, engine.AvailableNow()
		q, err := engine.Start(t.Context(), opts)
		if err != nil {
			return nil, err
		}
		return q, q.AwaitTermination()
	}
	if _, err := run(3); err != nil {
		t.Fatal(err)
	}
	_, err := run(2)
	if err == nil || !strings.Contains(err.Error(), "sluice.statePartitions=3, the query asks for 2") {
		t.Fatalf("restart with 2 partitions: %v, want a refusal naming both", err)
	}
	f.add("b")
	if _, err := run(0); err != nil {
		t.Fatalf("restart without a partition count: %v", err)
	}
}

// TestStateSchemaChangeRefused checks a restarted query whose aggregates
// changed type is refused with the mismatch named.
func TestStateSchemaChangeRefused(t *testing.T) {
	f := newAggFixture(t)
	f.add("a b")
	q, _, _ := f.start(sink.Update, -1)
	f.processAll(q)
	q.Stop()
	words, err := plan.NewExplode(plan.NewScan(f.table), expr.Split(expr.Col("value"), " "), "word")
	if err != nil {
		t.Fatal(err)
	}
	changed, err := plan.NewAggregate(words, []expr.Expr{expr.Col("word")},
		[]expr.Expr{expr.As(expr.Max(expr.Col("value")), "count")})
	if err != nil {
		t.Fatal(err)
	}
	prov := statemem.New(statemem.Options{Storage: f.st})
	defer prov.Close()
	_, err = engine.Start(t.Context(), f.options(changed, sink.Update, &captureSink{batches: map[batch.ID]map[string]int64{}}, prov))
	if err == nil || !strings.Contains(err.Error(), "state value column 0 (count") || !strings.Contains(err.Error(), "_metadata/schema") {
		t.Fatalf("changed aggregate: %v, want a refusal naming the state schema file and column", err)
	}
}

// TestCheckpointInUse checks a second run of a query on a checkpoint in
// use is refused, and a stopped query's checkpoint is free again.
func TestCheckpointInUse(t *testing.T) {
	f := newAggFixture(t)
	st, err := checkpoint.OpenLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f.st = st
	q, _, _ := f.start(sink.Update, -1)
	prov := statemem.New(statemem.Options{Storage: f.st})
	defer prov.Close()
	_, err = engine.Start(t.Context(), f.options(f.wordCount(), sink.Update, &captureSink{batches: map[batch.ID]map[string]int64{}}, prov))
	if err == nil || !strings.Contains(err.Error(), "already active") {
		t.Fatalf("second start: %v, want refused", err)
	}
	// Another process is refused by the directory's lock.
	if _, err := st.Lock(); !errors.Is(err, checkpoint.ErrLocked) {
		t.Fatalf("lock while the query runs: %v, want ErrLocked", err)
	}
	q.Stop()
	q2, _, _ := f.start(sink.Update, -1)
	q2.Stop()
}

// TestSortAfterAggregate checks complete mode may sort and limit the
// aggregation's rows, and update mode may not.
func TestSortAfterAggregate(t *testing.T) {
	f := newAggFixture(t)
	f.add("a b b c c c", "d d d d")
	agg := f.wordCount()
	sorted, err := plan.NewSort(agg, []plan.SortKey{{Expr: expr.Col("count"), Desc: true}})
	if err != nil {
		t.Fatal(err)
	}
	top, err := plan.NewLimit(sorted, 2)
	if err != nil {
		t.Fatal(err)
	}
	prov := statemem.New(statemem.Options{Storage: f.st})
	defer prov.Close()
	if _, err := engine.Start(t.Context(), f.options(top, sink.Update, &captureSink{batches: map[batch.ID]map[string]int64{}}, prov)); err == nil ||
		!strings.Contains(err.Error(), "needs complete output mode") {
		t.Fatalf("sort in update mode: %v, want refused", err)
	}
	q, sk, _ := f.startWith(top, sink.Complete, -1, statemem.New(statemem.Options{Storage: f.st}))
	f.processAll(q)
	sameCounts(t, "top 2", sk.batch(0), map[string]int64{"d": 4, "c": 3})
}

type listener struct {
	mu       sync.Mutex
	events   []string
	progress []*engine.Progress
}

func (l *listener) QueryStarted(e engine.StartedEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, "started")
}

func (l *listener) QueryProgress(p *engine.Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, "progress")
	l.progress = append(l.progress, p)
}

func (l *listener) QueryTerminated(e engine.TerminatedEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, "terminated")
}

// TestProgress checks the progress of a stateful batch carries Spark's
// field names and figures, and the listener hears start, every batch and
// the end, in order.
func TestProgress(t *testing.T) {
	f := newAggFixture(t)
	f.add("a b a", "c")
	l := &listener{}
	prov := statemem.New(statemem.Options{Storage: f.st})
	defer prov.Close()
	opts := f.options(f.wordCount(), sink.Update, &captureSink{batches: map[batch.ID]map[string]int64{}, failAt: -1}, prov)
	opts.Listener, opts.Name, opts.StatePartitions = l, "counts", 2
	q, err := engine.Start(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	f.processAll(q)
	f.add("a")
	f.processAll(q)
	p := q.LastProgress()
	if p == nil || p.BatchID != 1 || len(q.RecentProgress()) != 2 {
		t.Fatalf("last progress %+v, %d recent; want batch 1 of 2", p, len(q.RecentProgress()))
	}
	q.Stop()
	var m map[string]any
	if err := json.Unmarshal([]byte(p.JSON()), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "runId", "name", "timestamp", "batchId", "numInputRows", "inputRowsPerSecond",
		"processedRowsPerSecond", "durationMs", "stateOperators", "sources", "sink"} {
		if _, ok := m[k]; !ok {
			t.Errorf("progress JSON lacks %q: %s", k, p.JSON())
		}
	}
	for _, k := range []string{"walCommit", "queryPlanning", "addBatch", "commitOffsets", "triggerExecution", "stateUpload"} {
		if _, ok := p.DurationMs[k]; !ok {
			t.Errorf("durationMs lacks %q", k)
		}
	}
	if p.Name != "counts" || p.NumInputRows != 1 || p.Sources[0].NumInputRows != 1 || p.Sink.NumOutputRows != 1 {
		t.Errorf("progress %s: want name counts, 1 input row, 1 output row", p.JSON())
	}
	op := p.StateOperators[0]
	if op.NumRowsTotal != 3 || op.NumRowsUpdated != 1 || op.NumShufflePartitions != 2 || op.NumStateStoreInstances != 2 {
		t.Errorf("state operator %+v: want 3 rows total, 1 updated, 2 partitions", op)
	}
	if string(p.Sources[0].StartOffset) == string(p.Sources[0].EndOffset) {
		t.Errorf("source offsets %s..%s: want the batch's range", p.Sources[0].StartOffset, p.Sources[0].EndOffset)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if got := strings.Join(l.events, " "); got != "started progress progress terminated" {
		t.Errorf("listener heard %q", got)
	}
	if q.Status().Message != "Stopped" {
		t.Errorf("status %+v after stop", q.Status())
	}
}

// TestPurge checks old log entries and state versions go once past
// retention, and the query still restarts from what is left.
func TestPurge(t *testing.T) {
	f := newAggFixture(t)
	for range 25 {
		f.add("a b")
	}
	run := func() {
		prov := statemem.New(statemem.Options{Storage: f.st})
		defer prov.Close()
		sk := &captureSink{batches: map[batch.ID]map[string]int64{}, failAt: -1}
		opts := f.options(f.wordCount(), sink.Update, sk, prov)
		opts.Trigger, opts.ReadLimit.MaxRows, opts.MinBatchesToRetain, opts.StatePartitions = engine.AvailableNow(), 1, 3, 1
		q, err := engine.Start(t.Context(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.AwaitTermination(); err != nil {
			t.Fatal(err)
		}
	}
	run()
	offsets, err := f.st.List(t.Context(), "offsets")
	if err != nil {
		t.Fatal(err)
	}
	if len(offsets) > 3+10 {
		t.Errorf("%d offset entries after 25 batches retaining 3: %v", len(offsets), offsets)
	}
	if offsets[0] == "0" {
		t.Errorf("offsets/0 kept: %v", offsets)
	}
	f.add("a")
	run()
	q, sk, _ := f.start(sink.Update, -1)
	f.add("a")
	f.processAll(q)
	if got := sk.batch(26)["a"]; got != 27 {
		t.Fatalf("a = %d after restarts over a purged checkpoint, want 27", got)
	}
}

// TestAvailableNowPastSourceCap checks AvailableNow takes everything a
// file source has at start, in batches of its own maxFilesPerTrigger, as
// Spark's prepareForTriggerAvailableNow does.
func TestAvailableNowPastSourceCap(t *testing.T) {
	f := newAggFixture(t)
	dir := t.TempDir()
	for i, name := range []string{"a", "b", "c", "d", "e"} {
		if err := os.WriteFile(filepath.Join(dir, name+".txt"), []byte(strings.TrimSpace(strings.Repeat(name+" ", i+1))+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src, err := srcfile.New(t.Context(), srcfile.Options{Storage: f.st, Dir: "sources/0", Path: dir,
		Format: srcfile.Text, MaxFilesPerTrigger: 2})
	if err != nil {
		t.Fatal(err)
	}
	f.table = engine.NewStreamTable("lines", src.Schema())
	prov := statemem.New(statemem.Options{Storage: f.st})
	defer prov.Close()
	sk := &captureSink{batches: map[batch.ID]map[string]int64{}, failAt: -1}
	opts := f.options(f.wordCount(), sink.Complete, sk, prov)
	opts.Sources = map[string]source.Source{"lines": src}
	opts.Trigger = engine.AvailableNow()
	q, err := engine.Start(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.AwaitTermination(); err != nil {
		t.Fatal(err)
	}
	if sk.ids() != 3 {
		t.Fatalf("%d batches, want 3 (5 files, 2 per trigger)", sk.ids())
	}
	sameCounts(t, "last batch", sk.batch(2), map[string]int64{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5})
}

// writeCounter counts the writes of every path.
type writeCounter struct {
	checkpoint.Storage
	mu     sync.Mutex
	writes map[string]int
}

func (s *writeCounter) count(p string) {
	s.mu.Lock()
	s.writes[p]++
	s.mu.Unlock()
}

func (s *writeCounter) Put(ctx context.Context, p string, r io.Reader) error {
	s.count(p)
	return s.Storage.Put(ctx, p, r)
}

func (s *writeCounter) Create(ctx context.Context, p string, data []byte) error {
	s.count(p)
	return s.Storage.Create(ctx, p, data)
}

func (s *writeCounter) Write(ctx context.Context, p string, data []byte) error {
	s.count(p)
	return s.Storage.Write(ctx, p, data)
}

// TestRestartUploadsOnlyNewFiles checks the first snapshot after a restart
// uploads only the data files the checkpoint lacks: none of the last
// snapshot's files is written twice.
func TestRestartUploadsOnlyNewFiles(t *testing.T) {
	f := newAggFixture(t)
	st := &writeCounter{Storage: f.st, writes: map[string]int{}}
	f.st = st
	// One provider for both runs: its local copy holds the restarted
	// query's state, so nothing is restored and only the engine knows what
	// the checkpoint already has.
	prov, err := staterocks.New(staterocks.Options{LocalDir: t.TempDir(), Storage: f.st, SnapshotInterval: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer prov.Close()
	run := func(lines ...string) {
		for _, l := range lines {
			f.add(l)
		}
		opts := f.options(f.wordCount(), sink.Update, &captureSink{batches: map[batch.ID]map[string]int64{}, failAt: -1}, prov)
		opts.Trigger, opts.ReadLimit.MaxRows, opts.StatePartitions = engine.AvailableNow(), 1, 1
		q, err := engine.Start(t.Context(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.AwaitTermination(); err != nil {
			t.Fatal(err)
		}
	}
	words := func(from, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "w%d ", from+i)
		}
		return strings.TrimSpace(b.String())
	}
	run(words(0, 500), words(500, 500), words(1000, 500)) // versions 1-3, snapshot 2
	run(words(1500, 500), words(2000, 500))               // versions 4-5, snapshot 4
	st.mu.Lock()
	defer st.mu.Unlock()
	ssts := 0
	for p, n := range st.writes {
		if !strings.Contains(p, "/SSTs/") {
			continue
		}
		ssts++
		if n > 1 {
			t.Errorf("%s uploaded %d times", p, n)
		}
	}
	if ssts == 0 {
		t.Fatalf("no data files uploaded: %v", st.writes)
	}
}
