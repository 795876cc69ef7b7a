package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// first(x) and last(x): the value of the first or last row of a group in
// input order, NULL included (Spark's default, ignoreNulls=false). The state
// is two columns, the value (x's type) and a boolean "set" that tells a
// group that saw a NULL row from one that saw no row; set is never NULL.
// Merge must be given partial states in input order: first keeps the value
// it has over a later partial's, last takes every later partial's.

// newFirstLastAcc returns the first or last accumulator for values of type
// dt, or nil if dt is not supported. Only the layout of a value matters, so
// every fixed-width type is kept by its width.
func newFirstLastAcc(name string, dt arrow.DataType, last bool) aggAccumulator {
	h := accHead{name: name, input: []arrow.DataType{dt}, states: []arrow.DataType{dt, arrow.FixedWidthTypes.Boolean}, out: dt}
	switch aggPhysicalType(dt) {
	case arrow.BOOL:
		return &firstLastBool{firstLastHead: firstLastHead{accHead: h, last: last}}
	case arrow.BINARY:
		return &firstLastBytes[int32]{firstLastHead: firstLastHead{accHead: h, last: last}}
	case arrow.LARGE_BINARY:
		return &firstLastBytes[int64]{firstLastHead: firstLastHead{accHead: h, last: last}}
	}
	switch aggFixedWidth(dt) {
	case 1:
		return &firstLastAcc[uint8]{firstLastHead: firstLastHead{accHead: h, last: last}}
	case 2:
		return &firstLastAcc[uint16]{firstLastHead: firstLastHead{accHead: h, last: last}}
	case 4:
		return &firstLastAcc[uint32]{firstLastHead: firstLastHead{accHead: h, last: last}}
	case 8:
		return &firstLastAcc[uint64]{firstLastHead: firstLastHead{accHead: h, last: last}}
	case 16:
		return &firstLastAcc[decimal128.Num]{firstLastHead: firstLastHead{accHead: h, last: last}}
	case 32:
		return &firstLastAcc[decimal256.Num]{firstLastHead: firstLastHead{accHead: h, last: last}}
	}
	return nil
}

// aggSetFlags reads the "set" column of a first/last state; a nil column (as
// in Update) means every row is set.
type aggSetFlags struct {
	check bool
	vals  []byte
	off   int
	nl    aggNulls
}

func aggSetFlagsOf(col arrow.Array) aggSetFlags {
	if col == nil {
		return aggSetFlags{}
	}
	vals, off := aggBoolBits(col)
	return aggSetFlags{check: true, vals: vals, off: off, nl: aggNullsOf(col)}
}

// skip reports whether row i carries no value: set is false or NULL.
func (f aggSetFlags) skip(i int) bool {
	return f.check && ((f.nl.any && f.nl.null(i)) || !aggBitSet(f.vals, uint32(f.off+i)))
}

// firstLastHead holds what the three value layouts share.
type firstLastHead struct {
	accHead
	last  bool
	valid []byte // bit per group: the kept value is not NULL
	set   []byte // bit per group: a value (maybe NULL) is kept
}

func (h *firstLastHead) growHead() {
	h.valid = aggGrowBits(h.valid, h.n)
	h.set = aggGrowBits(h.set, h.n)
}

func (h *firstLastHead) state(mem memory.Allocator, value arrow.Array) []arrow.Array {
	return []arrow.Array{value, aggBoolArray(mem, h.set, nil, h.n)}
}

// firstLastAcc keeps fixed-width values laid out as T.
type firstLastAcc[T arrow.FixedWidthType] struct {
	firstLastHead
	vals []T
}

var _ GroupsAccumulator = (*firstLastAcc[uint64])(nil)

func (a *firstLastAcc[T]) Update(values []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkUpdate(values, groups, numGroups); err != nil {
		return err
	}
	a.fold(values[0], nil, groups)
	return nil
}

func (a *firstLastAcc[T]) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkMerge(states, groups, numGroups); err != nil {
		return err
	}
	a.fold(states[0], states[1], groups)
	return nil
}

func (a *firstLastAcc[T]) grow() {
	a.growHead()
	a.vals = aggGrow(a.vals, a.n)
}

func (a *firstLastAcc[T]) fold(arr, setCol arrow.Array, groups []uint32) {
	a.grow()
	nl, f := aggNullsOf(arr), aggSetFlagsOf(setCol)
	first, set, valid, vals := !a.last, a.set, a.valid, a.vals
	var src []T
	if !nl.all && len(groups) > 0 {
		src = arrow.GetValues[T](arr.Data(), 1)[:len(groups)]
	}
	for i, g := range groups {
		if f.skip(i) || (first && aggBitSet(set, g)) {
			continue // not set, or first already has its value
		}
		aggSetBit(set, g)
		if nl.all || (nl.any && nl.null(i)) {
			aggClearBit(valid, g)
			continue
		}
		aggSetBit(valid, g)
		vals[g] = src[i]
	}
}

func (a *firstLastAcc[T]) State(mem memory.Allocator) ([]arrow.Array, error) {
	v, _ := a.Evaluate(mem)
	return a.state(mem, v), nil
}

func (a *firstLastAcc[T]) Evaluate(mem memory.Allocator) (arrow.Array, error) {
	a.grow()
	return aggFixedArray(mem, a.states[0], a.vals, a.valid, a.n), nil
}

func (a *firstLastAcc[T]) Release() { a.vals, a.valid, a.set = nil, nil, nil }

// firstLastBool keeps booleans as a bitmap.
type firstLastBool struct {
	firstLastHead
	vals []byte
}

var _ GroupsAccumulator = (*firstLastBool)(nil)

func (a *firstLastBool) Update(values []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkUpdate(values, groups, numGroups); err != nil {
		return err
	}
	a.fold(values[0], nil, groups)
	return nil
}

func (a *firstLastBool) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkMerge(states, groups, numGroups); err != nil {
		return err
	}
	a.fold(states[0], states[1], groups)
	return nil
}

func (a *firstLastBool) grow() {
	a.growHead()
	a.vals = aggGrowBits(a.vals, a.n)
}

func (a *firstLastBool) fold(arr, setCol arrow.Array, groups []uint32) {
	a.grow()
	nl, f := aggNullsOf(arr), aggSetFlagsOf(setCol)
	first, set, valid, vals := !a.last, a.set, a.valid, a.vals
	src, off := aggBoolBits(arr)
	for i, g := range groups {
		if f.skip(i) || (first && aggBitSet(set, g)) {
			continue // not set, or first already has its value
		}
		aggSetBit(set, g)
		if nl.all || (nl.any && nl.null(i)) {
			aggClearBit(valid, g)
			continue
		}
		aggSetBit(valid, g)
		if aggBitSet(src, uint32(off+i)) {
			aggSetBit(vals, g)
		} else {
			aggClearBit(vals, g)
		}
	}
}

func (a *firstLastBool) State(mem memory.Allocator) ([]arrow.Array, error) {
	v, _ := a.Evaluate(mem)
	return a.state(mem, v), nil
}

func (a *firstLastBool) Evaluate(mem memory.Allocator) (arrow.Array, error) {
	a.grow()
	return aggBoolArray(mem, a.vals, a.valid, a.n), nil
}

func (a *firstLastBool) Release() { a.vals, a.valid, a.set = nil, nil, nil }

// firstLastBytes keeps strings or binaries with offsets of type O.
type firstLastBytes[O int32 | int64] struct {
	firstLastHead
	slots aggByteSlots
}

var _ GroupsAccumulator = (*firstLastBytes[int32])(nil)

func (a *firstLastBytes[O]) Update(values []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkUpdate(values, groups, numGroups); err != nil {
		return err
	}
	a.fold(values[0], nil, groups)
	return nil
}

func (a *firstLastBytes[O]) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkMerge(states, groups, numGroups); err != nil {
		return err
	}
	a.fold(states[0], states[1], groups)
	return nil
}

func (a *firstLastBytes[O]) grow() {
	a.growHead()
	a.slots.grow(a.n)
}

func (a *firstLastBytes[O]) fold(arr, setCol arrow.Array, groups []uint32) {
	a.grow()
	nl, f := aggNullsOf(arr), aggSetFlagsOf(setCol)
	first, set, valid := !a.last, a.set, a.valid
	src := aggBinaryOf[O](arr)
	for i, g := range groups {
		if f.skip(i) || (first && aggBitSet(set, g)) {
			continue // not set, or first already has its value
		}
		aggSetBit(set, g)
		if nl.all || (nl.any && nl.null(i)) {
			aggClearBit(valid, g)
			continue
		}
		aggSetBit(valid, g)
		a.slots.set(g, src.value(i))
	}
}

func (a *firstLastBytes[O]) State(mem memory.Allocator) ([]arrow.Array, error) {
	v, _ := a.Evaluate(mem)
	return a.state(mem, v), nil
}

func (a *firstLastBytes[O]) Evaluate(mem memory.Allocator) (arrow.Array, error) {
	a.grow()
	return aggBinaryArray[O](mem, a.states[0], a.n, a.valid, func(i int) []byte { return a.slots.get(uint32(i)) }), nil
}

func (a *firstLastBytes[O]) Release() { a.slots.release(); a.valid, a.set = nil, nil }
