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
// Slots are open-addressed with linear probing; each holds a 32-bit hash and
// the group index plus one (zero marks an empty slot), so a probe compares
// keys only when the hashes agree. Keys of at most 16 bytes — words, codes,
// most identifiers — are also kept as the two words the hash read
// (shortKey), so comparing them costs two loads and no call; longer keys
// are compared in the arena. A NULL key (single-column path only) is a
// group of its own whose arena entry is empty.
type bytesTable struct {
	slots     []bytesSlot
	mask      uint32
	arena     []byte
	offs      []int      // len = number of groups + 1
	short     []shortKey // by group
	nullGroup uint32
}

// shortKey is a key of at most 16 bytes as loadShort reads it, with its
// length: two such keys are equal exactly when their shortKeys are. For a
// longer key only n is set, and n is -1 for the NULL group, so neither ever
// equals the shortKey of a probe.
type shortKey struct {
	a, c uint64
	n    int
}

type bytesSlot struct {
	hash  uint32
	group uint32 // group index + 1; 0: empty
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
	t.short = t.short[:0]
	t.nullGroup = noGroup
}

func (t *bytesTable) len() int { return len(t.offs) - 1 }

// insert returns the group of key b, adding it if it is new.
func (t *bytesTable) insert(b []byte) uint32 {
	g, slot, k, h := t.lookup(b)
	if g == noGroup {
		g = t.add(slot, h, k, b)
	}
	return g
}

// find returns the group of key b, or noGroup.
func (t *bytesTable) find(b []byte) uint32 {
	g, _, _, _ := t.lookup(b)
	return g
}

// lookup returns the group of key b or, when the table does not hold it,
// noGroup and the empty slot it would take, with the key's short form and
// hash for add.
func (t *bytesTable) lookup(b []byte) (g, slot uint32, k shortKey, h uint32) {
	k.n = len(b)
	if k.n <= 16 {
		k.a, k.c = loadShort(b)
		h = uint32(hashShortKey(k.a, k.c, k.n))
	} else {
		h = uint32(hashLong(b))
	}
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s.group == 0 {
			return noGroup, i, k, h
		}
		if s.hash == h && t.equal(s.group-1, k, b) {
			return s.group - 1, i, k, h
		}
	}
}

// equal reports whether group g's key is b, whose short form is k.
func (t *bytesTable) equal(g uint32, k shortKey, b []byte) bool {
	if k.n <= 16 {
		return t.short[g] == k
	}
	return bytes.Equal(t.arena[t.offs[g]:t.offs[g+1]], b)
}

// add stores key b (short form k, hash h) as a new group in empty slot i.
func (t *bytesTable) add(i, h uint32, k shortKey, b []byte) uint32 {
	g := uint32(t.len())
	t.arena = append(t.arena, b...)
	t.offs = append(t.offs, len(t.arena))
	t.short = append(t.short, k)
	t.slots[i] = bytesSlot{hash: h, group: g + 1}
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
		t.short = append(t.short, shortKey{n: -1})
	}
	return t.nullGroup
}

// grow doubles the slot array and re-places every key by its stored hash.
func (t *bytesTable) grow() {
	slots := make([]bytesSlot, 2*len(t.slots))
	mask := uint32(len(slots) - 1)
	for _, s := range t.slots {
		if s.group == 0 {
			continue
		}
		i := s.hash & mask
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
		// The common case, inlined by hand: a short key is hashed and
		// compared as the two words loadShort reads.
		for i := range groups {
			b := data[offs[i]:offs[i+1]]
			if len(b) > 16 {
				groups[i] = t.insert(b)
				continue
			}
			k := shortKey{n: len(b)}
			k.a, k.c = loadShort(b)
			h := uint32(hashShortKey(k.a, k.c, k.n))
			slots, mask, short := t.slots, t.mask, t.short
			for j := h & mask; ; j = (j + 1) & mask {
				s := slots[j]
				if s.group == 0 {
					groups[i] = t.add(j, h, k, b)
					break
				}
				if s.hash == h && short[s.group-1] == k {
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
