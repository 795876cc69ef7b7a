package batch

import (
	"bytes"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// The byte format of a key is documented in doc.go; the constants below are
// its vocabulary.
const (
	keyNull    = 0x00 // null marker: the value is NULL and no payload follows
	keyPresent = 0x01 // null marker: a payload follows

	escByte  = 0x00 // in bytes payloads, 0x00 is escaped as 0x00 0xFF
	escZero  = 0xFF // second byte of an escaped 0x00
	termByte = 0x00 // bytes payloads end with 0x00 0x00

	signBit      = uint64(1) << 63
	canonicalNaN = uint64(0x7FF8000000000000) // the one NaN every float key encodes to
)

// KeyBuffer holds encoded row keys back to back: key i is
// Data[Offsets[i]:Offsets[i+1]]. The zero value is empty and ready to use;
// reuse one buffer across batches (Reset) so that encoding allocates only
// while the buffer is still growing.
type KeyBuffer struct {
	Data    []byte
	Offsets []int32 // Len()+1 entries once a key has been added

	cur []int // per-row scratch for EncodeKeys: size, then write position
}

// Len returns the number of keys in b.
func (b *KeyBuffer) Len() int { return max(len(b.Offsets)-1, 0) }

// Key returns key i. It aliases b.Data and is valid until b is next changed;
// its capacity is clipped so that appending to it cannot overwrite key i+1.
func (b *KeyBuffer) Key(i int) []byte {
	beg, end := b.Offsets[i], b.Offsets[i+1]
	return b.Data[beg:end:end]
}

// Reset empties b, keeping its memory.
func (b *KeyBuffer) Reset() {
	b.Data = b.Data[:0]
	b.Offsets = b.Offsets[:0]
}

// keyKind is how a column type is encoded, hashed and decoded.
type keyKind uint8

const (
	kindUnsupported keyKind = iota
	kindNull                // arrow null type: every value is NULL
	kindBool                // one byte, 0x00 or 0x01
	kindInt                 // two's complement, sign bit flipped, big-endian
	kindUint                // big-endian
	kindFloat               // IEEE 754 bits transformed to sort as values do
	kindBytes               // escaped and terminated, int32 offsets
	kindLargeBytes          // escaped and terminated, int64 offsets
)

// classify returns how dt is encoded and, for fixed-width kinds, its width
// in bytes. Temporal types encode as the integers they are stored as.
func classify(dt arrow.DataType) (keyKind, int) {
	if dt == nil {
		return kindUnsupported, 0
	}
	switch dt.ID() {
	case arrow.NULL:
		return kindNull, 0
	case arrow.BOOL:
		return kindBool, 1
	case arrow.INT8:
		return kindInt, 1
	case arrow.INT16:
		return kindInt, 2
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return kindInt, 4
	case arrow.INT64, arrow.DATE64, arrow.TIMESTAMP, arrow.TIME64, arrow.DURATION:
		return kindInt, 8
	case arrow.UINT8:
		return kindUint, 1
	case arrow.UINT16:
		return kindUint, 2
	case arrow.UINT32:
		return kindUint, 4
	case arrow.UINT64:
		return kindUint, 8
	case arrow.FLOAT32:
		return kindFloat, 4
	case arrow.FLOAT64:
		return kindFloat, 8
	case arrow.STRING, arrow.BINARY:
		return kindBytes, 0
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return kindLargeBytes, 0
	}
	return kindUnsupported, 0
}

// SupportedKeyType reports whether columns of type dt can be encoded by
// EncodeKeys and hashed by HashColumns: the null type, bool, signed and
// unsigned integers, float32/64, (large) string and binary, date32/64,
// time32/64, timestamp and duration of any unit.
func SupportedKeyType(dt arrow.DataType) bool {
	k, _ := classify(dt)
	return k != kindUnsupported
}

// checkKeyColumns validates cols for EncodeKeys and HashColumns and returns
// their common length. The O(1) structural check is what lets the typed loops
// index buffers without bounds worries.
func checkKeyColumns(cols []arrow.Array) (int, error) {
	if len(cols) == 0 {
		return 0, fmt.Errorf("no key columns")
	}
	for j, col := range cols {
		if col == nil {
			return 0, fmt.Errorf("key column %d is nil", j)
		}
		if !SupportedKeyType(col.DataType()) {
			return 0, fmt.Errorf("key column %d: unsupported key type %s", j, col.DataType())
		}
		if col.Len() != cols[0].Len() {
			return 0, fmt.Errorf("key column %d has %d rows, column 0 has %d", j, col.Len(), cols[0].Len())
		}
		if err := array.Validate(col); err != nil {
			return 0, fmt.Errorf("key column %d: %w", j, err)
		}
	}
	return cols[0].Len(), nil
}

// EncodeKeys appends to buf one key per row of cols, the row's values in
// column order. Keys compare with bytes.Compare as the rows compare column by
// column (NULLs first), and equal rows give equal keys.
//
// All columns must have the same length and a supported type; otherwise the
// error names the column and buf is left as it was.
func EncodeKeys(cols []arrow.Array, buf *KeyBuffer) error {
	n, err := checkKeyColumns(cols)
	if err != nil {
		return fmt.Errorf("encode keys: %w", err)
	}
	if len(buf.Offsets) == 0 {
		buf.Offsets = append(buf.Offsets, 0)
	}
	if n == 0 {
		return nil
	}
	// Columns are encoded one at a time, but each row's key is contiguous, so
	// first size every row, then lay the keys out, then fill them column by
	// column, each row's write position advancing in buf.cur.
	cur := slices.Grow(buf.cur[:0], n)[:n]
	clear(cur)
	for _, col := range cols {
		addSizes(col, cur)
	}
	base := int64(buf.Offsets[len(buf.Offsets)-1])
	end := base
	for _, size := range cur {
		end += int64(size)
	}
	if end > math.MaxInt32 {
		return fmt.Errorf("encode keys: %d bytes of keys exceed the 2 GiB a KeyBuffer holds", end)
	}
	buf.Offsets = slices.Grow(buf.Offsets, n)
	pos := int(base)
	for i, size := range cur {
		cur[i] = pos
		pos += size
		buf.Offsets = append(buf.Offsets, int32(pos))
	}
	buf.Data = slices.Grow(buf.Data[:base], int(end-base))[:end]
	for _, col := range cols {
		encodeColumn(col, buf.Data, cur)
	}
	buf.cur = cur
	return nil
}

// addSizes adds to size[i] the encoded length of row i of col.
func addSizes(col arrow.Array, size []int) {
	kind, width := classify(col.DataType())
	valid := newValidity(col)
	switch kind {
	case kindNull:
		addConst(size, 1)
	case kindBytes:
		addBytesSizes(size, arrow.GetOffsets[int32](col.Data(), 1), varData(col), valid)
	case kindLargeBytes:
		addBytesSizes(size, arrow.GetOffsets[int64](col.Data(), 1), varData(col), valid)
	default:
		if !valid.any {
			addConst(size, 1+width)
			return
		}
		for i := range size {
			size[i]++
			if !valid.null(i) {
				size[i] += width
			}
		}
	}
}

func addConst(size []int, c int) {
	for i := range size {
		size[i] += c
	}
}

var zeroByte = []byte{escByte}

func addBytesSizes[O int32 | int64](size []int, offs []O, data []byte, valid validity) {
	for i := range size {
		size[i]++
		if valid.null(i) {
			continue
		}
		v := data[offs[i]:offs[i+1]]
		size[i] += len(v) + bytes.Count(v, zeroByte) + 2
	}
}

// varData returns the whole data buffer of a (large) string or binary array;
// offsets index into it absolutely.
func varData(col arrow.Array) []byte {
	if b := col.Data().Buffers()[2]; b != nil {
		return b.Bytes()
	}
	return nil
}

// validity reads an array's null bitmap without an interface call per row.
type validity struct {
	bits []byte
	off  int
	any  bool // some value is NULL
}

func newValidity(a arrow.Array) validity {
	bits := a.NullBitmapBytes()
	return validity{bits: bits, off: a.Data().Offset(), any: a.NullN() > 0 && bits != nil}
}

// null reports whether value i is NULL. Columns of the null type have no
// bitmap; every loop handles them before asking.
func (v validity) null(i int) bool {
	if !v.any {
		return false
	}
	j := v.off + i
	return v.bits[j>>3]&(1<<(j&7)) == 0
}
