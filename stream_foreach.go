package sluice

import (
	"context"
	"fmt"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
)

// foreachBatchSink calls a ForeachBatch function with each batch as a
// DataFrame over the batch's records.
type foreachBatchSink struct {
	s  *Session
	fn func(df *DataFrame, batchID int64) error
}

var _ sink.Sink = (*foreachBatchSink)(nil)

func (f *foreachBatchSink) Write(ctx context.Context, id batch.ID, _ sink.OutputMode, r batch.Reader) error {
	schema := r.Schema()
	recs, err := batch.ReadAll(ctx, r) // closes r
	if err != nil {
		return fmt.Errorf("foreachBatch: batch %d: %w", id, err)
	}
	t := newMemTable(fmt.Sprintf("batch %d", id), schema, recs)
	batch.Release(recs)
	defer t.release()
	if err := f.fn(f.s.frame(plan.NewScan(t), nil), int64(id)); err != nil {
		return fmt.Errorf("foreachBatch: batch %d: %w", id, err)
	}
	return nil
}

func (f *foreachBatchSink) Close() error { return nil }
