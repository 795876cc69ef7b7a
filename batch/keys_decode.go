package batch

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ErrCorruptKey is wrapped by every error DecodeKeys returns for bytes that
// EncodeKeys cannot have produced for the given types: a key read back from
// a state store that was torn, or decoded with the wrong types.
var ErrCorruptKey = errors.New("corrupt key")

// Reasons a key is corrupt. They are constants so that the decode loops
// report a failure without formatting anything.
const (
	reasonTruncated = "truncated"
	reasonMarker    = "null marker is neither 0x00 nor 0x01"
	reasonNullType  = "value of null type is not NULL"
	reasonBool      = "bool is neither 0x00 nor 0x01"
	reasonEscape    = "0x00 in bytes is followed by neither 0xFF nor 0x00"
	reasonUTF8      = "string is not valid UTF-8"
)

// DecodeKeys is the inverse of EncodeKeys: given the column types the keys
// were encoded with, it returns one array per type holding row i of key i,
// allocated from mem. The caller owns the arrays and must Release them.
//
// Values come back equal to those encoded, except that -0 comes back as +0
// and every NaN as the one canonical NaN, which is what key equality already
// means. Bytes that are not a valid encoding, including a key with bytes left
// over, give an error wrapping ErrCorruptKey.
func DecodeKeys(mem memory.Allocator, types []arrow.DataType, keys [][]byte) ([]arrow.Array, error) {
	for j, dt := range types {
		if !SupportedKeyType(dt) {
			return nil, fmt.Errorf("decode keys: column %d: unsupported key type %s", j, dt)
		}
	}
	// cur[i] is how far key i has been read; each column advances it.
	cur := make([]int, len(keys))
	out := make([]arrow.Array, 0, len(types))
	for j, dt := range types {
		col, row, reason := decodeColumn(mem, dt, keys, cur)
		if reason != "" {
			releaseArrays(out)
			return nil, fmt.Errorf("decode keys: key %d, column %d (%s): %w: %s", row, j, dt, ErrCorruptKey, reason)
		}
		out = append(out, col)
	}
	for i, k := range keys {
		if cur[i] != len(k) {
			releaseArrays(out)
			return nil, fmt.Errorf("decode keys: key %d: %w: %d bytes after the last column", i, ErrCorruptKey, len(k)-cur[i])
		}
	}
	return out, nil
}

// decodeColumn reads one value of type dt from every key at cur, advancing
// cur. On failure it returns the key and the reason, and no array.
func decodeColumn(mem memory.Allocator, dt arrow.DataType, keys [][]byte, cur []int) (arrow.Array, int, string) {
	kind, width := classify(dt)
	switch kind {
	case kindNull:
		for i, k := range keys {
			if cur[i] >= len(k) {
				return nil, i, reasonTruncated
			}
			if k[cur[i]] != keyNull {
				return nil, i, reasonNullType
			}
			cur[i]++
		}
		return array.NewNull(len(keys)), 0, ""
	case kindBool:
		return decodeBool(mem, keys, cur)
	case kindBytes, kindLargeBytes:
		return decodeBytes(mem, dt, keys, cur)
	}

	col := newFixedColumn(mem, len(keys), width)
	var row int
	var reason string
	switch {
	case kind == kindFloat && width == 4:
		row, reason = decodeFixed(col, arrow.GetData[float32](col.values.Bytes()), keys, cur, float32FromKey)
	case kind == kindFloat:
		row, reason = decodeFixed(col, arrow.GetData[float64](col.values.Bytes()), keys, cur, float64FromKey)
	case kind == kindInt && width == 1:
		row, reason = decodeFixed(col, arrow.GetData[int8](col.values.Bytes()), keys, cur, signedFromKey[int8])
	case kind == kindInt && width == 2:
		row, reason = decodeFixed(col, arrow.GetData[int16](col.values.Bytes()), keys, cur, signedFromKey[int16])
	case kind == kindInt && width == 4:
		row, reason = decodeFixed(col, arrow.GetData[int32](col.values.Bytes()), keys, cur, signedFromKey[int32])
	case kind == kindInt:
		row, reason = decodeFixed(col, arrow.GetData[int64](col.values.Bytes()), keys, cur, signedFromKey[int64])
	case kind == kindUint && width == 1:
		row, reason = decodeFixed(col, arrow.GetData[uint8](col.values.Bytes()), keys, cur, unsignedFromKey[uint8])
	case kind == kindUint && width == 2:
		row, reason = decodeFixed(col, arrow.GetData[uint16](col.values.Bytes()), keys, cur, unsignedFromKey[uint16])
	case kind == kindUint && width == 4:
		row, reason = decodeFixed(col, arrow.GetData[uint32](col.values.Bytes()), keys, cur, unsignedFromKey[uint32])
	default:
		row, reason = decodeFixed(col, arrow.GetData[uint64](col.values.Bytes()), keys, cur, unsignedFromKey[uint64])
	}
	if reason != "" {
		col.release()
		return nil, row, reason
	}
	return col.finish(dt, len(keys)), 0, ""
}

// fixedColumn is a fixed-width array under construction: its buffers are
// filled in place rather than through a builder, one typed loop per column.
type fixedColumn struct {
	width   int
	bitmap  *memory.Buffer // validity, all ones until a NULL clears a bit
	values  *memory.Buffer
	nullCnt int
}

func newFixedColumn(mem memory.Allocator, n, width int) *fixedColumn {
	c := &fixedColumn{width: width}
	c.values = memory.NewResizableBuffer(mem)
	c.values.Resize(n * width)
	c.bitmap = memory.NewResizableBuffer(mem)
	c.bitmap.Resize(int(bitutil.BytesForBits(int64(n))))
	memory.Set(c.bitmap.Bytes(), 0xFF)
	return c
}

func (c *fixedColumn) release() {
	c.values.Release()
	c.bitmap.Release()
}

// finish turns the buffers into an array of dt, dropping the bitmap when no
// value is NULL.
func (c *fixedColumn) finish(dt arrow.DataType, n int) arrow.Array {
	bitmap := c.bitmap
	if c.nullCnt == 0 {
		bitmap = nil
	}
	data := array.NewData(dt, n, []*memory.Buffer{bitmap, c.values}, nil, c.nullCnt, 0)
	defer data.Release()
	c.release() // data holds its own references
	return array.MakeFromData(data)
}

// decodeFixed reads one fixed-width value per key into vals. from maps a
// left-aligned key word back to a value; every call site passes a concrete
// generic function, and decoding is not the hot path encoding is.
func decodeFixed[T arrow.FixedWidthType](c *fixedColumn, vals []T, keys [][]byte, cur []int, from func(uint64, int) T) (int, string) {
	bits := c.bitmap.Bytes()
	for i, k := range keys {
		p := cur[i]
		if p >= len(k) {
			return i, reasonTruncated
		}
		switch k[p] {
		case keyNull:
			var zero T
			vals[i] = zero
			bitutil.ClearBit(bits, i)
			c.nullCnt++
			cur[i] = p + 1
			continue
		case keyPresent:
		default:
			return i, reasonMarker
		}
		if len(k)-p-1 < c.width {
			return i, reasonTruncated
		}
		vals[i] = from(readKeyWord(k[p+1:p+1+c.width]), c.width)
		cur[i] = p + 1 + c.width
	}
	return 0, ""
}

// readKeyWord is the inverse of putKeyWord.
func readKeyWord(src []byte) uint64 {
	switch len(src) {
	case 8:
		return binary.BigEndian.Uint64(src)
	case 4:
		return uint64(binary.BigEndian.Uint32(src)) << 32
	case 2:
		return uint64(binary.BigEndian.Uint16(src)) << 48
	default:
		return uint64(src[0]) << 56
	}
}

func signedFromKey[T int8 | int16 | int32 | int64](u uint64, width int) T {
	// The arithmetic shift brings back the sign the encoder shifted up.
	return T(int64(u^signBit) >> uint(64-8*width))
}

func unsignedFromKey[T uint8 | uint16 | uint32 | uint64](u uint64, width int) T {
	return T(u >> uint(64-8*width))
}

func float64FromKey(u uint64, _ int) float64 {
	if u&signBit != 0 {
		return math.Float64frombits(u ^ signBit)
	}
	return math.Float64frombits(^u)
}

func float32FromKey(u uint64, _ int) float32 {
	b := uint32(u >> 32)
	if b&(1<<31) != 0 {
		return math.Float32frombits(b ^ 1<<31)
	}
	return math.Float32frombits(^b)
}

func decodeBool(mem memory.Allocator, keys [][]byte, cur []int) (arrow.Array, int, string) {
	b := array.NewBooleanBuilder(mem)
	defer b.Release()
	b.Reserve(len(keys))
	for i, k := range keys {
		p := cur[i]
		switch {
		case p >= len(k):
			return nil, i, reasonTruncated
		case k[p] == keyNull:
			b.AppendNull()
			cur[i] = p + 1
			continue
		case k[p] != keyPresent:
			return nil, i, reasonMarker
		case p+1 >= len(k):
			return nil, i, reasonTruncated
		case k[p+1] > 1:
			return nil, i, reasonBool
		}
		b.Append(k[p+1] == 1)
		cur[i] = p + 2
	}
	return b.NewArray(), 0, ""
}

func decodeBytes(mem memory.Allocator, dt arrow.DataType, keys [][]byte, cur []int) (arrow.Array, int, string) {
	bld := array.NewBuilder(mem, dt)
	defer bld.Release()
	var b *array.BinaryBuilder
	switch t := bld.(type) {
	case *array.StringBuilder:
		b = t.BinaryBuilder
	case *array.LargeStringBuilder:
		b = t.BinaryBuilder
	case *array.BinaryBuilder:
		b = t
	default:
		panic(fmt.Sprintf("batch: no binary builder for key type %s", dt)) // classify admits no other type
	}
	isString := dt.ID() == arrow.STRING || dt.ID() == arrow.LARGE_STRING
	b.Reserve(len(keys))
	var scratch []byte // unescaped value, reused across keys
	for i, k := range keys {
		p := cur[i]
		switch {
		case p >= len(k):
			return nil, i, reasonTruncated
		case k[p] == keyNull:
			b.AppendNull()
			cur[i] = p + 1
			continue
		case k[p] != keyPresent:
			return nil, i, reasonMarker
		}
		v, next, reason := unescape(k, p+1, &scratch)
		if reason != "" {
			return nil, i, reason
		}
		if isString && !utf8.Valid(v) {
			return nil, i, reasonUTF8
		}
		b.Append(v)
		cur[i] = next
	}
	return bld.NewArray(), 0, ""
}

// unescape reads an escaped, terminated bytes payload starting at k[p] and
// returns the value and the position after the terminator. A value without
// escapes is returned as a sub-slice of k; otherwise it is built in *scratch.
func unescape(k []byte, p int, scratch *[]byte) ([]byte, int, string) {
	rest := k[p:]
	z := bytes.IndexByte(rest, escByte)
	if z < 0 || z+1 >= len(rest) {
		return nil, 0, reasonTruncated
	}
	if rest[z+1] == termByte {
		return rest[:z], p + z + 2, ""
	}
	out := (*scratch)[:0]
	read := 0 // bytes of rest consumed
	for {
		if rest[z+1] == termByte {
			out = append(out, rest[:z]...)
			*scratch = out
			return out, p + read + z + 2, ""
		}
		if rest[z+1] != escZero {
			return nil, 0, reasonEscape
		}
		out = append(out, rest[:z+1]...) // the value bytes and the escaped 0x00
		rest = rest[z+2:]
		read += z + 2
		z = bytes.IndexByte(rest, escByte)
		if z < 0 || z+1 >= len(rest) {
			return nil, 0, reasonTruncated
		}
	}
}
