package expr

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// min(x) and max(x). State and result are the same nullable column of x's
// type: NULL for a group that has seen no non-NULL value. Floats order NaN
// above every other value, as Spark does; strings and binaries compare
// bytewise; false < true.

// newMinMaxAcc returns the min or max accumulator for values of type dt, or
// nil if dt has no order here.
func newMinMaxAcc(name string, dt arrow.DataType, isMax bool) aggAccumulator {
	h := accHead{name: name, input: []arrow.DataType{dt}, states: []arrow.DataType{dt}, out: dt}
	switch aggPhysicalType(dt) {
	case arrow.INT8:
		return &minMaxAcc[int8]{accHead: h, max: isMax}
	case arrow.INT16:
		return &minMaxAcc[int16]{accHead: h, max: isMax}
	case arrow.INT32:
		return &minMaxAcc[int32]{accHead: h, max: isMax}
	case arrow.INT64:
		return &minMaxAcc[int64]{accHead: h, max: isMax}
	case arrow.UINT8:
		return &minMaxAcc[uint8]{accHead: h, max: isMax}
	case arrow.UINT16:
		return &minMaxAcc[uint16]{accHead: h, max: isMax}
	case arrow.UINT32:
		return &minMaxAcc[uint32]{accHead: h, max: isMax}
	case arrow.UINT64:
		return &minMaxAcc[uint64]{accHead: h, max: isMax}
	case arrow.FLOAT32:
		return &minMaxAcc[float32]{accHead: h, max: isMax}
	case arrow.FLOAT64:
		return &minMaxAcc[float64]{accHead: h, max: isMax}
	case arrow.BOOL:
		return &minMaxBool{accHead: h, max: isMax}
	case arrow.BINARY:
		return &minMaxBytes[int32]{accHead: h, max: isMax}
	case arrow.LARGE_BINARY:
		return &minMaxBytes[int64]{accHead: h, max: isMax}
	}
	return nil
}

// minMaxAcc is min or max over numbers, dates, times, timestamps and
// durations, laid out as T.
type minMaxAcc[T arrow.NumericType] struct {
	accHead
	max  bool
	vals []T
	seen []byte // bit per group: vals holds a value
}

var _ GroupsAccumulator = (*minMaxAcc[int64])(nil)

func (a *minMaxAcc[T]) Update(values []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkUpdate(values, groups, numGroups); err != nil {
		return err
	}
	a.fold(values[0], groups)
	return nil
}

func (a *minMaxAcc[T]) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkMerge(states, groups, numGroups); err != nil {
		return err
	}
	a.fold(states[0], groups)
	return nil
}

func (a *minMaxAcc[T]) fold(arr arrow.Array, groups []uint32) {
	a.vals = aggGrow(a.vals, a.n)
	a.seen = aggGrowBits(a.seen, a.n)
	nl := aggNullsOf(arr)
	if nl.all || len(groups) == 0 {
		return
	}
	src := arrow.GetValues[T](arr.Data(), 1)[:len(groups)]
	vals, seen := a.vals, a.seen
	if a.max {
		for i, g := range groups {
			if nl.any && nl.null(i) {
				continue
			}
			v := src[i]
			if !aggBitSet(seen, g) {
				aggSetBit(seen, g)
				vals[g] = v
			} else if c := vals[g]; v > c || (v != v && c == c) { // NaN is greatest
				vals[g] = v
			}
		}
		return
	}
	for i, g := range groups {
		if nl.any && nl.null(i) {
			continue
		}
		v := src[i]
		if !aggBitSet(seen, g) {
			aggSetBit(seen, g)
			vals[g] = v
		} else if c := vals[g]; v < c || (c != c && v == v) {
			vals[g] = v
		}
	}
}

func (a *minMaxAcc[T]) State(mem memory.Allocator) ([]arrow.Array, error) {
	return aggSingleState(a.Evaluate(mem))
}

func (a *minMaxAcc[T]) Evaluate(mem memory.Allocator) (arrow.Array, error) {
	a.vals = aggGrow(a.vals, a.n)
	a.seen = aggGrowBits(a.seen, a.n)
	return aggFixedArray(mem, a.states[0], a.vals, a.seen, a.n), nil
}

func (a *minMaxAcc[T]) Release() { a.vals, a.seen = nil, nil }

// minMaxBool is min (logical AND) or max (logical OR) over booleans.
type minMaxBool struct {
	accHead
	max  bool
	vals []byte // bit per group
	seen []byte
}

var _ GroupsAccumulator = (*minMaxBool)(nil)

func (a *minMaxBool) Update(values []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkUpdate(values, groups, numGroups); err != nil {
		return err
	}
	a.fold(values[0], groups)
	return nil
}

func (a *minMaxBool) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkMerge(states, groups, numGroups); err != nil {
		return err
	}
	a.fold(states[0], groups)
	return nil
}

func (a *minMaxBool) fold(arr arrow.Array, groups []uint32) {
	a.vals = aggGrowBits(a.vals, a.n)
	a.seen = aggGrowBits(a.seen, a.n)
	nl := aggNullsOf(arr)
	if nl.all || len(groups) == 0 {
		return
	}
	src, off := aggBoolBits(arr)
	vals, seen := a.vals, a.seen
	for i, g := range groups {
		if nl.any && nl.null(i) {
			continue
		}
		v := aggBitSet(src, uint32(off+i))
		if !aggBitSet(seen, g) {
			aggSetBit(seen, g)
			if !a.max {
				aggSetBit(vals, g) // AND starts from true
			}
		}
		if a.max && v {
			aggSetBit(vals, g)
		} else if !a.max && !v {
			aggClearBit(vals, g)
		}
	}
}

func (a *minMaxBool) State(mem memory.Allocator) ([]arrow.Array, error) {
	return aggSingleState(a.Evaluate(mem))
}

func (a *minMaxBool) Evaluate(mem memory.Allocator) (arrow.Array, error) {
	a.vals = aggGrowBits(a.vals, a.n)
	a.seen = aggGrowBits(a.seen, a.n)
	return aggBoolArray(mem, a.vals, a.seen, a.n), nil
}

func (a *minMaxBool) Release() { a.vals, a.seen = nil, nil }

// minMaxBytes is min or max over strings or binaries with offsets of type O,
// comparing bytewise (for UTF-8 that is code point order).
type minMaxBytes[O int32 | int64] struct {
	accHead
	max   bool
	slots aggByteSlots
	seen  []byte
}

var _ GroupsAccumulator = (*minMaxBytes[int32])(nil)

func (a *minMaxBytes[O]) Update(values []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkUpdate(values, groups, numGroups); err != nil {
		return err
	}
	a.fold(values[0], groups)
	return nil
}

func (a *minMaxBytes[O]) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkMerge(states, groups, numGroups); err != nil {
		return err
	}
	a.fold(states[0], groups)
	return nil
}

func (a *minMaxBytes[O]) fold(arr arrow.Array, groups []uint32) {
	a.slots.grow(a.n)
	a.seen = aggGrowBits(a.seen, a.n)
	nl := aggNullsOf(arr)
	if nl.all || len(groups) == 0 {
		return
	}
	src := aggBinaryOf[O](arr)
	want := -1
	if a.max {
		want = 1
	}
	for i, g := range groups {
		if nl.any && nl.null(i) {
			continue
		}
		v := src.value(i)
		if !aggBitSet(a.seen, g) {
			aggSetBit(a.seen, g)
			a.slots.set(g, v)
		} else if bytes.Compare(v, a.slots.get(g)) == want {
			a.slots.set(g, v)
		}
	}
}

func (a *minMaxBytes[O]) State(mem memory.Allocator) ([]arrow.Array, error) {
	return aggSingleState(a.Evaluate(mem))
}

func (a *minMaxBytes[O]) Evaluate(mem memory.Allocator) (arrow.Array, error) {
	a.slots.grow(a.n)
	a.seen = aggGrowBits(a.seen, a.n)
	return aggBinaryArray[O](mem, a.states[0], a.n, a.seen, func(i int) []byte { return a.slots.get(uint32(i)) }), nil
}

func (a *minMaxBytes[O]) Release() { a.slots.release(); a.seen = nil }

// aggSingleState wraps a one-column state.
func aggSingleState(col arrow.Array, err error) ([]arrow.Array, error) {
	if err != nil {
		return nil, err
	}
	return []arrow.Array{col}, nil
}
