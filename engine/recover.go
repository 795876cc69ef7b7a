package engine

import (
	"context"
	"fmt"
	"strconv"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/engine/protocol"
	"github.com/sluicestream/sluice/offsetlog"
	"github.com/sluicestream/sluice/source"
)

// recover reads the logs and sets what the loop starts with.
func (q *Query) recover(ctx context.Context) error {
	offIDs, err := q.offsets.List(ctx)
	if err != nil {
		return fmt.Errorf("engine: list offsets: %w", err)
	}
	comIDs, err := q.commits.List(ctx)
	if err != nil {
		return fmt.Errorf("engine: list commits: %w", err)
	}
	var ls protocol.LogState
	lastCommit := protocol.NoBatch
	for _, id := range comIDs {
		lastCommit = max(lastCommit, id)
	}
	for _, id := range comIDs {
		ce := protocol.CommitEntry{ID: id}
		if id == lastCommit {
			e, err := q.commits.Get(ctx, id)
			if err != nil {
				return fmt.Errorf("engine: %w", err)
			}
			ce.NextWatermarkMs = e.NextBatchWatermarkMs
		}
		ls.Commits = append(ls.Commits, ce)
	}
	entries := map[batch.ID]offsetlog.Entry{}
	for _, id := range offIDs {
		oe := protocol.OffsetEntry{ID: id}
		if id >= lastCommit {
			e, err := q.offsets.Get(ctx, id)
			if err != nil {
				return fmt.Errorf("engine: %w", err)
			}
			if err := q.checkEntry(id, e); err != nil {
				return err
			}
			entries[id] = e
			oe.WatermarkMs, oe.TimestampMs = e.Metadata.BatchWatermarkMs, e.Metadata.BatchTimestampMs
		}
		ls.Offsets = append(ls.Offsets, oe)
	}
	d, err := protocol.Recover(ls)
	if err != nil {
		return fmt.Errorf("engine: recover: %w", err)
	}
	endsOf := func(id batch.ID) []source.Offset {
		ends := make([]source.Offset, len(q.sources))
		if id == protocol.NoBatch {
			return ends
		}
		for i, o := range entries[id].Offsets {
			if o != nil {
				ends[i] = source.Offset(o)
			}
		}
		return ends
	}
	q.ends, q.next, q.watermarkMs = endsOf(d.StartFrom), d.FirstBatch, d.WatermarkMs
	q.committed = d.Committed
	if d.Kind == protocol.Resume {
		q.resumed = d.Committed
	}
	for _, r := range d.Rerun {
		q.replays = append(q.replays, replay{id: r.ID, starts: endsOf(r.From), ends: endsOf(r.ID),
			timestampMs: r.TimestampMs, watermarkMs: r.WatermarkMs})
	}
	return nil
}

// checkEntry refuses an offset entry written for another query shape.
func (q *Query) checkEntry(id batch.ID, e offsetlog.Entry) error {
	path := q.offsets.Path(id)
	if len(e.Offsets) != len(q.sources) {
		return fmt.Errorf("engine: %s has offsets of %d sources, the query has %d", path, len(e.Offsets), len(q.sources))
	}
	want := strconv.FormatBool(q.agg != nil)
	if v, ok := e.Metadata.Conf.Get(ConfStateful); ok && v != want {
		return fmt.Errorf("engine: %s: %s=%s, but the query has %s=%s: a checkpoint cannot change between stateless and stateful queries", path, ConfStateful, v, ConfStateful, want)
	}
	if q.agg != nil {
		if v, ok := e.Metadata.Conf.Get(ConfStatePartitions); ok && v != strconv.Itoa(q.agg.partitions) {
			return fmt.Errorf("engine: %s: %s=%s, the query runs %d state partitions", path, ConfStatePartitions, v, q.agg.partitions)
		}
		if v, ok := e.Metadata.Conf.Get(ConfStateProvider); ok && v != providerName(q.opts.StateProvider) {
			return fmt.Errorf("engine: %s: %s=%s, the query's state provider is %s: state written by one provider cannot be read by another",
				path, ConfStateProvider, v, providerName(q.opts.StateProvider))
		}
		if v, ok := e.Metadata.Conf.Get(ConfStateFormat); ok && v != stateFormat {
			return fmt.Errorf("engine: %s: %s=%s, this Sluice reads state format %s", path, ConfStateFormat, v, stateFormat)
		}
	}
	if v, ok := e.Metadata.Conf.Get(ConfNumSources); ok && v != strconv.Itoa(len(q.sources)) {
		return fmt.Errorf("engine: %s: %s=%s, the query has %d sources", path, ConfNumSources, v, len(q.sources))
	}
	return nil
}
