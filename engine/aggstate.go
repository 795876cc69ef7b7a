package engine

// The state work of a streaming aggregation on one store: folding a batch's
// partial rows into the stored states, and reading every group back.

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/statestore"
)

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
