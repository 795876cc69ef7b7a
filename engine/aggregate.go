package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/exec"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/statestore"
)

// ConfStatePartitions is the conf key recording the number of state
// partitions of a stateful query; it must not change across restarts.
const ConfStatePartitions = "sluice.statePartitions"

// aggStoreID is the one store of a streaming aggregation: one operator, one
// partition, for now.
var aggStoreID = statestore.StoreID{Operator: "0", Partition: 0}

// noGroupKey is the store key of the single group of an aggregation without
// grouping keys.
var noGroupKey = []byte{0}

// streamAgg is a streaming aggregation: the top plan.Aggregate of a query
// over a stateless streaming input.
//
// State: one entry per group. The key is batch.EncodeKeys of the group's
// grouping values (noGroupKey without grouping keys). The value is a one-row
// Arrow IPC stream (batch.EncodeIPC) of the group's partial row: the grouping
// columns then every aggregate's state columns, as an
// exec.AggregatePartial's output (stateSchema, without its metadata). The
// grouping values are kept in the value, although the key holds them too, so
// that Complete mode reads a group back from its value alone.
type streamAgg struct {
	node        *plan.Aggregate
	input       *arrow.Schema // the schema the aggregates are evaluated over
	aggs        []*expr.AggFunc
	numGroup    int
	numStates   []int         // state columns of each aggregate
	stateSchema *arrow.Schema // grouping columns, then state columns
	partial     exec.Operator // partial aggregation of one batch's input
	prev        *statestore.Manifest
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

// newStreamAgg builds the aggregation of agg: the input subplan is optimized
// and built alone, then aggregated partially per batch.
func newStreamAgg(agg *plan.Aggregate) (*streamAgg, error) {
	in, err := plan.Optimize(agg.Input)
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
	a := &streamAgg{
		node:        agg,
		input:       inOp.Schema(),
		numGroup:    len(agg.GroupBy),
		partial:     partial,
		stateSchema: arrow.NewSchema(partial.Schema().Fields(), nil),
	}
	total := a.numGroup
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
	if total != a.stateSchema.NumFields() {
		return nil, fmt.Errorf("engine: streaming aggregation: partial output has %d columns, want %d", a.stateSchema.NumFields(), total)
	}
	return a, nil
}

// aggBatch is one batch of a streaming aggregation: its store, open at the
// batch's version, updated but not committed.
type aggBatch struct {
	a     *streamAgg
	store statestore.Store
}

// processAgg runs batch id: it reads the partial aggregation of the batch's
// input from r (which it closes), merges it into store version id and
// returns the rows to write (the updated groups in Update mode, every group
// in Complete mode). The caller commits or aborts the returned batch.
func (q *Query) processAgg(ctx context.Context, id batch.ID, r batch.Reader) (*aggBatch, batch.Reader, error) {
	a := q.agg
	defer r.Close()
	store, err := q.opts.StateProvider.Open(ctx, aggStoreID, int64(id), statestore.OpenOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("state: %w", err)
	}
	b := &aggBatch{a: a, store: store}
	out, err := b.update(ctx, q, r)
	if err != nil {
		b.abort()
		return nil, nil, err
	}
	if q.opts.Mode == sink.Complete {
		batch.Release(out)
		if out, err = b.all(q); err != nil {
			b.abort()
			return nil, nil, err
		}
	}
	return b, batch.NewSliceReader(a.node.Schema(), out...), nil
}

// update merges every partial record of r into the store and returns the
// updated groups' final values.
func (b *aggBatch) update(ctx context.Context, q *Query, r batch.Reader) ([]arrow.RecordBatch, error) {
	var out []arrow.RecordBatch
	for {
		rec, err := r.Next(ctx)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			batch.Release(out)
			return nil, err
		}
		res, err := b.merge(q, rec)
		rec.Release()
		if err != nil {
			batch.Release(out)
			return nil, err
		}
		out = append(out, res)
	}
}

// merge folds one partial record (distinct groups) into the store and
// returns its groups' final values.
func (b *aggBatch) merge(q *Query, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	a, mem := b.a, q.opts.Mem
	n := int(rec.NumRows())
	keys, err := a.keys(rec)
	if err != nil {
		return nil, err
	}
	olds, err := b.store.MultiGet(keys)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	accs, err := a.newAccs()
	if err != nil {
		return nil, err
	}
	defer releaseAccs(accs)
	for i, old := range olds {
		if old == nil {
			continue
		}
		prev, err := a.decode(q, old)
		if err != nil {
			return nil, fmt.Errorf("state: key %x: %w", keys[i], err)
		}
		err = a.mergeStates(accs, prev, []uint32{uint32(i)}, n)
		prev.Release()
		if err != nil {
			return nil, err
		}
	}
	seq := make([]uint32, n)
	for i := range seq {
		seq[i] = uint32(i)
	}
	if err := a.mergeStates(accs, rec, seq, n); err != nil {
		return nil, err
	}
	states, err := a.states(q, accs, rec)
	if err != nil {
		return nil, err
	}
	defer states.Release()
	for i, k := range keys {
		row := states.NewSlice(int64(i), int64(i+1))
		v, err := batch.EncodeIPC(a.stateSchema, []arrow.RecordBatch{row})
		row.Release()
		if err != nil {
			return nil, fmt.Errorf("state: encode: %w", err)
		}
		if err := b.store.Put(k, v); err != nil {
			return nil, fmt.Errorf("state: %w", err)
		}
	}
	return a.output(mem, accs, rec)
}

// all returns every group in the store, evaluated.
func (b *aggBatch) all(q *Query) ([]arrow.RecordBatch, error) {
	a := b.a
	it := b.store.NewIter(nil)
	var rows []arrow.RecordBatch
	defer func() { batch.Release(rows) }()
	for it.Next() {
		rec, err := a.decode(q, it.Value())
		if err != nil {
			it.Close()
			return nil, fmt.Errorf("state: key %x: %w", it.Key(), err)
		}
		rows = append(rows, rec)
	}
	if err := errors.Join(it.Err(), it.Close()); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	states, err := batch.Concat(q.opts.Mem, a.stateSchema, rows)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	defer states.Release()
	n := int(states.NumRows())
	accs, err := a.newAccs()
	if err != nil {
		return nil, err
	}
	defer releaseAccs(accs)
	seq := make([]uint32, n)
	for i := range seq {
		seq[i] = uint32(i)
	}
	if err := a.mergeStates(accs, states, seq, n); err != nil {
		return nil, err
	}
	out, err := a.output(q.opts.Mem, accs, states)
	if err != nil {
		return nil, err
	}
	return []arrow.RecordBatch{out}, nil
}

// commit commits store version id+1 and uploads it to the checkpoint
// storage, synchronously.
func (b *aggBatch) commit(ctx context.Context, q *Query) error {
	snap, err := b.store.Commit(ctx)
	b.store = nil
	if err != nil {
		return fmt.Errorf("state: commit: %w", err)
	}
	m, err := snap.Upload(ctx, q.opts.Checkpoint, b.a.prev)
	if err != nil {
		b.a.prev = nil // unknown what the failed upload left: start afresh
		return errors.Join(fmt.Errorf("state: upload: %w", err), snap.Release())
	}
	b.a.prev = m
	if err := snap.Release(); err != nil {
		return fmt.Errorf("state: release snapshot: %w", err)
	}
	return nil
}

func (b *aggBatch) abort() {
	if b.store != nil {
		b.store.Abort()
		b.store = nil
	}
}

// keys returns the store key of every row of a partial record.
func (a *streamAgg) keys(rec arrow.RecordBatch) ([][]byte, error) {
	n := int(rec.NumRows())
	keys := make([][]byte, n)
	if a.numGroup == 0 {
		for i := range keys {
			keys[i] = noGroupKey
		}
		return keys, nil
	}
	var buf batch.KeyBuffer
	if err := batch.EncodeKeys(rec.Columns()[:a.numGroup], &buf); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	for i := range keys {
		keys[i] = buf.Key(i)
	}
	return keys, nil
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

// mergeStates folds the state columns of rec (a partial row layout) into
// accs: row i into groups[i].
func (a *streamAgg) mergeStates(accs []expr.GroupsAccumulator, rec arrow.RecordBatch, groups []uint32, n int) error {
	cols := rec.Columns()
	next := a.numGroup
	for i, acc := range accs {
		ns := a.numStates[i]
		if err := acc.Merge(cols[next:next+ns], groups, n); err != nil {
			return fmt.Errorf("merge aggregate %s: %w", a.aggs[i], err)
		}
		next += ns
	}
	return nil
}

// states returns the grouping columns of rec with the accumulators' states,
// as a record of stateSchema.
func (a *streamAgg) states(q *Query, accs []expr.GroupsAccumulator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := append([]arrow.Array(nil), rec.Columns()[:a.numGroup]...)
	var owned []arrow.Array
	defer func() {
		for _, c := range owned {
			c.Release()
		}
	}()
	for i, acc := range accs {
		st, err := acc.State(q.opts.Mem)
		owned = append(owned, st...)
		if err != nil {
			return nil, fmt.Errorf("aggregate %s: %w", a.aggs[i], err)
		}
		if len(st) != a.numStates[i] {
			return nil, fmt.Errorf("aggregate %s: %d state columns, want %d", a.aggs[i], len(st), a.numStates[i])
		}
		cols = append(cols, st...)
	}
	return newRecord(a.stateSchema, cols, rec.NumRows())
}

// output returns the grouping columns of rec with the accumulators' final
// values, as a record of the aggregate's schema.
func (a *streamAgg) output(mem memory.Allocator, accs []expr.GroupsAccumulator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := append([]arrow.Array(nil), rec.Columns()[:a.numGroup]...)
	var owned []arrow.Array
	defer func() {
		for _, c := range owned {
			c.Release()
		}
	}()
	for i, acc := range accs {
		v, err := acc.Evaluate(mem)
		if err != nil {
			return nil, fmt.Errorf("aggregate %s: %w", a.aggs[i], err)
		}
		owned = append(owned, v)
		cols = append(cols, v)
	}
	return newRecord(a.node.Schema(), cols, rec.NumRows())
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

// decode reads a state value back: a one-row record of stateSchema.
func (a *streamAgg) decode(q *Query, v []byte) (arrow.RecordBatch, error) {
	// v is valid only until the next call on the store: decode a copy.
	s, recs, err := batch.DecodeIPC(q.opts.Mem, bytes.Clone(v))
	if err != nil {
		return nil, err
	}
	if len(recs) != 1 || recs[0].NumRows() != 1 || !sameFieldTypes(s, a.stateSchema) {
		batch.Release(recs)
		return nil, fmt.Errorf("state value is not one row of %s", a.stateSchema)
	}
	return recs[0], nil
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
