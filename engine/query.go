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
	"github.com/sluicestream/sluice/checkpoint"
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

// idlePoll is how often a query with a zero trigger interval asks its
// sources for new data when there was none (Spark's pollingDelay).
// Options configure a query.
type Options struct {
	// Plan is the query over StreamTables; it is optimized and built once.
	Plan plan.Node
	// Sources maps every StreamTable name in Plan to its source.
	Sources map[string]source.Source
	Sink    sink.Sink
	// Mode is the output mode: Append or Update (the same for a stateless
	// query); Complete needs an aggregation. A streaming aggregation runs in
	// Update or Complete mode; Append needs a watermark and is refused.
	Mode       sink.OutputMode
	Checkpoint checkpoint.Storage
	Trigger    Trigger
	// ReadLimit bounds what each source gives one batch; zero: no limit.
	ReadLimit source.ReadLimit
	// Mem allocates every array the batches build; nil: the Go allocator.
	Mem memory.Allocator
	// Name is the query's name, reported in Progress.
	Name string
	// Now is the clock for batch timestamps; nil: time.Now.
	Now func() time.Time
	// StateProvider keeps the state of a stateful query (a streaming
	// aggregation); its stores restore from Checkpoint. A stateful plan
	// without one is refused. The caller closes it after the query ends.
	StateProvider statestore.Provider
}

// Progress describes the last completed batch, with the field names of
// Spark's StreamingQueryProgress.
type Progress struct {
	ID           string           `json:"id"`
	RunID        string           `json:"runId"`
	Name         string           `json:"name"`
	Timestamp    string           `json:"timestamp"` // batch start, ISO 8601 UTC
	BatchID      batch.ID         `json:"batchId"`
	NumInputRows int64            `json:"numInputRows"`
	DurationMs   map[string]int64 `json:"durationMs"`
}

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
	progress  *Progress
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

// LastProgress returns the progress of the last completed batch, nil before
// the first.
func (q *Query) LastProgress() *Progress {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.progress == nil {
		return nil
	}
	p := *q.progress
	p.DurationMs = maps.Clone(p.DurationMs)
	return &p
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
