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

// merge folds partial records into store and returns their groups' final
// values. A group may have rows in several records (the workers of a
// parallel partial aggregation overlap); it is read, merged and written
// once: one MultiGet for the old states, one bulk decode, one Merge per
// aggregate and record, one bulk encode, a Put per group.
func (a *streamAgg) merge(mem memory.Allocator, store statestore.Store, recs []arrow.RecordBatch, keyBuf, valBuf *batch.KeyBuffer) (arrow.RecordBatch, error) {
	keys, groups, err := a.groupRows(recs, keyBuf)
	if err != nil {
		return nil, err
	}
	n := len(keys)
	olds, err := store.MultiGet(keys)
	if err != nil {
		return nil, err
	}
	accs, err := a.newAccs()
	if err != nil {
		return nil, err
	}
	defer releaseAccs(accs)
	var had []uint32
	var prev [][]byte
	for i, v := range olds {
		if v != nil {
			had = append(had, uint32(i))
			prev = append(prev, v)
		}
	}
	if len(had) > 0 {
		// prev is valid until the next call on the store: decode copies.
		cols, err := a.codec.decode(mem, prev)
		if err != nil {
			return nil, fmt.Errorf("decode state values: %w", err)
		}
		err = a.mergeStates(accs, cols, had, n)
		releaseArrays(cols)
		if err != nil {
			return nil, err
		}
	}
	off := 0
	for _, rec := range recs {
		rows := int(rec.NumRows())
		if err := a.mergeStates(accs, rec.Columns()[a.numGroup:], groups[off:off+rows], n); err != nil {
			return nil, err
		}
		off += rows
	}
	states, err := a.states(mem, accs)
	if err != nil {
		return nil, err
	}
	valBuf.Reset()
	err = a.codec.encode(states, n, valBuf)
	releaseArrays(states)
	if err != nil {
		return nil, err
	}
	for i, k := range keys {
		if err := store.Put(k, valBuf.Key(i)); err != nil {
			return nil, err
		}
	}
	groupCols := []arrow.Array(nil)
	switch {
	case a.numGroup == 0:
	case len(recs) == 1:
		groupCols = recs[0].Columns()[:a.numGroup]
	default:
		if groupCols, err = batch.DecodeKeys(mem, a.groupTypes, keys); err != nil {
			return nil, fmt.Errorf("decode state keys: %w", err)
		}
		defer releaseArrays(groupCols)
	}
	return a.output(mem, accs, groupCols, n)
}

// groupRows returns the distinct store keys of recs' rows, in order of
// first appearance, and each row's index among them. The keys alias buf.
func (a *streamAgg) groupRows(recs []arrow.RecordBatch, buf *batch.KeyBuffer) ([][]byte, []uint32, error) {
	total := 0
	for _, rec := range recs {
		total += int(rec.NumRows())
	}
	groups := make([]uint32, total)
	if a.numGroup == 0 {
		return [][]byte{noGroupKey}, groups, nil
	}
	buf.Reset()
	for _, rec := range recs {
		if err := batch.EncodeKeys(rec.Columns()[:a.numGroup], buf); err != nil {
			return nil, nil, err
		}
	}
	if len(recs) == 1 { // one partial record holds each group once
		keys := make([][]byte, total)
		for i := range keys {
			keys[i] = buf.Key(i)
			groups[i] = uint32(i)
		}
		return keys, groups, nil
	}
	index := make(map[string]uint32, total)
	var keys [][]byte
	for i := range total {
		k := buf.Key(i)
		g, ok := index[string(k)]
		if !ok {
			g = uint32(len(keys))
			index[string(k)] = g
			keys = append(keys, k)
		}
		groups[i] = g
	}
	return keys, groups, nil
}

// all returns every group in store, evaluated; nil if it is empty.
func (a *streamAgg) all(mem memory.Allocator, store statestore.Store) (arrow.RecordBatch, error) {
	var keys, vals batch.KeyBuffer
	keys.Offsets, vals.Offsets = []int32{0}, []int32{0}
	it := store.NewIter(nil)
	for it.Next() {
		keys.Data = append(keys.Data, it.Key()...)
		keys.Offsets = append(keys.Offsets, int32(len(keys.Data)))
		vals.Data = append(vals.Data, it.Value()...)
		vals.Offsets = append(vals.Offsets, int32(len(vals.Data)))
	}
	if err := errors.Join(it.Err(), it.Close()); err != nil {
		return nil, err
	}
	n := keys.Len()
	if n == 0 {
		return nil, nil
	}
	var groups []arrow.Array
	if a.numGroup > 0 {
		var err error
		if groups, err = batch.DecodeKeys(mem, a.groupTypes, entries(&keys)); err != nil {
			return nil, fmt.Errorf("decode state keys: %w", err)
		}
		defer releaseArrays(groups)
	}
	states, err := a.codec.decode(mem, entries(&vals))
	if err != nil {
		return nil, fmt.Errorf("decode state values: %w", err)
	}
	defer releaseArrays(states)
	accs, err := a.newAccs()
	if err != nil {
		return nil, err
	}
	defer releaseAccs(accs)
	if err := a.mergeStates(accs, states, seq(n), n); err != nil {
		return nil, err
	}
	return a.output(mem, accs, groups, n)
}

// entries returns the entries of b as slices of its data.
func entries(b *batch.KeyBuffer) [][]byte {
	s := make([][]byte, b.Len())
	for i := range s {
		s[i] = b.Key(i)
	}
	return s
}

func seq(n int) []uint32 {
	s := make([]uint32, n)
	for i := range s {
		s[i] = uint32(i)
	}
	return s
}

func releaseArrays(cols []arrow.Array) {
	for _, c := range cols {
		c.Release()
	}
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

func (a *streamAgg) newAccs() ([]expr.GroupsAccumulator, error) {
	accs := make([]expr.GroupsAccumulator, 0, len(a.aggs))
	for _, fn := range a.aggs {
		acc, err := fn.NewAccumulator(a.input)
		if err != nil {
			releaseAccs(accs)
			return nil, fmt.Errorf("aggregate %s: %w", fn, err)
		}
		accs = append(accs, acc)
	}
	return accs, nil
}

func releaseAccs(accs []expr.GroupsAccumulator) {
	for _, acc := range accs {
		acc.Release()
	}
}

// mergeStates folds state columns (every aggregate's, in order) into accs:
// row i into groups[i] of n.
func (a *streamAgg) mergeStates(accs []expr.GroupsAccumulator, cols []arrow.Array, groups []uint32, n int) error {
	next := 0
	for i, acc := range accs {
		ns := a.numStates[i]
		if err := acc.Merge(cols[next:next+ns], groups, n); err != nil {
			return fmt.Errorf("merge aggregate %s: %w", a.aggs[i], err)
		}
		next += ns
	}
	return nil
}

// states returns the accumulators' state columns; the caller releases them.
func (a *streamAgg) states(mem memory.Allocator, accs []expr.GroupsAccumulator) ([]arrow.Array, error) {
	var cols []arrow.Array
	for i, acc := range accs {
		st, err := acc.State(mem)
		cols = append(cols, st...)
		if err != nil {
			releaseArrays(cols)
			return nil, fmt.Errorf("aggregate %s: %w", a.aggs[i], err)
		}
		if len(st) != a.numStates[i] {
			releaseArrays(cols)
			return nil, fmt.Errorf("aggregate %s: %d state columns, want %d", a.aggs[i], len(st), a.numStates[i])
		}
	}
	return cols, nil
}

// output returns the grouping columns with the accumulators' final values,
// as a record of the aggregate's schema.
func (a *streamAgg) output(mem memory.Allocator, accs []expr.GroupsAccumulator, groups []arrow.Array, n int) (arrow.RecordBatch, error) {
	cols := append([]arrow.Array(nil), groups...)
	var owned []arrow.Array
	defer func() { releaseArrays(owned) }()
	for i, acc := range accs {
		v, err := acc.Evaluate(mem)
		if err != nil {
			return nil, fmt.Errorf("aggregate %s: %w", a.aggs[i], err)
		}
		owned = append(owned, v)
		cols = append(cols, v)
	}
	return newRecord(a.node.Schema(), cols, int64(n))
}

// newRecord builds a record of schema over cols, checking their types and
// lengths first (array.NewRecordBatch panics on a mismatch).
func newRecord(schema *arrow.Schema, cols []arrow.Array, n int64) (arrow.RecordBatch, error) {
	if len(cols) != schema.NumFields() {
		return nil, fmt.Errorf("%d columns, schema %s has %d", len(cols), schema, schema.NumFields())
	}
	for i, c := range cols {
		if f := schema.Field(i); !arrow.TypeEqual(f.Type, c.DataType()) || int64(c.Len()) != n {
			return nil, fmt.Errorf("column %q: %s of %d rows, want %s of %d", f.Name, c.DataType(), c.Len(), f.Type, n)
		}
	}
	return array.NewRecordBatch(schema, cols, n), nil
}

func sameFieldTypes(a, b *arrow.Schema) bool {
	if a.NumFields() != b.NumFields() {
		return false
	}
	for i := range a.Fields() {
		if !arrow.TypeEqual(a.Field(i).Type, b.Field(i).Type) {
			return false
		}
	}
	return true
}
