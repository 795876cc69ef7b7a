package expr

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// count(DISTINCT x): the number of distinct non-NULL values per group. Each
// group keeps its distinct values in first-seen order (so State is
// deterministic for a given input order) and a set, keyed by (group, value),
// answers membership. The state is one list<x> column: a group's distinct
// values, never NULL (an empty list for a group with none). Float values are
// normalised first, as Spark does for grouping: every NaN is one value and
// -0.0 equals 0.0.

// aggDistinctKey is a (group, value) set entry.
type aggDistinctKey[K comparable] struct {
	g uint32
	k K
}

// aggFixedKey is the Go layout of a fixed-width value used as its own key.
type aggFixedKey interface {
	uint8 | uint16 | uint32 | uint64 | decimal128.Num | decimal256.Num
}

// aggSkipGroup marks list elements Merge must ignore (those of a NULL list).
const aggSkipGroup = math.MaxUint32

// distinctAcc is count(DISTINCT x) with values keyed as K.
type distinctAcc[K comparable] struct {
	accHead
	seen   map[aggDistinctKey[K]]struct{}
	lists  [][]K    // by group: distinct values in first-seen order
	merged []uint32 // Merge scratch: the group of every list element
	// read adds the non-NULL values of arr to groups[i]; groups[i] may be
	// aggSkipGroup.
	read func(a *distinctAcc[K], arr arrow.Array, groups []uint32)
	// build returns an array of type dt holding keys.
	build func(mem memory.Allocator, dt arrow.DataType, keys []K) arrow.Array
}

var _ GroupsAccumulator = (*distinctAcc[uint64])(nil)

// newDistinctAcc returns count(DISTINCT x) for x of type dt, or nil if dt
// is not supported.
func newDistinctAcc(name string, dt arrow.DataType) aggAccumulator {
	h := accHead{name: name, input: []arrow.DataType{dt}, states: []arrow.DataType{arrow.ListOf(dt)}, out: arrow.PrimitiveTypes.Int64}
	switch aggPhysicalType(dt) {
	case arrow.FLOAT16:
		return nil // would need NaN and -0 normalisation; not supported
	case arrow.FLOAT32:
		return &distinctAcc[uint32]{accHead: h, read: distinctReadFloat32, build: distinctBuildFixed[uint32]}
	case arrow.FLOAT64:
		return &distinctAcc[uint64]{accHead: h, read: distinctReadFloat64, build: distinctBuildFixed[uint64]}
	case arrow.BOOL:
		return &distinctAcc[bool]{accHead: h, read: distinctReadBool, build: distinctBuildBool}
	case arrow.BINARY:
		return &distinctAcc[string]{accHead: h, read: distinctReadBinary[int32], build: distinctBuildBinary[int32]}
	case arrow.LARGE_BINARY:
		return &distinctAcc[string]{accHead: h, read: distinctReadBinary[int64], build: distinctBuildBinary[int64]}
	}
	switch aggFixedWidth(dt) {
	case 1:
		return newDistinctFixed[uint8](h)
	case 2:
		return newDistinctFixed[uint16](h)
	case 4:
		return newDistinctFixed[uint32](h)
	case 8:
		return newDistinctFixed[uint64](h)
	case 16:
		return newDistinctFixed[decimal128.Num](h)
	case 32:
		return newDistinctFixed[decimal256.Num](h)
	}
	return nil
}

func newDistinctFixed[K aggFixedKey](h accHead) *distinctAcc[K] {
	return &distinctAcc[K]{accHead: h, read: distinctReadFixed[K], build: distinctBuildFixed[K]}
}

func (a *distinctAcc[K]) grow() {
	if a.seen == nil {
		a.seen = make(map[aggDistinctKey[K]]struct{})
	}
	a.lists = aggGrow(a.lists, a.n)
}

// add puts k into group g's set unless it is there or g is aggSkipGroup.
func (a *distinctAcc[K]) add(g uint32, k K) {
	if g == aggSkipGroup {
		return
	}
	key := aggDistinctKey[K]{g, k}
	if _, ok := a.seen[key]; !ok {
		a.seen[key] = struct{}{}
		a.lists[g] = append(a.lists[g], k)
	}
}

func (a *distinctAcc[K]) Update(values []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkUpdate(values, groups, numGroups); err != nil {
		return err
	}
	a.grow()
	a.read(a, values[0], groups)
	return nil
}

func (a *distinctAcc[K]) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkMerge(states, groups, numGroups); err != nil {
		return err
	}
	a.grow()
	list := states[0].(*array.List)
	if list.Len() == 0 {
		return nil
	}
	offs := arrow.GetOffsets[int32](list.Data(), 1)
	nl := aggNullsOf(list)
	eg := a.merged[:0]
	for i, g := range groups {
		if nl.any && nl.null(i) {
			g = aggSkipGroup
		}
		for j := offs[i]; j < offs[i+1]; j++ {
			eg = append(eg, g)
		}
	}
	a.merged = eg
	elems := array.NewSlice(list.ListValues(), int64(offs[0]), int64(offs[len(groups)]))
	defer elems.Release()
	a.read(a, elems, eg)
	return nil
}

func (a *distinctAcc[K]) State(mem memory.Allocator) ([]arrow.Array, error) {
	a.grow()
	total := 0
	for _, l := range a.lists[:a.n] {
		total += len(l)
	}
	if total > math.MaxInt32 {
		return nil, fmt.Errorf("%s: %d distinct values exceed a list's int32 offsets", a.name, total)
	}
	offBuf := memory.NewResizableBuffer(mem)
	offBuf.Resize((a.n + 1) * arrow.Int32SizeBytes)
	offs := arrow.Int32Traits.CastFromBytes(offBuf.Bytes())
	flat := make([]K, 0, total)
	for g, l := range a.lists[:a.n] {
		offs[g] = int32(len(flat))
		flat = append(flat, l...)
	}
	offs[a.n] = int32(len(flat))
	child := a.build(mem, a.input[0], flat)
	defer child.Release()
	list := aggMakeArray(a.states[0], a.n, []*memory.Buffer{nil, offBuf}, []arrow.ArrayData{child.Data()}, 0)
	return []arrow.Array{list}, nil
}

func (a *distinctAcc[K]) Evaluate(mem memory.Allocator) (arrow.Array, error) {
	a.grow()
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(a.n * arrow.Int64SizeBytes)
	counts := arrow.Int64Traits.CastFromBytes(buf.Bytes())
	for g, l := range a.lists[:a.n] {
		counts[g] = int64(len(l))
	}
	return aggMakeArray(arrow.PrimitiveTypes.Int64, a.n, []*memory.Buffer{nil, buf}, nil, 0), nil
}

func (a *distinctAcc[K]) Release() { a.seen, a.lists, a.merged = nil, nil, nil }

func distinctReadFixed[K aggFixedKey](a *distinctAcc[K], arr arrow.Array, groups []uint32) {
	nl := aggNullsOf(arr)
	if nl.all || len(groups) == 0 {
		return
	}
	src := arrow.GetValues[K](arr.Data(), 1)[:len(groups)]
	for i, g := range groups {
		if !(nl.any && nl.null(i)) {
			a.add(g, src[i])
		}
	}
}

func distinctBuildFixed[K aggFixedKey](mem memory.Allocator, dt arrow.DataType, keys []K) arrow.Array {
	return aggFixedArray(mem, dt, keys, nil, len(keys))
}

// aggNaN64 and aggNaN32 are the keys of every NaN.
var (
	aggNaN64 = math.Float64bits(math.NaN())
	aggNaN32 = math.Float32bits(float32(math.NaN()))
)

func distinctReadFloat64(a *distinctAcc[uint64], arr arrow.Array, groups []uint32) {
	nl := aggNullsOf(arr)
	if nl.all || len(groups) == 0 {
		return
	}
	src := arrow.GetValues[float64](arr.Data(), 1)[:len(groups)]
	for i, g := range groups {
		if nl.any && nl.null(i) {
			continue
		}
		switch v := src[i]; {
		case v != v:
			a.add(g, aggNaN64)
		case v == 0:
			a.add(g, 0) // -0.0 is 0.0
		default:
			a.add(g, math.Float64bits(v))
		}
	}
}

func distinctReadFloat32(a *distinctAcc[uint32], arr arrow.Array, groups []uint32) {
	nl := aggNullsOf(arr)
	if nl.all || len(groups) == 0 {
		return
	}
	src := arrow.GetValues[float32](arr.Data(), 1)[:len(groups)]
	for i, g := range groups {
		if nl.any && nl.null(i) {
			continue
		}
		switch v := src[i]; {
		case v != v:
			a.add(g, aggNaN32)
		case v == 0:
			a.add(g, 0)
		default:
			a.add(g, math.Float32bits(v))
		}
	}
}

func distinctReadBool(a *distinctAcc[bool], arr arrow.Array, groups []uint32) {
	nl := aggNullsOf(arr)
	if nl.all || len(groups) == 0 {
		return
	}
	src, off := aggBoolBits(arr)
	for i, g := range groups {
		if !(nl.any && nl.null(i)) {
			a.add(g, aggBitSet(src, uint32(off+i)))
		}
	}
}

func distinctBuildBool(mem memory.Allocator, _ arrow.DataType, keys []bool) arrow.Array {
	b := array.NewBooleanBuilder(mem)
	defer b.Release()
	b.AppendValues(keys, nil)
	return b.NewArray()
}

func distinctReadBinary[O int32 | int64](a *distinctAcc[string], arr arrow.Array, groups []uint32) {
	nl := aggNullsOf(arr)
	if nl.all || len(groups) == 0 {
		return
	}
	src := aggBinaryOf[O](arr)
	for i, g := range groups {
		if g == aggSkipGroup || (nl.any && nl.null(i)) {
			continue
		}
		v := src.value(i)
		// Look up through a string that aliases the input, copy only what
		// is new: the input's buffers are released after the call.
		if _, ok := a.seen[aggDistinctKey[string]{g, unsafe.String(unsafe.SliceData(v), len(v))}]; !ok {
			a.add(g, string(v))
		}
	}
}

func distinctBuildBinary[O int32 | int64](mem memory.Allocator, dt arrow.DataType, keys []string) arrow.Array {
	return aggBinaryArray[O](mem, dt, len(keys), nil, func(i int) []byte {
		return unsafe.Slice(unsafe.StringData(keys[i]), len(keys[i]))
	})
}
