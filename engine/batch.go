package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/exec"
	"github.com/sluicestream/sluice/offsetlog"
	"github.com/sluicestream/sluice/source"
	"github.com/sluicestream/sluice/statestore"
)

// conf is what offsets/N records that must not change across restarts.
func (q *Query) conf() offsetlog.Conf {
	c := offsetlog.Conf{
		{Key: ConfStateful, Value: strconv.FormatBool(q.agg != nil)},
		{Key: ConfNumSources, Value: strconv.Itoa(len(q.sources))},
	}
	if q.agg != nil {
		c = append(c,
			offsetlog.ConfEntry{Key: ConfStatePartitions, Value: strconv.Itoa(q.agg.partitions)},
			offsetlog.ConfEntry{Key: ConfStateProvider, Value: providerName(q.opts.StateProvider)},
			offsetlog.ConfEntry{Key: ConfStateFormat, Value: stateFormat})
	}
	return c
}

// providerName is the provider's Go type, e.g.
// "github.com/sluicestream/sluice/statestore/rocksdb.Provider".
func providerName(p statestore.Provider) string {
	t := reflect.TypeOf(p)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath() + "." + t.Name()
}

// run is a batch from its start to its commit.
type run struct {
	id        batch.ID
	ends      []source.Offset
	wmMs      int64
	uploads   int   // state uploads submitted and not finished
	err       error // the first failed upload
	submitted time.Time
	uploaded  time.Time
	progress  *Progress // complete but for the commit's figures

	// The stores' local commit, running on its own goroutine until local
	// is closed; join reads the results and sets local to nil.
	ab        *aggBatch
	local     chan struct{}
	snaps     []statestore.Snapshot
	metrics   []statestore.Metrics
	localErr  error
	localTook time.Duration
}

// runBatch runs batch id over (starts, ends] up to its state uploads: it
// waits until the protocol lets a batch start (committing finished ones),
// writes offsets/id (logOffsets: a re-run has it already), executes the
// plan, writes the sink, commits the state locally and submits the
// uploads. The commit comes later, once the uploads are done.
func (q *Query) runBatch(ctx context.Context, id batch.ID, starts, ends []source.Offset, tsMs, wmMs int64, logOffsets bool) error {
	if err := q.admit(ctx); err != nil {
		return err
	}
	began := time.Now()
	dur := map[string]int64{}
	lap := func(name string, from time.Time) time.Time {
		now := time.Now()
		dur[name] = now.Sub(from).Milliseconds()
		return now
	}
	t := began
	if logOffsets {
		e := offsetlog.Entry{
			Metadata: offsetlog.Metadata{BatchWatermarkMs: wmMs, BatchTimestampMs: tsMs, Conf: q.conf()},
			Offsets:  make([]json.RawMessage, len(ends)),
		}
		for i, o := range ends {
			if o != nil {
				e.Offsets[i] = json.RawMessage(o)
			}
		}
		if err := q.offsets.Add(ctx, id, e); err != nil {
			return fmt.Errorf("batch %d: write offsets: %w", id, err)
		}
		t = lap("walCommit", t)
	}
	q.phase(id, PhaseOffsetsWritten)
	for i, s := range q.sources {
		s.table.setRange(starts[i], ends[i])
		q.sourceRows[i].Store(0)
	}
	var r batch.Reader
	var err error
	if q.agg != nil && q.agg.pool != nil {
		var partial []arrow.RecordBatch
		if partial, err = q.agg.pool.run(ctx, q.opts.Mem); err == nil {
			r = batch.NewSliceReader(q.agg.partial.Schema(), partial...)
		}
	} else {
		r, err = q.op.Execute(ctx, exec.NewTaskContext(q.opts.Mem))
	}
	if err != nil {
		return fmt.Errorf("batch %d: %w", id, err)
	}
	t = lap("queryPlanning", t)
	var ab *aggBatch
	if q.agg != nil {
		if _, err := q.joinAll(ctx); err != nil { // state version id is the last batch's commit
			r.Close()
			return err
		}
		var out []arrow.RecordBatch
		if ab, out, err = q.processAgg(ctx, id, r); err != nil {
			return fmt.Errorf("batch %d: %w", id, err)
		}
		if r, err = q.post.reader(ctx, q.opts.Mem, out); err != nil {
			ab.abort()
			return fmt.Errorf("batch %d: %w", id, err)
		}
	}
	counted := &countingReader{Reader: r, rows: new(atomic.Int64)}
	err = q.opts.Sink.Write(ctx, id, q.opts.Mode, counted)
	counted.Close()
	if err != nil {
		if ab != nil {
			ab.abort()
		}
		return fmt.Errorf("batch %d: sink: %w", id, err)
	}
	t = lap("addBatch", t)
	q.phase(id, PhaseSinkWritten)
	b := &run{id: id, ends: ends, wmMs: wmMs}
	q.pending = append(q.pending, b)
	dur["triggerExecution"] = time.Since(began).Milliseconds()
	b.progress = q.newProgress(id, tsMs, began, dur, starts, ends, counted.rows.Load())
	if ab != nil {
		// The stores commit locally (changelog, fsync) while the loop
		// goes on to the next batch's offsets and input; the next batch
		// joins before it touches the state (join).
		b.ab, b.local = ab, make(chan struct{})
		go func() {
			defer close(b.local)
			began := time.Now()
			b.snaps, b.metrics, b.localErr = ab.commit(ctx)
			b.localTook = time.Since(began)
			if b.localErr == nil {
				q.phase(id, PhaseStateCommitted)
			}
		}()
		if q.opts.SyncCheckpoint {
			if err := q.join(ctx, b); err != nil {
				return err
			}
		}
	}
	return q.commitReady(ctx, false)
}

// join waits for the local commit of batch b's stores, then submits their
// snapshots for upload and completes b's progress.
func (q *Query) join(ctx context.Context, b *run) error {
	if b.local == nil {
		return nil
	}
	select {
	case <-b.local:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	b.local = nil
	if b.localErr != nil {
		return fmt.Errorf("batch %d: %w", b.id, b.localErr)
	}
	b.progress.DurationMs["stateCommit"] = b.localTook.Milliseconds()
	b.progress.StateOperators = append(b.progress.StateOperators, q.stateProgress(b.ab, b.metrics))
	b.submitted = time.Now()
	snaps := b.snaps
	b.snaps = nil
	for i, s := range snaps {
		if err := q.submit(ctx, b.id, statestore.StoreID{Operator: aggOperator, Partition: i}, s); err != nil {
			for _, rest := range snaps[i:] {
				_ = rest.Release() // the upload's error is the one to report
			}
			return fmt.Errorf("batch %d: state checkpoint: %w", b.id, err)
		}
		b.uploads++
	}
	return nil
}

// joinAll joins every started batch; it reports whether it joined any.
func (q *Query) joinAll(ctx context.Context) (bool, error) {
	joined := false
	for _, b := range q.pending {
		if b.local != nil {
			joined = true
			if err := q.join(ctx, b); err != nil {
				return joined, err
			}
		}
	}
	return joined, nil
}

// abandon waits for local commits still running when the query ends and
// releases the snapshots no upload took.
func (q *Query) abandon() {
	for _, b := range q.pending {
		if b.local != nil {
			<-b.local
			b.local = nil
		}
		for _, s := range b.snaps {
			_ = s.Release()
		}
		b.snaps = nil
	}
}

// newProgress fills in a batch's progress, but for the commit's figures.
func (q *Query) newProgress(id batch.ID, tsMs int64, began time.Time, dur map[string]int64,
	starts, ends []source.Offset, outRows int64) *Progress {
	p := &Progress{
		ID: q.id, RunID: q.runID, Name: q.opts.Name,
		Timestamp:      time.UnixMilli(tsMs).UTC().Format("2006-01-02T15:04:05.000Z"),
		BatchID:        id,
		BatchDuration:  dur["triggerExecution"],
		DurationMs:     dur,
		StateOperators: []StateOperatorProgress{},
		Sink:           SinkProgress{Description: describe(q.opts.Sink), NumOutputRows: outRows},
	}
	secs := time.Since(began).Seconds()
	sinceLast := secs
	if !q.lastBatch.IsZero() {
		sinceLast = began.Sub(q.lastBatch).Seconds()
	}
	q.lastBatch = began
	rate := func(n int64, s float64) float64 {
		if s <= 0 {
			return 0
		}
		return float64(n) / s
	}
	for i, s := range q.sources {
		n := q.sourceRows[i].Load()
		p.NumInputRows += n
		p.Sources = append(p.Sources, SourceProgress{
			Description:            describe(s.src),
			StartOffset:            offsetJSON(starts[i]),
			EndOffset:              offsetJSON(ends[i]),
			LatestOffset:           offsetJSON(ends[i]),
			NumInputRows:           n,
			InputRowsPerSecond:     rate(n, sinceLast),
			ProcessedRowsPerSecond: rate(n, secs),
		})
	}
	p.InputRowsPerSecond = rate(p.NumInputRows, sinceLast)
	p.ProcessedRowsPerSecond = rate(p.NumInputRows, secs)
	return p
}

// stateProgress sums the metrics of a batch's stores.
func (q *Query) stateProgress(ab *aggBatch, metrics []statestore.Metrics) StateOperatorProgress {
	op := StateOperatorProgress{
		OperatorName:           "stateStoreSave",
		AllUpdatesTimeMs:       ab.updates.Milliseconds(),
		NumShufflePartitions:   int64(len(metrics)),
		NumStateStoreInstances: int64(len(metrics)),
		CustomMetrics:          map[string]int64{"numCheckpointFailures": q.checkpointFailures.Load()},
	}
	for _, m := range metrics {
		op.NumRowsTotal += m.NumRowsTotal
		op.NumRowsUpdated += m.NumRowsUpdated
		op.NumRowsRemoved += m.NumRowsRemoved
		op.MemoryUsedBytes += m.MemoryUsedBytes
		op.CommitTimeMs += m.CommitDuration.Milliseconds()
	}
	return op
}

func offsetJSON(o source.Offset) json.RawMessage {
	if o == nil {
		return json.RawMessage("null")
	}
	return json.RawMessage(o)
}

// describe names a source or sink in progress: its String, else its type.
func describe(v any) string {
	if s, ok := v.(fmt.Stringer); ok {
		return s.String()
	}
	return reflect.TypeOf(v).String()
}

func (q *Query) phase(id batch.ID, p Phase) {
	if q.opts.OnPhase != nil {
		q.opts.OnPhase(id, p)
	}
}
