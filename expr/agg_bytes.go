package expr

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// aggByteSlots keeps one byte string per group for min/max and first/last over
// strings and binaries. Values are copied out of the input, whose buffers the
// caller releases after Update, into one pointer-free arena: no heap object
// per group and nothing for the garbage collector to scan. A new value that
// fits its group's slot overwrites it in place; a longer one is appended and
// the old slot becomes garbage, reclaimed by compaction once garbage is over
// half the arena (and at least aggCompactMinGarbage), so the arena stays within
// about twice the live bytes.
type aggByteSlots struct {
	arena   []byte
	slots   []aggByteSlot // by group
	garbage int           // bytes of abandoned slots in arena
}

type aggByteSlot struct{ off, len, cap int }

// aggCompactMinGarbage is the garbage below which compaction is not worth a copy
// of the arena.
const aggCompactMinGarbage = 64 << 10

func (b *aggByteSlots) grow(n int) { b.slots = aggGrow(b.slots, n) }

// get returns group g's bytes; they are valid until the next set.
func (b *aggByteSlots) get(g uint32) []byte {
	s := b.slots[g]
	return b.arena[s.off : s.off+s.len : s.off+s.len]
}

// set copies v into group g's slot.
func (b *aggByteSlots) set(g uint32, v []byte) {
	s := &b.slots[g]
	if len(v) <= s.cap {
		copy(b.arena[s.off:s.off+len(v)], v)
		s.len = len(v)
		return
	}
	b.garbage += s.cap
	*s = aggByteSlot{}
	if b.garbage >= aggCompactMinGarbage && 2*b.garbage > len(b.arena) {
		b.compact()
	}
	*s = aggByteSlot{off: len(b.arena), len: len(v), cap: len(v)}
	b.arena = append(b.arena, v...)
}

// compact copies the live bytes into a fresh arena, trimming every slot to
// its length.
func (b *aggByteSlots) compact() {
	arena := make([]byte, 0, len(b.arena)-b.garbage)
	for i := range b.slots {
		s := &b.slots[i]
		off := len(arena)
		arena = append(arena, b.arena[s.off:s.off+s.len]...)
		*s = aggByteSlot{off: off, len: s.len, cap: s.len}
	}
	b.arena, b.garbage = arena, 0
}

func (b *aggByteSlots) release() { *b = aggByteSlots{} }

// aggBinaryCol gives hot loops direct access to the values of a string or
// binary column with offsets of type O.
type aggBinaryCol[O int32 | int64] struct {
	offs []O // len rows+1, already shifted by the array's offset
	data []byte
}

func aggBinaryOf[O int32 | int64](a arrow.Array) aggBinaryCol[O] {
	d := a.Data()
	if a.Len() == 0 || d.Buffers()[1] == nil {
		return aggBinaryCol[O]{}
	}
	c := aggBinaryCol[O]{offs: arrow.GetOffsets[O](d, 1)}
	if b := d.Buffers()[2]; b != nil {
		c.data = b.Bytes()
	}
	return c
}

func (c aggBinaryCol[O]) value(i int) []byte { return c.data[c.offs[i]:c.offs[i+1]] }

// aggBinaryArray builds a string or binary array of type dt (offsets of type O)
// with n rows; row i is value(i), or NULL where valid (if not nil) is clear.
func aggBinaryArray[O int32 | int64](mem memory.Allocator, dt arrow.DataType, n int, valid []byte, value func(i int) []byte) arrow.Array {
	total := 0
	for i := 0; i < n; i++ {
		if valid == nil || aggBitSet(valid, uint32(i)) {
			total += len(value(i))
		}
	}
	offBuf := memory.NewResizableBuffer(mem)
	offBuf.Resize((n + 1) * int(unsafe.Sizeof(O(0))))
	offs := arrow.GetData[O](offBuf.Bytes())
	dataBuf := memory.NewResizableBuffer(mem)
	dataBuf.Resize(total)
	data := dataBuf.Bytes()
	pos := 0
	for i := 0; i < n; i++ {
		offs[i] = O(pos)
		if valid == nil || aggBitSet(valid, uint32(i)) {
			pos += copy(data[pos:], value(i))
		}
	}
	offs[n] = O(pos)
	vb, nullN := aggValidBuffer(mem, valid, n)
	return aggMakeArray(dt, n, []*memory.Buffer{vb, offBuf, dataBuf}, nil, nullN)
}
