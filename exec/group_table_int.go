package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// intTable maps integer keys to dense group indices: an open-addressed table
// over int64 with linear probing, slots holding the key and the group index
// plus one (zero marks an empty slot). It serves every single-column key whose
// values are 1-, 2-, 4- or 8-byte integers (the integer types, dates, times,
// timestamps, durations): narrower values are sign-extended to int64, which is
// injective, and truncated back when the key column is rebuilt. NULL is a
// group of its own.
type intTable struct {
	slots     []intSlot
	mask      uint64
	keys      []int64 // by group; 0 for the NULL group
	nullGroup uint32
	scratch   []int64
}

type intSlot struct {
	key   int64
	group uint32 // group index + 1; 0: empty
}

func newIntTable() *intTable {
	t := &intTable{}
	t.reset()
	return t
}

func (t *intTable) reset() {
	t.slots = make([]intSlot, initialSlots)
	t.mask = initialSlots - 1
	t.keys = t.keys[:0]
	t.nullGroup = noGroup
}

func (t *intTable) len() int { return len(t.keys) }

// insert returns the group of k, adding it if it is new.
func (t *intTable) insert(k int64) uint32 {
	for i := hashInt(uint64(k)) & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s.group == 0 {
			return t.add(i, k)
		}
		if s.key == k {
			return s.group - 1
		}
	}
}

// find returns the group of k, or noGroup.
func (t *intTable) find(k int64) uint32 {
	for i := hashInt(uint64(k)) & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s.group == 0 {
			return noGroup
		}
		if s.key == k {
			return s.group - 1
		}
	}
}

func (t *intTable) add(i uint64, k int64) uint32 {
	g := uint32(len(t.keys))
	t.keys = append(t.keys, k)
	t.slots[i] = intSlot{key: k, group: g + 1}
	if uint64(len(t.keys))*maxLoadDen > uint64(len(t.slots))*maxLoadNum {
		t.grow()
	}
	return g
}

func (t *intTable) insertNull() uint32 {
	if t.nullGroup == noGroup {
		t.nullGroup = uint32(len(t.keys))
		t.keys = append(t.keys, 0)
	}
	return t.nullGroup
}

func (t *intTable) grow() {
	slots := make([]intSlot, 2*len(t.slots))
	mask := uint64(len(slots) - 1)
	for _, s := range t.slots {
		if s.group == 0 {
			continue
		}
		i := hashInt(uint64(s.key)) & mask
		for slots[i].group != 0 {
			i = (i + 1) & mask
		}
		slots[i] = s
	}
	t.slots, t.mask = slots, mask
}

// insertInts maps every row of col (values vals) to its group.
func (t *intTable) insertInts(col arrow.Array, vals []int64, groups []uint32) {
	if col.NullN() == 0 {
		for i, k := range vals {
			groups[i] = t.insert(k)
		}
		return
	}
	valid, off := col.NullBitmapBytes(), col.Data().Offset()
	for i, k := range vals {
		if bitutil.BitIsNotSet(valid, off+i) {
			groups[i] = t.insertNull()
			continue
		}
		groups[i] = t.insert(k)
	}
}

// findInts is insertInts without inserting: absent keys get noGroup.
func (t *intTable) findInts(col arrow.Array, vals []int64, groups []uint32) {
	valid, off := col.NullBitmapBytes(), col.Data().Offset()
	hasNulls := col.NullN() > 0
	for i, k := range vals {
		if hasNulls && bitutil.BitIsNotSet(valid, off+i) {
			groups[i] = t.nullGroup
			continue
		}
		groups[i] = t.find(k)
	}
}

// intWidth returns the byte width of an integer-like type the int table can
// key on, or 0.
func intWidth(dt arrow.DataType) int {
	switch dt.ID() {
	case arrow.INT8, arrow.UINT8:
		return 1
	case arrow.INT16, arrow.UINT16:
		return 2
	case arrow.INT32, arrow.UINT32, arrow.DATE32, arrow.TIME32, arrow.INTERVAL_MONTHS:
		return 4
	case arrow.INT64, arrow.UINT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return 8
	}
	return 0
}

// intValues returns the values of an integer-like column as int64: the
// column's own buffer for 8-byte types, t.scratch widened otherwise.
func (t *intTable) intValues(col arrow.Array, width int) []int64 {
	d := col.Data()
	n, off := d.Len(), d.Offset()
	if n == 0 {
		return nil
	}
	raw := d.Buffers()[1].Bytes()
	if width == 8 {
		return arrow.Int64Traits.CastFromBytes(raw)[off : off+n]
	}
	if cap(t.scratch) < n {
		t.scratch = make([]int64, n)
	}
	out := t.scratch[:n]
	switch width {
	case 1:
		for i, v := range arrow.Int8Traits.CastFromBytes(raw)[off : off+n] {
			out[i] = int64(v)
		}
	case 2:
		for i, v := range arrow.Int16Traits.CastFromBytes(raw)[off : off+n] {
			out[i] = int64(v)
		}
	case 4:
		for i, v := range arrow.Int32Traits.CastFromBytes(raw)[off : off+n] {
			out[i] = int64(v)
		}
	}
	return out
}

// intKeyColumn builds an array of type dt (of the given byte width) from the
// table's keys in group order.
func (t *intTable) intKeyColumn(mem memory.Allocator, dt arrow.DataType, width int) arrow.Array {
	n := len(t.keys)
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * width)
	raw := buf.Bytes()
	switch width {
	case 1:
		out := arrow.Int8Traits.CastFromBytes(raw)
		for i, k := range t.keys {
			out[i] = int8(k)
		}
	case 2:
		out := arrow.Int16Traits.CastFromBytes(raw)
		for i, k := range t.keys {
			out[i] = int16(k)
		}
	case 4:
		out := arrow.Int32Traits.CastFromBytes(raw)
		for i, k := range t.keys {
			out[i] = int32(k)
		}
	case 8:
		copy(arrow.Int64Traits.CastFromBytes(raw), t.keys)
	}
	validBuf, nulls := nullBitmap(mem, n, t.nullGroup)
	data := array.NewData(dt, n, []*memory.Buffer{validBuf, buf}, nil, nulls, 0)
	releaseBuffers(validBuf, buf)
	defer data.Release()
	return array.MakeFromData(data)
}
