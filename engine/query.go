package engine

import (
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
	offsets   *offsetlog.Log
	commits   *commitlog.Log
	rows      atomic.Int64

	// Set by Start, then owned by the loop goroutine.
	replays     []replay
	ends        []source.Offset // end offsets of the last committed batch
	next        batch.ID
	watermarkMs int64
	resumed     batch.ID // committed batch to commit again; NoBatch: none

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
	switch {
	case opts.Plan == nil:
		return nil, errors.New("engine: no plan")
	case opts.Sink == nil:
		return nil, errors.New("engine: no sink")
	case opts.Checkpoint == nil:
		return nil, errors.New("engine: no checkpoint storage")
	case opts.Mode == sink.Complete && !isAgg(opts.Plan):
		return nil, errors.New("engine: complete output mode needs a streaming aggregation; use append or update")
	case opts.Mode != sink.Append && opts.Mode != sink.Update && opts.Mode != sink.Complete:
		return nil, fmt.Errorf("engine: unknown output mode %v", opts.Mode)
	}
	if opts.Mem == nil {
		opts.Mem = memory.DefaultAllocator
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	top, stateful := opts.Plan.(*plan.Aggregate)
	input := opts.Plan
	if stateful {
		if err := checkStateful(opts, top); err != nil {
			return nil, err
		}
		input = top.Input
	}
	tables, err := streamTables(input)
	if err != nil {
		return nil, err
	}
	q := &Query{
		opts:    opts,
		offsets: offsetlog.New(opts.Checkpoint),
		commits: commitlog.New(opts.Checkpoint),
		done:    make(chan struct{}),
		wake:    make(chan struct{}, 1),
		changed: make(chan struct{}),
		resumed: protocol.NoBatch,
		runID:   metalog.NewQueryID(),
	}
	for _, name := range slices.Sorted(maps.Keys(opts.Sources)) {
		src := opts.Sources[name]
		t, ok := tables[name]
		if !ok {
			return nil, fmt.Errorf("engine: source %q: the plan has no stream table of that name", name)
		}
		if src == nil {
			return nil, fmt.Errorf("engine: source %q is nil", name)
		}
		if !src.Schema().Equal(t.Schema()) {
			return nil, fmt.Errorf("engine: source %q has schema %v, its stream table %v", name, src.Schema(), t.Schema())
		}
		q.sources = append(q.sources, boundSource{name: name, src: src, table: t})
	}
	for name := range tables {
		if _, ok := opts.Sources[name]; !ok {
			return nil, fmt.Errorf("engine: stream table %q has no source in Options.Sources", name)
		}
	}
	if stateful {
		if q.agg, err = newStreamAgg(top); err != nil {
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
	meta, _, err := metalog.LoadOrCreateQueryMetadata(ctx, opts.Checkpoint)
	if err != nil {
		return nil, fmt.Errorf("engine: query metadata: %w", err)
	}
	q.id = meta.ID
	if err := q.recover(ctx); err != nil {
		return nil, err
	}
	for i, s := range q.sources {
		if err := s.table.bind(q, s.src, &q.rows); err != nil {
			for _, b := range q.sources[:i] {
				b.table.unbind(q)
			}
			return nil, fmt.Errorf("engine: %w", err)
		}
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	q.cancel = cancel
	go q.loop(runCtx)
	return q, nil
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

// isAgg reports whether p is a streaming aggregation: a plan.Aggregate at
// the top.
func isAgg(p plan.Node) bool {
	_, ok := p.(*plan.Aggregate)
	return ok
}
