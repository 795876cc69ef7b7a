package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/commitlog"
	"github.com/sluicestream/sluice/exec"
	"github.com/sluicestream/sluice/offsetlog"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/source"
)

func (q *Query) conf() offsetlog.Conf {
	if q.agg != nil {
		return offsetlog.Conf{
			{Key: ConfStateful, Value: "true"},
			{Key: ConfNumSources, Value: strconv.Itoa(len(q.sources))},
			{Key: ConfStatePartitions, Value: "1"},
		}
	}
	return offsetlog.Conf{
		{Key: ConfStateful, Value: "false"},
		{Key: ConfNumSources, Value: strconv.Itoa(len(q.sources))},
	}
}

// runBatch runs batch id over (starts, ends]; logOffsets writes offsets/id
// first (a re-run has it already).
func (q *Query) runBatch(ctx context.Context, id batch.ID, starts, ends []source.Offset, tsMs, wmMs int64, logOffsets bool) error {
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
	for i, s := range q.sources {
		s.table.setRange(starts[i], ends[i])
	}
	q.rows.Store(0)
	r, err := q.op.Execute(ctx, exec.NewTaskContext(q.opts.Mem))
	if err != nil {
		return fmt.Errorf("batch %d: %w", id, err)
	}
	var ab *aggBatch
	if q.agg != nil {
		if ab, r, err = q.processAgg(ctx, id, r); err != nil {
			return fmt.Errorf("batch %d: %w", id, err)
		}
	}
	t = lap("queryPlanning", t)
	if err := q.opts.Sink.Write(ctx, id, q.opts.Mode, r); err != nil {
		if ab != nil {
			ab.abort()
		}
		return fmt.Errorf("batch %d: sink: %w", id, err)
	}
	t = lap("addBatch", t)
	if ab != nil {
		// State version id+1 is durable before commits/id, so the last
		// commit always has its state behind it (DESIGN.md §4).
		if err := ab.commit(ctx, q); err != nil {
			return fmt.Errorf("batch %d: %w", id, err)
		}
		t = lap("stateCommit", t)
	}
	if err := q.commits.Add(ctx, id, commitlog.Entry{NextBatchWatermarkMs: wmMs}); err != nil {
		return fmt.Errorf("batch %d: write commit: %w", id, err)
	}
	if err := q.commitDownstream(ctx, id, ends); err != nil {
		return err
	}
	lap("commitOffsets", t)
	lap("triggerExecution", began)
	p := &Progress{
		ID: q.id, RunID: q.runID, Name: q.opts.Name,
		Timestamp:    time.UnixMilli(tsMs).UTC().Format("2006-01-02T15:04:05.000Z"),
		BatchID:      id,
		NumInputRows: q.rows.Load(),
		DurationMs:   dur,
	}
	q.update(func() {
		if len(q.recent) == numRecentProgress {
			q.recent = slices.Delete(q.recent, 0, 1)
		}
		q.recent = append(q.recent, p)
	})
	return nil
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
