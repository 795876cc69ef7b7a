package sluice

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/sluicestream/sluice/engine"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/source"
	"github.com/sluicestream/sluice/statestore"
)

// Trigger says when a streaming query runs batches (package engine's).
type Trigger = engine.Trigger

// ProcessingTime runs a batch every d when there is new data; 0 (the
// default trigger) runs one as soon as data arrives.
func ProcessingTime(d time.Duration) Trigger { return engine.ProcessingTime(d) }

// Once runs one batch with everything available, then stops the query
// (Spark's Trigger.Once; AvailableNow is usually what is wanted).
func Once() Trigger { return engine.Once() }

// AvailableNow processes everything available when the query starts, in as
// many batches as the sources' limits (maxFilesPerTrigger) make, then stops
// the query.
func AvailableNow() Trigger { return engine.AvailableNow() }

// The progress and listener types of Spark's streaming API.
type (
	// StreamingQueryProgress describes one completed batch, with Spark's
	// field names.
	StreamingQueryProgress = engine.Progress
	// StreamingQueryStatus says what a query is doing now.
	StreamingQueryStatus = engine.Status
	// StreamingQueryListener hears about a query's start, progress and end.
	StreamingQueryListener = engine.Listener
	// QueryStartedEvent is what StreamingQueryListener.QueryStarted gets.
	QueryStartedEvent = engine.StartedEvent
	// QueryTerminatedEvent is what StreamingQueryListener.QueryTerminated
	// gets.
	QueryTerminatedEvent = engine.TerminatedEvent
)

// StreamingQuery is a running streaming query, as Spark's StreamingQuery:
// DataStreamWriter.Start returns it. It owns what the query opened — sink,
// sources, state store, temporary checkpoint — and releases it when the
// query ends, however it ends. It is safe for concurrent use.
type StreamingQuery struct {
	q    *engine.Query
	s    *Session
	name string
	res  *resources
	done chan struct{} // closed once the query ended and res is released

	releaseErr error // set before done is closed
}

// newStreamingQuery wraps q, whose entry in the active queries res already
// reserved, and releases res when q ends.
func newStreamingQuery(s *Session, q *engine.Query, name string, res *resources) *StreamingQuery {
	sq := &StreamingQuery{q: q, s: s, name: name, res: res, done: make(chan struct{})}
	activate(q.ID(), sq)
	go func() {
		_ = q.AwaitTermination() // Err reports it
		sq.releaseErr = res.release()
		close(sq.done)
	}()
	return sq
}

// ID is the query's id, kept in its checkpoint: the same after a restart.
func (sq *StreamingQuery) ID() string { return sq.q.ID() }

// RunID is new at every start.
func (sq *StreamingQuery) RunID() string { return sq.q.RunID() }

// Name is the name given with QueryName, "" if none.
func (sq *StreamingQuery) Name() string { return sq.name }

// IsActive reports whether the query still runs (or is releasing what it
// opened).
func (sq *StreamingQuery) IsActive() bool {
	select {
	case <-sq.done:
		return false
	default:
		return true
	}
}

// Stop ends the query and waits until it has released what it opened. A
// batch in flight is abandoned; the next start on the checkpoint runs it
// again. Stop is idempotent.
func (sq *StreamingQuery) Stop() {
	sq.q.Stop()
	<-sq.done
}

// AwaitTermination waits for the query to end and returns Err.
func (sq *StreamingQuery) AwaitTermination() error {
	<-sq.done
	return sq.Err()
}

// AwaitTerminationTimeout waits at most d for the query to end; it returns
// whether it ended, and then Err.
func (sq *StreamingQuery) AwaitTerminationTimeout(d time.Duration) (bool, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-sq.done:
		return true, sq.Err()
	case <-t.C:
		return false, nil
	}
}

// ProcessAllAvailable waits until everything the sources had when it was
// called is processed and committed. If the query ends first it returns
// the query's error (nil after Stop or a finished trigger).
func (sq *StreamingQuery) ProcessAllAvailable(ctx context.Context) error {
	return sq.q.ProcessAllAvailable(ctx)
}

// Err returns what ended the query, Spark's exception(): nil while it runs
// and after it ended normally (Stop, a finished trigger). A failure to
// release what the query opened is reported too, once it has ended.
func (sq *StreamingQuery) Err() error {
	if err := sq.q.Err(); err != nil {
		return err
	}
	select {
	case <-sq.done:
		return sq.releaseErr
	default:
		return nil
	}
}

// Exception is Err, by Spark's name.
func (sq *StreamingQuery) Exception() error { return sq.Err() }

// Status says what the query is doing now.
func (sq *StreamingQuery) Status() StreamingQueryStatus { return sq.q.Status() }

// LastProgress returns the progress of the last completed batch, nil
// before the first.
func (sq *StreamingQuery) LastProgress() *StreamingQueryProgress { return sq.q.LastProgress() }

// RecentProgress returns the progress of the latest batches, oldest first.
func (sq *StreamingQuery) RecentProgress() []*StreamingQueryProgress { return sq.q.RecentProgress() }

func (sq *StreamingQuery) String() string {
	return fmt.Sprintf("StreamingQuery[id=%s, runId=%s, name=%s]", sq.ID(), sq.RunID(), sq.name)
}

// resources are what a query opened and releases when it ends (or when its
// start fails): the order of release is sink, sources, state store, then
// temporary directories, then its entry among the active queries.
type resources struct {
	sink     sink.Sink
	sources  []source.Source // opened for the query; not those of FromSource
	provider statestore.Provider
	tempDirs []string
	id       string // the query id reserved among the active ones; "" if none
}

func (r *resources) release() error {
	var errs []error
	if r.sink != nil {
		if err := r.sink.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close sink: %w", err))
		}
	}
	for _, s := range r.sources {
		if err := s.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close source: %w", err))
		}
	}
	if r.provider != nil {
		if err := r.provider.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close state store: %w", err))
		}
	}
	for _, d := range r.tempDirs {
		if err := os.RemoveAll(d); err != nil {
			errs = append(errs, err)
		}
	}
	if r.id != "" {
		deactivate(r.id)
	}
	return errors.Join(errs...)
}

// The active queries of the process, by id: a checkpoint runs one query at
// a time, and a session's active queries have distinct names.
var active = struct {
	sync.Mutex
	byID map[string]*activeQuery
	seq  int64
}{byID: map[string]*activeQuery{}}

type activeQuery struct {
	s    *Session
	name string
	seq  int64           // start order
	q    *StreamingQuery // nil while starting
}

// reserve records that query id, named name, is starting in s, and notes it
// in res for release.
func reserve(s *Session, id, name string, res *resources) error {
	active.Lock()
	defer active.Unlock()
	if _, ok := active.byID[id]; ok {
		return fmt.Errorf("write stream: cannot start query with id %s as another query with same id is already active: "+
			"perhaps you are attempting to restart a query from a checkpoint that is already active", id)
	}
	for _, a := range active.byID {
		if name != "" && a.s == s && a.name == name {
			return fmt.Errorf("write stream: cannot start query with name %s as a query with that name is already active in this session", name)
		}
	}
	active.seq++
	active.byID[id] = &activeQuery{s: s, name: name, seq: active.seq}
	res.id = id
	return nil
}

func activate(id string, q *StreamingQuery) {
	active.Lock()
	active.byID[id].q = q
	active.Unlock()
}

func deactivate(id string) {
	active.Lock()
	delete(active.byID, id)
	active.Unlock()
}

// StreamingQueryManager manages the active streaming queries of a session,
// as Spark's spark.streams.
type StreamingQueryManager struct {
	s *Session
}

// Streams returns the session's query manager.
func (s *Session) Streams() *StreamingQueryManager { return &StreamingQueryManager{s: s} }

// Active returns the session's active queries, in the order they started.
func (m *StreamingQueryManager) Active() []*StreamingQuery {
	active.Lock()
	var qs []*activeQuery
	for _, a := range active.byID {
		if a.s == m.s && a.q != nil {
			qs = append(qs, a)
		}
	}
	active.Unlock()
	slices.SortFunc(qs, func(a, b *activeQuery) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]*StreamingQuery, len(qs))
	for i, a := range qs {
		out[i] = a.q
	}
	return out
}

// Get returns the session's active query of that id, or nil.
func (m *StreamingQueryManager) Get(id string) *StreamingQuery {
	active.Lock()
	defer active.Unlock()
	if a := active.byID[id]; a != nil && a.s == m.s {
		return a.q
	}
	return nil
}

// StopAll stops every active query of the session and waits for them.
// Session.Close calls it.
func (m *StreamingQueryManager) StopAll() {
	for _, q := range m.Active() {
		q.Stop()
	}
}
