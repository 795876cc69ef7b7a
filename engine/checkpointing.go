package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/commitlog"
	"github.com/sluicestream/sluice/engine/protocol"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/source"
	"github.com/sluicestream/sluice/statestore"
)

// purgeEvery is how many commits pass between two purges of the logs and
// the state: a purge lists directories, too costly for every batch.
const purgeEvery = 10

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// uploadResult is one store's upload of one batch, finished.
type uploadResult struct {
	id  batch.ID
	err error
	// at is when the upload finished: the loop may apply the result much
	// later, between the next batch's phases, and stateUpload reports the
	// upload, not the loop's turn.
	at time.Time
}

// newUploader starts the query's state uploader: one attempt per
// tolerated failure plus one, each bounded by the checkpoint timeout.
func (q *Query) newUploader() (*statestore.Uploader, error) {
	retries := q.opts.TolerableCheckpointFailures
	if retries == 0 {
		retries = -1 // the Uploader's 0 is its default; -1 is none
	}
	return statestore.NewUploader(q.opts.Checkpoint, statestore.UploaderOptions{
		Retries: retries,
		Timeout: q.opts.CheckpointTimeout,
		Workers: q.agg.partitions,
		OnFailure: func(statestore.StoreID, int64, int, error) {
			q.checkpointFailures.Add(1)
		},
	})
}

// seedUploader tells the uploader what each store has in storage as of the
// last commit, so that the first snapshot after a restart uploads only the
// files that snapshot lacks, not every file again. A store whose restore
// cannot be planned is left unseeded: its provider reports the problem
// when it opens it.
func (q *Query) seedUploader(ctx context.Context) {
	version := int64(q.committed) + 1 // the state the last commit wrote
	if q.committed == protocol.NoBatch {
		return
	}
	for p := range q.agg.partitions {
		sid := statestore.StoreID{Operator: aggOperator, Partition: p}
		plan, err := statestore.PlanRestore(ctx, q.opts.Checkpoint, sid, version)
		if err != nil {
			continue
		}
		m := &statestore.Manifest{Version: version}
		if plan.Snapshot != nil {
			m.SnapshotVersion, m.Files = plan.Snapshot.SnapshotVersion, plan.Snapshot.Files
		}
		q.uploader.SetManifest(sid, m)
	}
}

// submit hands store sid's snapshot of batch id to the uploader; the
// result comes back on q.results.
func (q *Query) submit(ctx context.Context, id batch.ID, sid statestore.StoreID, s statestore.Snapshot) error {
	return q.uploader.Submit(ctx, sid, &phasedSnapshot{Snapshot: s, q: q, batch: id},
		func(_ *statestore.Manifest, err error) { q.results <- uploadResult{id: id, err: err, at: time.Now()} })
}

// phasedSnapshot reports the upload phases of its batch.
type phasedSnapshot struct {
	statestore.Snapshot
	q     *Query
	batch batch.ID
}

func (s *phasedSnapshot) Upload(ctx context.Context, dst checkpoint.Storage, prev *statestore.Manifest) (*statestore.Manifest, error) {
	s.q.phase(s.batch, PhaseUploadStarted)
	m, err := s.Snapshot.Upload(ctx, dst, prev)
	if err == nil {
		s.q.phase(s.batch, PhaseUploadDone)
	}
	return m, err
}

// apply records a finished upload.
func (q *Query) apply(r uploadResult) {
	i := slices.IndexFunc(q.pending, func(b *run) bool { return b.id == r.id })
	if i < 0 {
		return // the batch failed already
	}
	b := q.pending[i]
	b.uploads--
	if r.err != nil && b.err == nil {
		b.err = r.err
	}
	if r.at.After(b.uploaded) { // the last of the batch's uploads
		b.uploaded = r.at
	}
}

// collect applies the results that have arrived; with block, it waits for
// one first.
func (q *Query) collect(ctx context.Context, block bool) error {
	if block {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case r := <-q.results:
			q.apply(r)
		}
	}
	for {
		select {
		case r := <-q.results:
			q.apply(r)
		default:
			return nil
		}
	}
}

// state is what protocol.Next decides on.
func (q *Query) state() (protocol.Progress, error) {
	p := protocol.Progress{Committed: q.committed, MaxUncommitted: protocol.Async}
	if q.opts.SyncCheckpoint {
		p.MaxUncommitted = protocol.Sync
	}
	for _, b := range q.pending {
		if b.local != nil && isClosed(b.local) {
			if err := q.join(context.Background(), b); err != nil {
				return p, err
			}
		}
		if b.err != nil {
			return p, fmt.Errorf("batch %d: state checkpoint: %w", b.id, b.err)
		}
		p.Started = append(p.Started, b.id)
		if b.local == nil && b.uploads == 0 {
			p.Done = append(p.Done, b.id)
		}
	}
	return p, nil
}

// commitReady writes the commits the protocol allows now; with block, it
// waits until every started batch is committed.
func (q *Query) commitReady(ctx context.Context, block bool) error {
	return q.advance(ctx, func(protocol.Step) bool { return !block || len(q.pending) == 0 })
}

// admit waits until a new batch may start: commits what is done, and
// while the protocol says too many batches are uncommitted, waits for
// their uploads.
func (q *Query) admit(ctx context.Context) error {
	return q.advance(ctx, func(s protocol.Step) bool { return s.Start })
}

// advance writes the commits the protocol allows, in order, until done
// holds for what it says next, waiting for uploads to finish meanwhile.
func (q *Query) advance(ctx context.Context, done func(protocol.Step) bool) error {
	for {
		if err := q.collect(ctx, false); err != nil {
			return err
		}
		p, err := q.state()
		if err != nil {
			return err
		}
		step, err := protocol.Next(p)
		if err != nil {
			return err
		}
		for _, id := range step.Commit {
			b := q.pending[0]
			if b.id != id {
				return fmt.Errorf("batch %d to commit, but batch %d is the oldest started", id, b.id) // unreachable: Next commits in order
			}
			if err := q.commit(ctx, b); err != nil {
				return err
			}
			q.pending = q.pending[1:]
		}
		if len(step.Commit) > 0 {
			continue
		}
		if done(step) {
			return nil
		}
		// Uploads to wait for start once the local commits are joined.
		if joined, err := q.joinAll(ctx); err != nil || joined {
			if err != nil {
				return err
			}
			continue
		}
		if err := q.collect(ctx, true); err != nil {
			return err
		}
	}
}

// commit writes commits/N for a batch whose sink write and uploads are
// done, then tells the sink and the sources, reports the batch's
// progress, and now and then purges what is beyond retention.
func (q *Query) commit(ctx context.Context, b *run) error {
	t := time.Now()
	if err := q.commits.Add(ctx, b.id, commitlog.Entry{NextBatchWatermarkMs: b.wmMs}); err != nil {
		return fmt.Errorf("batch %d: write commit: %w", b.id, err)
	}
	q.phase(b.id, PhaseCommitWritten)
	q.committed = b.id
	if err := q.commitDownstream(ctx, b.id, b.ends); err != nil {
		return err
	}
	q.phase(b.id, PhaseDownstreamDone)
	p := b.progress
	p.DurationMs["commitOffsets"] = time.Since(t).Milliseconds()
	if !b.submitted.IsZero() {
		p.DurationMs["stateUpload"] = b.uploaded.Sub(b.submitted).Milliseconds()
	}
	for _, op := range p.StateOperators {
		// The batch's own upload has run since its progress was made.
		op.CustomMetrics["numCheckpointFailures"] = q.checkpointFailures.Load()
	}
	q.publish(p)
	q.sinceLastPurge++
	if q.sinceLastPurge >= purgeEvery && len(q.pending) == 1 { // only b: no upload in flight
		if err := q.purge(ctx, b.id); err != nil {
			return fmt.Errorf("batch %d: purge: %w", b.id, err)
		}
		q.sinceLastPurge = 0
	}
	return nil
}

// publish makes p the last progress and tells the listener.
func (q *Query) publish(p *Progress) {
	q.update(func() {
		if len(q.recent) == numRecentProgress {
			q.recent = slices.Delete(q.recent, 0, 1)
		}
		q.recent = append(q.recent, p)
	})
	if q.opts.Listener != nil {
		q.opts.Listener.QueryProgress(p)
	}
}

// purge deletes offsets and commits of batches more than retain behind
// the last commit, and state versions beyond retention. Offsets go before
// commits and the state last, so that an interrupted purge leaves what
// recovery reads: the newest entries of both logs and their state.
func (q *Query) purge(ctx context.Context, committed batch.ID) error {
	threshold := committed - batch.ID(q.retain) + 1
	if threshold <= 0 {
		return nil
	}
	if err := q.offsets.PurgeBefore(ctx, threshold); err != nil {
		return err
	}
	if err := q.commits.PurgeBefore(ctx, threshold); err != nil {
		return err
	}
	if q.agg == nil {
		return nil
	}
	var errs []error
	for p := range q.agg.partitions {
		sid := statestore.StoreID{Operator: aggOperator, Partition: p}
		if _, err := statestore.Purge(ctx, q.opts.Checkpoint, sid, q.retain); err != nil {
			errs = append(errs, fmt.Errorf("state %s: %w", sid, err))
		}
	}
	return errors.Join(errs...)
}

// commitDownstream tells a two-phase sink and the sources that batch id,
// ending at ends, is committed.
func (q *Query) commitDownstream(ctx context.Context, id batch.ID, ends []source.Offset) error {
	if c, ok := q.opts.Sink.(sink.Committer); ok {
		if err := c.Commit(ctx, id); err != nil {
			return fmt.Errorf("batch %d: sink commit: %w", id, err)
		}
	}
	for i, s := range q.sources {
		if ends[i] == nil {
			continue
		}
		if err := s.src.Commit(ctx, ends[i]); err != nil {
			return fmt.Errorf("batch %d: source %s: commit: %w", id, s.name, err)
		}
	}
	return nil
}
