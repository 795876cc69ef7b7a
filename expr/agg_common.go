package expr

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// This file holds what every accumulator shares: input checks, growth of the
// per-group state, reading NULL bitmaps in hot loops, and building output
// arrays from flat Go slices.

// accHead is embedded by every accumulator: the aggregate's text for errors,
// the types it takes and returns, and the number of groups seen so far.
type accHead struct {
	name   string           // the aggregate, as AggFunc.String renders it
	input  []arrow.DataType // Update's argument types; empty for count(*)
	states []arrow.DataType // State's column types, which Merge takes
	out    arrow.DataType   // Evaluate's type
	n      int              // groups seen so far; never shrinks
}

// aggAccumulator is what every accumulator here implements: the head tells
// AggFunc the types without a second table to keep in step.
type aggAccumulator interface {
	GroupsAccumulator
	head() *accHead
}

func (h *accHead) head() *accHead { return h }

// checkUpdate validates Update's arguments and grows n to numGroups.
func (h *accHead) checkUpdate(values []arrow.Array, groups []uint32, numGroups int) error {
	if err := h.checkColumns("argument", h.input, values, groups); err != nil {
		return err
	}
	return h.growTo(numGroups)
}

// checkMerge validates Merge's arguments and grows n to numGroups.
func (h *accHead) checkMerge(states []arrow.Array, groups []uint32, numGroups int) error {
	if err := h.checkColumns("state", h.states, states, groups); err != nil {
		return err
	}
	return h.growTo(numGroups)
}

func (h *accHead) checkColumns(what string, want []arrow.DataType, cols []arrow.Array, groups []uint32) error {
	if len(cols) != len(want) {
		return fmt.Errorf("%s: got %d %s columns, want %d", h.name, len(cols), what, len(want))
	}
	for i, c := range cols {
		if !arrow.TypeEqual(c.DataType(), want[i]) {
			return fmt.Errorf("%s: %s column %d is %s, want %s", h.name, what, i, c.DataType(), want[i])
		}
		if c.Len() != len(groups) {
			return fmt.Errorf("%s: %s column %d has %d rows for %d group indexes", h.name, what, i, c.Len(), len(groups))
		}
	}
	return nil
}

func (h *accHead) growTo(numGroups int) error {
	if numGroups < 0 || uint64(numGroups) > aggMaxGroups {
		return fmt.Errorf("%s: %d groups out of range", h.name, numGroups)
	}
	h.n = max(h.n, numGroups)
	return nil
}

// aggMaxGroups bounds numGroups: group indexes are uint32, and the largest
// marks skipped rows (aggSkipGroup).
const aggMaxGroups = math.MaxUint32

// aggGrow returns s with length at least n; new elements are zero. It grows the
// capacity geometrically, so repeated growth is amortised O(1) per group.
func aggGrow[T any](s []T, n int) []T {
	if n <= len(s) {
		return s
	}
	if n <= cap(s) {
		// Elements past len were zeroed by the allocation and never written.
		return s[:n]
	}
	return append(s, make([]T, n-len(s))...)
}

// aggGrowBits returns bm with room for at least n bits; new bits are 0.
func aggGrowBits(bm []byte, n int) []byte {
	return aggGrow(bm, int(bitutil.BytesForBits(int64(n))))
}

// Bit helpers for group-indexed bitmaps; small enough to inline.
func aggSetBit(bm []byte, g uint32)      { bm[g>>3] |= 1 << (g & 7) }
func aggClearBit(bm []byte, g uint32)    { bm[g>>3] &^= 1 << (g & 7) }
func aggBitSet(bm []byte, g uint32) bool { return bm[g>>3]&(1<<(g&7)) != 0 }

// aggNulls describes an input column's NULLs for a hot loop: when any is true,
// row i is NULL iff bit off+i of bits is clear.
type aggNulls struct {
	any  bool
	all  bool
	bits []byte
	off  int
}

func aggNullsOf(a arrow.Array) aggNulls {
	nn := a.NullN()
	return aggNulls{any: nn > 0, all: nn == a.Len() && nn > 0, bits: a.NullBitmapBytes(), off: a.Data().Offset()}
}

// null reports whether row i is NULL; callers check any first so the bitmap
// is only read when there is one.
func (n aggNulls) null(i int) bool { return bitutil.BitIsNotSet(n.bits, n.off+i) }

// aggBoolBits returns the value bitmap of a boolean array and the bit offset of
// its first row.
func aggBoolBits(a arrow.Array) ([]byte, int) {
	b := a.Data().Buffers()[1]
	if b == nil {
		return nil, 0
	}
	return b.Bytes(), a.Data().Offset()
}

// aggValidBuffer copies the first n bits of valid into a new validity buffer and
// returns it with the NULL count; it returns a nil buffer when nothing is
// NULL or valid is nil (everything valid).
func aggValidBuffer(mem memory.Allocator, valid []byte, n int) (*memory.Buffer, int) {
	if valid == nil {
		return nil, 0
	}
	nullN := n - bitutil.CountSetBits(valid, 0, n)
	if nullN == 0 {
		return nil, 0
	}
	return aggBytesBuffer(mem, valid[:bitutil.BytesForBits(int64(n))]), nullN
}

// aggBytesBuffer returns a new buffer holding a copy of b.
func aggBytesBuffer(mem memory.Allocator, b []byte) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(len(b))
	copy(buf.Bytes(), b)
	return buf
}

// aggMakeArray assembles an array from buffers it takes over (nil entries
// allowed) and child arrays it retains.
func aggMakeArray(dt arrow.DataType, n int, bufs []*memory.Buffer, children []arrow.ArrayData, nullN int) arrow.Array {
	d := array.NewData(dt, n, bufs, children, nullN, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	defer d.Release()
	return array.MakeFromData(d)
}

// aggFixedArray builds an array of type dt, whose values are laid out as T, from
// the first n values; valid marks the non-NULL ones (nil: all valid).
func aggFixedArray[T arrow.FixedWidthType](mem memory.Allocator, dt arrow.DataType, vals []T, valid []byte, n int) arrow.Array {
	vb, nullN := aggValidBuffer(mem, valid, n)
	data := aggBytesBuffer(mem, arrow.GetBytes(vals[:n]))
	return aggMakeArray(dt, n, []*memory.Buffer{vb, data}, nil, nullN)
}

// aggBoolArray builds a boolean array from the first n bits of vals.
func aggBoolArray(mem memory.Allocator, vals, valid []byte, n int) arrow.Array {
	vb, nullN := aggValidBuffer(mem, valid, n)
	data := aggBytesBuffer(mem, vals[:bitutil.BytesForBits(int64(n))])
	return aggMakeArray(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{vb, data}, nil, nullN)
}
