package exec

import (
	"bytes"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// bytesTable maps byte-string keys to dense group indices. It backs both the
// single string/binary key path (keys read straight from the Arrow offsets
// and data buffers) and the generic path (keys are batch.EncodeKeys rows).
//
// Keys live in one arena: group g's key is arena[offs[g]:offs[g+1]], so the
// table allocates only when the arena or the slot array grows, never per row.
// Slots are open-addressed with linear probing. A key of at most 16 bytes —
// words, codes, most identifiers — is held in its slot as the two words
// loadShort reads plus its length, which together determine it, so a probe
// compares it with two loads from the slot it already touched: one cache
// miss per row at most, and no call. A longer key's slot holds its hash and
// length, and a probe whose hash and length agree compares the arena bytes.
// A NULL key (single-column path only) is a group of its own, in no slot,
// whose arena entry is empty.
type bytesTable struct {
	slots     []bytesSlot
	mask      uint32
	arena     []byte
	offs      []int // len = number of groups + 1
	nullGroup uint32
}

// bytesSlot is one slot of a bytesTable.
type bytesSlot struct {
	a, c  uint64 // a short key's words (loadShort); a long key's hash in a
	n     uint32 // key length
	group uint32 // group index + 1; 0: empty
}

// probeKey is a key as a probe compares it: the fields of its slot.
type probeKey struct {
	a, c uint64
	n    uint32
	hash uint64
}

// makeProbeKey returns b as a probe compares it.
func makeProbeKey(b []byte) probeKey {
	n := len(b)
	if n <= 16 {
		a, c := loadShort(b)
		return probeKey{a: a, c: c, n: uint32(n), hash: hashShortKey(a, c, n)}
	}
	h := hashLong(b)
	return probeKey{a: h, n: uint32(n), hash: h}
}

// slotHash is the hash of the key in slot s, for re-placing it on growth.
func slotHash(s bytesSlot) uint64 {
	if s.n <= 16 {
		return hashShortKey(s.a, s.c, int(s.n))
	}
	return s.a
}

// Table sizing: slots double when the table is more than maxLoadNum/maxLoadDen
// full. Linear probing stays short below ~75% with a well-mixed hash, and the
// slot array stays half the size it would be at 50%. (On the word-count
// benchmark, limits of 1/2, 3/4 and 7/8 measured within noise of each other.)
const (
	initialSlots = 256
	maxLoadNum   = 3
	maxLoadDen   = 4
)

func newBytesTable() *bytesTable {
	t := &bytesTable{nullGroup: noGroup}
	t.reset()
	return t
}

func (t *bytesTable) reset() {
	t.slots = make([]bytesSlot, initialSlots)
	t.mask = initialSlots - 1
	t.arena = t.arena[:0]
	t.offs = append(t.offs[:0], 0)
	t.nullGroup = noGroup
}

func (t *bytesTable) len() int { return len(t.offs) - 1 }

// insert returns the group of key b, adding it if it is new.
func (t *bytesTable) insert(b []byte) uint32 {
	k := makeProbeKey(b)
	g, slot := t.lookup(k, b)
	if g == noGroup {
		g = t.add(slot, k, b)
	}
	return g
}

// find returns the group of key b, or noGroup.
func (t *bytesTable) find(b []byte) uint32 {
	g, _ := t.lookup(makeProbeKey(b), b)
	return g
}

// lookup returns the group of key b (as probe key k) or, when the table does
// not hold it, noGroup and the empty slot it would take.
func (t *bytesTable) lookup(k probeKey, b []byte) (g, slot uint32) {
	for i := uint32(k.hash) & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.group == 0 {
			return noGroup, i
		}
		if s.a == k.a && s.c == k.c && s.n == k.n && (k.n <= 16 || t.equalLong(s.group-1, b)) {
			return s.group - 1, i
		}
	}
}

// equalLong reports whether group g's key is b.
func (t *bytesTable) equalLong(g uint32, b []byte) bool {
	return bytes.Equal(t.arena[t.offs[g]:t.offs[g+1]], b)
}

// add stores key b (probe key k) as a new group in empty slot i.
func (t *bytesTable) add(i uint32, k probeKey, b []byte) uint32 {
	g := uint32(t.len())
	t.arena = append(t.arena, b...)
	t.offs = append(t.offs, len(t.arena))
	t.slots[i] = bytesSlot{a: k.a, c: k.c, n: k.n, group: g + 1}
	if uint64(len(t.offs)-1)*maxLoadDen > uint64(len(t.slots))*maxLoadNum {
		t.grow()
	}
	return g
}

// insertNull returns the NULL key's group, adding it if it is new.
func (t *bytesTable) insertNull() uint32 {
	if t.nullGroup == noGroup {
		t.nullGroup = uint32(t.len())
		t.offs = append(t.offs, len(t.arena))
	}
	return t.nullGroup
}

// grow doubles the slot array and re-places every key.
func (t *bytesTable) grow() {
	slots := make([]bytesSlot, 2*len(t.slots))
	mask := uint32(len(slots) - 1)
	for _, s := range t.slots {
		if s.group == 0 {
			continue
		}
		i := uint32(slotHash(s)) & mask
		for slots[i].group != 0 {
			i = (i + 1) & mask
		}
		slots[i] = s
	}
	t.slots, t.mask = slots, mask
}

// binaryOffsets is the offset type of a binary-like Arrow array.
type binaryOffsets interface{ ~int32 | ~int64 }

// insertBinary maps every row of a binary-like column (offsets into data,
// validity bitmap valid starting at bit validOff, nil when no NULLs) to its
// group.
func insertBinary[O binaryOffsets](t *bytesTable, offs []O, data, valid []byte, validOff int, groups []uint32) {
	if valid == nil {
		// The common case, inlined by hand for short keys: hash the two
		// words loadShort reads and compare them with the slot's.
		for i := range groups {
			b := data[offs[i]:offs[i+1]]
			if len(b) > 16 {
				groups[i] = t.insert(b)
				continue
			}
			a, c := loadShort(b)
			n := uint32(len(b))
			h := uint32(hashShortKey(a, c, len(b)))
			slots, mask := t.slots, t.mask
			for j := h & mask; ; j = (j + 1) & mask {
				s := &slots[j]
				if s.group == 0 {
					groups[i] = t.add(j, probeKey{a: a, c: c, n: n}, b)
					break
				}
				if s.a == a && s.c == c && s.n == n {
					groups[i] = s.group - 1
					break
				}
			}
		}
		return
	}
	for i := range groups {
		if bitutil.BitIsNotSet(valid, validOff+i) {
			groups[i] = t.insertNull()
			continue
		}
		groups[i] = t.insert(data[offs[i]:offs[i+1]])
	}
}

// findBinary is insertBinary without inserting: absent keys get noGroup.
func findBinary[O binaryOffsets](t *bytesTable, offs []O, data, valid []byte, validOff int, groups []uint32) {
	for i := range groups {
		if valid != nil && bitutil.BitIsNotSet(valid, validOff+i) {
			groups[i] = t.nullGroup
			continue
		}
		groups[i] = t.find(data[offs[i]:offs[i+1]])
	}
}

// binaryParts returns the data buffer and validity bitmap (nil without NULLs)
// of a binary-like array, and the array's offset into the bitmap. Its value
// offsets index the whole data buffer.
func binaryParts(a arrow.Array) (data, valid []byte, validOff int) {
	d := a.Data()
	if b := d.Buffers()[2]; b != nil {
		data = b.Bytes()
	}
	if a.NullN() > 0 {
		valid = d.Buffers()[0].Bytes()
	}
	return data, valid, d.Offset()
}

// binaryKeyColumn builds a binary-like array of type dt from the table's keys
// in group order.
func (t *bytesTable) binaryKeyColumn(mem memory.Allocator, dt arrow.DataType) (arrow.Array, error) {
	n := t.len()
	large := dt.ID() == arrow.LARGE_STRING || dt.ID() == arrow.LARGE_BINARY
	if !large && len(t.arena) > math.MaxInt32 {
		return nil, fmt.Errorf("group table: %d bytes of %s keys exceed the 2 GiB offset range", len(t.arena), dt)
	}
	offBuf := memory.NewResizableBuffer(mem)
	if large {
		offBuf.Resize((n + 1) * 8)
		o := arrow.Int64Traits.CastFromBytes(offBuf.Bytes())
		for i, v := range t.offs {
			o[i] = int64(v)
		}
	} else {
		offBuf.Resize((n + 1) * 4)
		o := arrow.Int32Traits.CastFromBytes(offBuf.Bytes())
		for i, v := range t.offs {
			o[i] = int32(v)
		}
	}
	dataBuf := memory.NewResizableBuffer(mem)
	dataBuf.Resize(len(t.arena))
	copy(dataBuf.Bytes(), t.arena)
	validBuf, nulls := nullBitmap(mem, n, t.nullGroup)
	data := array.NewData(dt, n, []*memory.Buffer{validBuf, offBuf, dataBuf}, nil, nulls, 0)
	releaseBuffers(validBuf, offBuf, dataBuf)
	defer data.Release()
	return array.MakeFromData(data), nil
}

// nullBitmap returns a validity bitmap of n bits with only bit nullGroup
// clear, or nil if nullGroup is noGroup.
func nullBitmap(mem memory.Allocator, n int, nullGroup uint32) (*memory.Buffer, int) {
	if nullGroup == noGroup {
		return nil, 0
	}
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(n))))
	b := buf.Bytes()
	for i := range b {
		b[i] = 0
	}
	bitutil.SetBitsTo(b, 0, int64(n), true)
	bitutil.ClearBit(b, int(nullGroup))
	return buf, 1
}

func releaseBuffers(bufs ...*memory.Buffer) {
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
}
