package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/commitlog"
	"github.com/sluicestream/sluice/engine/protocol"
	"github.com/sluicestream/sluice/exec"
	"github.com/sluicestream/sluice/internal/metalog"
	"github.com/sluicestream/sluice/offsetlog"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/source"
	"github.com/sluicestream/sluice/statestore"
)

// Conf keys the engine writes in every offset log entry.
const (
	ConfStateful   = "sluice.stateful"
	ConfNumSources = "sluice.numSources"
)

type boundSource struct {
	name  string
	src   source.Source
	table *StreamTable
}

type replay struct {
	id          batch.ID
	starts      []source.Offset
	ends        []source.Offset
	timestampMs int64
	watermarkMs int64
}

// Query is a running streaming query.
type Query struct {
	id, runID string
	opts      Options
	sources   []boundSource // by name
	op        exec.Operator
	agg       *streamAgg // the streaming aggregation; nil: stateless
	post      *post      // what the query does above agg
	uploader  *statestore.Uploader
	results   chan uploadResult // finished uploads, from the uploader's goroutines
	retain    int
	unlock    func()

	checkpointFailures atomic.Int64
	sourceRows         []atomic.Int64 // rows each source gave the current batch
	offsets            *offsetlog.Log
	commits            *commitlog.Log
	rows               atomic.Int64

	// Set by Start, then owned by the loop goroutine.
	replays        []replay
	ends           []source.Offset // end offsets of the last committed batch
	next           batch.ID
	watermarkMs    int64
	resumed        batch.ID // committed batch to commit again; NoBatch: none
	committed      batch.ID // the last durable commit; NoBatch: none
	pending        []*run   // started batches not committed, ascending
	lastBatch      time.Time
	sinceLastPurge int

	cancel context.CancelFunc
	done   chan struct{}
	wake   chan struct{}

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every change below
	rounds    int64         // source polls started
	idleRound int64         // the latest poll that found nothing new
	finished  bool
	err       error
	recent    []*Progress // the latest first-to-last; never changed once added
	status    Status
}

// Start checks opts, recovers from the checkpoint and starts the query. ctx
// bounds Start only: the query runs until Stop, the end of a Once or
// AvailableNow trigger, or an error.
func Start(ctx context.Context, opts Options) (*Query, error) {
	top, above := splitAggregate(opts.Plan)
	switch {
	case opts.Plan == nil:
		return nil, errors.New("engine: no plan")
	case opts.Sink == nil:
		return nil, errors.New("engine: no sink")
	case opts.Checkpoint == nil:
		return nil, errors.New("engine: no checkpoint storage")
	case opts.Mode == sink.Complete && top == nil:
		return nil, errors.New("engine: complete output mode needs a streaming aggregation; use append or update")
	case opts.Mode != sink.Append && opts.Mode != sink.Update && opts.Mode != sink.Complete:
		return nil, fmt.Errorf("engine: unknown output mode %v", opts.Mode)
	case opts.StatePartitions < 0:
		return nil, fmt.Errorf("engine: negative StatePartitions %d", opts.StatePartitions)
	case opts.CheckpointTimeout < 0:
		return nil, fmt.Errorf("engine: negative CheckpointTimeout %v", opts.CheckpointTimeout)
	case opts.TolerableCheckpointFailures < 0:
		return nil, fmt.Errorf("engine: negative TolerableCheckpointFailures %d", opts.TolerableCheckpointFailures)
	case opts.MinBatchesToRetain < 0:
		return nil, fmt.Errorf("engine: negative MinBatchesToRetain %d", opts.MinBatchesToRetain)
	}
	if opts.Mem == nil {
		opts.Mem = memory.DefaultAllocator
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CheckpointTimeout == 0 {
		opts.CheckpointTimeout = DefaultCheckpointTimeout
	}
	q := &Query{
		opts:      opts,
		offsets:   offsetlog.New(opts.Checkpoint),
		commits:   commitlog.New(opts.Checkpoint),
		done:      make(chan struct{}),
		wake:      make(chan struct{}, 1),
		changed:   make(chan struct{}),
		resumed:   protocol.NoBatch,
		committed: protocol.NoBatch,
		runID:     metalog.NewQueryID(),
		retain:    cmp.Or(opts.MinBatchesToRetain, DefaultMinBatchesToRetain),
	}
	input := opts.Plan
	if top != nil {
		if err := checkStateful(opts, top); err != nil {
			return nil, err
		}
		input = top.Input
	}
	tables, err := streamTables(input)
	if err != nil {
		return nil, err
	}
	if err := q.bindSources(tables); err != nil {
		return nil, err
	}
	meta, _, err := metalog.LoadOrCreateQueryMetadata(ctx, opts.Checkpoint)
	if err != nil {
		return nil, fmt.Errorf("engine: query metadata: %w", err)
	}
	q.id = meta.ID
	if q.unlock, err = lock(opts.Checkpoint, q.id); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			q.unlock()
		}
	}()
	if top != nil {
		p, err := q.statePartitions(ctx)
		if err != nil {
			return nil, err
		}
		if q.agg, err = newStreamAgg(top, p); err != nil {
			return nil, err
		}
		if q.post, err = newPost(top, above, opts.Mode); err != nil {
			return nil, err
		}
		if err := q.checkStateSchema(ctx); err != nil {
			return nil, err
		}
		q.op = q.agg.partial
	} else {
		optimized, err := plan.Optimize(opts.Plan)
		if err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
		if q.op, err = exec.Build(optimized); err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
	}
	if err := q.recover(ctx); err != nil {
		return nil, err
	}
	q.sourceRows = make([]atomic.Int64, len(q.sources))
	for i, s := range q.sources {
		if err := s.table.bind(q, s.src, &q.sourceRows[i]); err != nil {
			for _, b := range q.sources[:i] {
				b.table.unbind(q)
			}
			return nil, fmt.Errorf("engine: %w", err)
		}
	}
	if q.agg != nil {
		q.results = make(chan uploadResult, protocol.MaxUncommitted*q.agg.partitions+1)
		if q.uploader, err = q.newUploader(); err != nil {
			for _, b := range q.sources {
				b.table.unbind(q)
			}
			return nil, fmt.Errorf("engine: %w", err)
		}
		q.seedUploader(ctx)
	}
	ok = true
	if opts.Listener != nil {
		opts.Listener.QueryStarted(StartedEvent{ID: q.id, RunID: q.runID, Name: opts.Name,
			Timestamp: opts.Now().UTC().Format("2006-01-02T15:04:05.000Z")})
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	q.cancel = cancel
	go q.loop(runCtx)
	return q, nil
}

// bindSources pairs every stream table with its source.
func (q *Query) bindSources(tables map[string]*StreamTable) error {
	for _, name := range slices.Sorted(maps.Keys(q.opts.Sources)) {
		src := q.opts.Sources[name]
		t, ok := tables[name]
		if !ok {
			return fmt.Errorf("engine: source %q: the plan has no stream table of that name", name)
		}
		if src == nil {
			return fmt.Errorf("engine: source %q is nil", name)
		}
		if !src.Schema().Equal(t.Schema()) {
			return fmt.Errorf("engine: source %q has schema %v, its stream table %v", name, src.Schema(), t.Schema())
		}
		q.sources = append(q.sources, boundSource{name: name, src: src, table: t})
	}
	for name := range tables {
		if _, ok := q.opts.Sources[name]; !ok {
			return fmt.Errorf("engine: stream table %q has no source in Options.Sources", name)
		}
	}
	return nil
}

// ID is the query's id, kept in the checkpoint across restarts.
func (q *Query) ID() string { return q.id }

// RunID is new at every Start.
func (q *Query) RunID() string { return q.runID }

// Stop ends the query and waits for it. A batch in flight is abandoned;
// the next Start on the checkpoint runs it again. Stop is idempotent.
func (q *Query) Stop() {
	q.cancel()
	<-q.done
}

// AwaitTermination waits for the query to end and returns its error: nil
// after Stop or the end of a Once or AvailableNow trigger.
func (q *Query) AwaitTermination() error {
	<-q.done
	return q.Err()
}

// Err returns the error that ended the query, nil while it runs or if it
// ended without one.
func (q *Query) Err() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.err
}

// numRecentProgress is how many progress records RecentProgress keeps
// (Spark's spark.sql.streaming.numRecentProgressUpdates).
const numRecentProgress = 100

// LastProgress returns the progress of the last completed batch, nil before
// the first. The caller may keep it: the query never changes it.
func (q *Query) LastProgress() *Progress {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.recent) == 0 {
		return nil
	}
	return q.recent[len(q.recent)-1]
}

// RecentProgress returns the progress of the latest batches, oldest first,
// at most numRecentProgress of them.
func (q *Query) RecentProgress() []*Progress {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.recent)
}

// Status says what the query is doing now.
func (q *Query) Status() Status {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.status
}

// ProcessAllAvailable waits until everything the sources had when it was
// called has been processed and committed: until a poll of the sources
// started after the call finds nothing new. If the query ends first it
// returns the query's error (nil after Stop or a finished trigger).
func (q *Query) ProcessAllAvailable(ctx context.Context) error {
	q.mu.Lock()
	want := q.rounds + 1
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	for {
		q.mu.Lock()
		idle, finished, err, ch := q.idleRound >= want, q.finished, q.err, q.changed
		q.mu.Unlock()
		switch {
		case idle:
			return nil
		case finished:
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}
