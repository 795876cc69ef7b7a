package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/exec"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/statestore"
)

// Conf keys of a stateful query: they must not change across restarts.
const (
	// ConfStatePartitions is P, the number of state partitions.
	ConfStatePartitions = "sluice.statePartitions"
	// ConfStateProvider names the state store provider's Go type (as Spark
	// records its provider class).
	ConfStateProvider = "sluice.stateProvider"
	// ConfStateFormat is the layout of the aggregation's state values.
	ConfStateFormat = "sluice.aggregation.stateFormatVersion"
)

// stateFormat is the current ConfStateFormat: values are the row-encoded
// state columns (rowCodec), or one-row IPC streams (ipcCodec) for states
// the row encoding lacks.
const stateFormat = "2"

// aggOperator is the operator id of the streaming aggregation's stores.
const aggOperator = "0"

// noGroupKey is the store key of the single group of an aggregation without
// grouping keys.
var noGroupKey = []byte{0}

// streamAgg is a streaming aggregation: the top plan.Aggregate of a query
// over a stateless streaming input.
//
// State: one entry per group, in the store of the partition its grouping
// values hash to (batch.HashColumns). The key is batch.EncodeKeys of the
// grouping values (noGroupKey without grouping keys); the value is the
// group's aggregate states (stateCodec). Complete mode reads a group back
// from its key and value.
type streamAgg struct {
	node        *plan.Aggregate
	input       *arrow.Schema // the schema the aggregates are evaluated over
	aggs        []*expr.AggFunc
	numGroup    int
	groupTypes  []arrow.DataType
	numStates   []int         // state columns of each aggregate
	stateSchema *arrow.Schema // the state columns: what a value holds
	codec       stateCodec
	partial     exec.Operator // partial aggregation of one batch's input
	pool        *partialPool  // the same on several goroutines; nil: one
	partitions  int
}

// checkStateful checks the options of a query whose plan is the stateful
// plan.Aggregate agg.
func checkStateful(opts Options, agg *plan.Aggregate) error {
	switch {
	case opts.Mode == sink.Append:
		return fmt.Errorf("engine: append output mode for a streaming aggregation (%s) needs a watermark, which is not built yet: use update or complete", agg)
	case opts.StateProvider == nil:
		return fmt.Errorf("engine: the streaming aggregation (%s) keeps state and needs Options.StateProvider", agg)
	}
	return nil
}

// newStreamAgg builds the aggregation of agg over p partitions: the input
// subplan is optimized and built alone, then aggregated partially per batch.
func newStreamAgg(agg *plan.Aggregate, p int) (*streamAgg, error) {
	partial, err := buildPartial(agg, agg.Input)
	if err != nil {
		return nil, err
	}
	a := &streamAgg{
		node:       agg,
		input:      partial.Children()[0].Schema(),
		numGroup:   len(agg.GroupBy),
		partial:    partial,
		partitions: p,
	}
	fields := partial.Schema().Fields()
	for _, f := range fields[:a.numGroup] {
		if !batch.SupportedKeyType(f.Type) {
			return nil, fmt.Errorf("engine: streaming aggregation: grouping column %q has type %s, which cannot be a state key", f.Name, f.Type)
		}
		a.groupTypes = append(a.groupTypes, f.Type)
	}
	total := 0
	for _, e := range agg.Aggs {
		fn, ok := expr.Unalias(e).(*expr.AggFunc)
		if !ok {
			return nil, fmt.Errorf("engine: aggregate %s: not an aggregate function", e)
		}
		st, err := fn.StateTypes(a.input)
		if err != nil {
			return nil, fmt.Errorf("engine: aggregate %s: %w", e, err)
		}
		a.aggs = append(a.aggs, fn)
		a.numStates = append(a.numStates, len(st))
		total += len(st)
	}
	if a.numGroup+total != len(fields) {
		return nil, fmt.Errorf("engine: streaming aggregation: partial output has %d columns, want %d", len(fields), a.numGroup+total)
	}
	a.stateSchema = arrow.NewSchema(fields[a.numGroup:], nil)
	if a.pool, err = newPartialPool(agg, defaultWorkers()); err != nil {
		return nil, err
	}
	a.codec = newStateCodec(a.stateSchema)
	return a, nil
}

// buildPartial optimizes and builds input, agg's input or a copy of it,
// under a partial aggregation of agg.
func buildPartial(agg *plan.Aggregate, input plan.Node) (exec.Operator, error) {
	in, err := plan.Optimize(input)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	inOp, err := exec.Build(in)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	partial, err := exec.NewHashAggregateOp(inOp, agg.GroupBy, agg.Aggs, exec.AggregatePartial)
	if err != nil {
		return nil, fmt.Errorf("engine: streaming aggregation: %w", err)
	}
	return partial, nil
}

// keySchema is the schema of the grouping columns: what a key holds.
func (a *streamAgg) keySchema() *arrow.Schema {
	return arrow.NewSchema(a.partial.Schema().Fields()[:a.numGroup], nil)
}

// aggBatch is one batch of a streaming aggregation: a store per partition,
// open at the batch's version, updated but not committed.
type aggBatch struct {
	a       *streamAgg
	stores  []statestore.Store
	updates time.Duration // summed over partitions
}

// processAgg runs batch id of the aggregation: it reads the partial
// aggregation of the batch's input from r (which it closes), splits it by
// partition and merges each part into its store at version id, the
// partitions in parallel. It returns the rows to write: the updated groups
// in Update mode, every group in Complete mode, partition by partition.
// The caller commits or aborts the returned batch.
func (q *Query) processAgg(ctx context.Context, id batch.ID, r batch.Reader) (*aggBatch, []arrow.RecordBatch, error) {
	a, mem := q.agg, q.opts.Mem
	recs, err := batch.ReadAll(ctx, r)
	r.Close()
	if err != nil {
		return nil, nil, err
	}
	parts, err := a.split(ctx, mem, recs)
	batch.Release(recs)
	if err != nil {
		return nil, nil, err
	}
	b := &aggBatch{a: a, stores: make([]statestore.Store, a.partitions)}
	outs := make([][]arrow.RecordBatch, a.partitions)
	errs := make([]error, a.partitions)
	took := make([]time.Duration, a.partitions)
	var wg sync.WaitGroup
	for p := range a.partitions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer batch.Release(parts[p])
			began := time.Now()
			b.stores[p], outs[p], errs[p] = q.processPartition(ctx, id, p, parts[p])
			took[p] = time.Since(began)
		}()
	}
	wg.Wait()
	var out []arrow.RecordBatch
	for p := range outs {
		out = append(out, outs[p]...)
		b.updates += took[p]
	}
	if err := errors.Join(errs...); err != nil {
		b.abort()
		batch.Release(out)
		return nil, nil, err
	}
	return b, out, nil
}

// processPartition merges the partial rows of partition p into its store.
func (q *Query) processPartition(ctx context.Context, id batch.ID, p int, recs []arrow.RecordBatch) (statestore.Store, []arrow.RecordBatch, error) {
	a := q.agg
	sid := statestore.StoreID{Operator: aggOperator, Partition: p}
	store, err := q.opts.StateProvider.Open(ctx, sid, int64(id), statestore.OpenOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("state %s: %w", sid, err)
	}
	var out []arrow.RecordBatch
	fail := func(err error) (statestore.Store, []arrow.RecordBatch, error) {
		store.Abort()
		batch.Release(out)
		return nil, nil, fmt.Errorf("state %s: %w", sid, err)
	}
	if len(recs) > 0 {
		var keys, vals batch.KeyBuffer
		res, err := a.merge(q.opts.Mem, store, recs, &keys, &vals)
		if err != nil {
			return fail(err)
		}
		out = append(out, res)
	}
	if q.opts.Mode == sink.Complete {
		batch.Release(out)
		out = nil
		all, err := a.all(q.opts.Mem, store)
		if err != nil {
			return fail(err)
		}
		if all != nil {
			out = append(out, all)
		}
	}
	return store, out, nil
}

// split returns the rows of recs (partial rows, each group once) by
// partition: parts[p] holds the rows whose grouping values hash to p.
func (a *streamAgg) split(ctx context.Context, mem memory.Allocator, recs []arrow.RecordBatch) ([][]arrow.RecordBatch, error) {
	parts := make([][]arrow.RecordBatch, a.partitions)
	if a.partitions == 1 || a.numGroup == 0 {
		for _, rec := range recs {
			rec.Retain()
			parts[0] = append(parts[0], rec)
		}
		return parts, nil
	}
	ctx = compute.WithAllocator(ctx, mem)
	var hashes []uint64
	var pids []int32
	idx := make([][]int32, a.partitions)
	for _, rec := range recs {
		n := int(rec.NumRows())
		hashes = append(hashes[:0], make([]uint64, n)...)
		pids = append(pids[:0], make([]int32, n)...)
		if err := batch.HashColumns(rec.Columns()[:a.numGroup], hashes); err != nil {
			releaseParts(parts)
			return nil, err
		}
		batch.Partitions(hashes, a.partitions, pids)
		for p := range idx {
			idx[p] = idx[p][:0]
		}
		for i, p := range pids {
			idx[p] = append(idx[p], int32(i))
		}
		for p, rows := range idx {
			if len(rows) == 0 {
				continue
			}
			part, err := takeRecord(ctx, mem, rec, rows)
			if err != nil {
				releaseParts(parts)
				return nil, err
			}
			parts[p] = append(parts[p], part)
		}
	}
	return parts, nil
}

func releaseParts(parts [][]arrow.RecordBatch) {
	for _, p := range parts {
		batch.Release(p)
	}
}

// takeRecord returns the rows of rec at indices rows.
func takeRecord(ctx context.Context, mem memory.Allocator, rec arrow.RecordBatch, rows []int32) (arrow.RecordBatch, error) {
	if len(rows) == int(rec.NumRows()) {
		rec.Retain()
		return rec, nil
	}
	b := array.NewInt32Builder(mem)
	b.AppendValues(rows, nil)
	indices := b.NewArray()
	b.Release()
	defer indices.Release()
	cols := make([]arrow.Array, 0, rec.NumCols())
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for _, c := range rec.Columns() {
		t, err := compute.TakeArrayOpts(ctx, c, indices, compute.TakeOptions{BoundsCheck: false})
		if err != nil {
			return nil, fmt.Errorf("partition state rows: %w", err)
		}
		cols = append(cols, t)
	}
	return array.NewRecordBatch(rec.Schema(), cols, int64(len(rows))), nil
}

// commit commits every partition's store (version id+1) locally, in
// parallel, and returns their snapshots, by partition.
func (b *aggBatch) commit(ctx context.Context) ([]statestore.Snapshot, []statestore.Metrics, error) {
	snaps := make([]statestore.Snapshot, len(b.stores))
	metrics := make([]statestore.Metrics, len(b.stores))
	errs := make([]error, len(b.stores))
	var wg sync.WaitGroup
	for p, s := range b.stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			snaps[p], errs[p] = s.Commit(ctx)
			if errs[p] != nil {
				// A failed commit leaves the version open; a restart on
				// the same provider must be able to open it again.
				s.Abort()
				errs[p] = fmt.Errorf("state %s: commit: %w", s.ID(), errs[p])
				return
			}
			metrics[p] = s.Metrics()
		}()
	}
	wg.Wait()
	b.stores = nil
	if err := errors.Join(errs...); err != nil {
		for _, s := range snaps {
			if s != nil {
				err = errors.Join(err, s.Release())
			}
		}
		return nil, nil, err
	}
	return snaps, metrics, nil
}

func (b *aggBatch) abort() {
	for _, s := range b.stores {
		if s != nil {
			s.Abort()
		}
	}
	b.stores = nil
}
