package batch

import (
	"bytes"
	"encoding/binary"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// encodeColumn writes col's part of every key at cur, advancing cur.
func encodeColumn(col arrow.Array, data []byte, cur []int) {
	kind, width := classify(col.DataType())
	valid := newValidity(col)
	d := col.Data()
	switch {
	case kind == kindNull:
		for i := range cur {
			data[cur[i]] = keyNull
			cur[i]++
		}
	case kind == kindBool:
		encodeBool(col.(*array.Boolean), data, cur, valid)
	case kind == kindBytes:
		encodeBytes(arrow.GetOffsets[int32](d, 1), varData(col), data, cur, valid)
	case kind == kindLargeBytes:
		encodeBytes(arrow.GetOffsets[int64](d, 1), varData(col), data, cur, valid)
	case kind == kindFloat && width == 4:
		encodeFloat32(arrow.GetValues[float32](d, 1), data, cur, valid)
	case kind == kindFloat:
		encodeFloat64(arrow.GetValues[float64](d, 1), data, cur, valid)
	case kind == kindInt && width == 1:
		encodeSigned(arrow.GetValues[int8](d, 1), 1, data, cur, valid)
	case kind == kindInt && width == 2:
		encodeSigned(arrow.GetValues[int16](d, 1), 2, data, cur, valid)
	case kind == kindInt && width == 4:
		encodeSigned(arrow.GetValues[int32](d, 1), 4, data, cur, valid)
	case kind == kindInt:
		encodeSigned(arrow.GetValues[int64](d, 1), 8, data, cur, valid)
	case kind == kindUint && width == 1:
		encodeUnsigned(arrow.GetValues[uint8](d, 1), 1, data, cur, valid)
	case kind == kindUint && width == 2:
		encodeUnsigned(arrow.GetValues[uint16](d, 1), 2, data, cur, valid)
	case kind == kindUint && width == 4:
		encodeUnsigned(arrow.GetValues[uint32](d, 1), 4, data, cur, valid)
	default:
		encodeUnsigned(arrow.GetValues[uint64](d, 1), 8, data, cur, valid)
	}
}

// The fixed-width encoders below share one shape: a NULL is the marker
// alone; a value is the marker and the top width bytes of its key word, a
// uint64 whose unsigned order is the value order, left-aligned so that one
// writer serves every width. Each type gets its own loop (rather than a key
// function passed in) so the conversion is inlined, not called per row.

// encodeSigned flips the sign bit so negative numbers sort below positive
// ones as unsigned bytes.
func encodeSigned[T int8 | int16 | int32 | int64](vals []T, width int, data []byte, cur []int, valid validity) {
	shift := uint(64 - 8*width)
	for i := range cur {
		p := cur[i]
		if valid.null(i) {
			data[p] = keyNull
			cur[i] = p + 1
			continue
		}
		data[p] = keyPresent
		putKeyWord(data[p+1:p+1+width], uint64(int64(vals[i]))<<shift^signBit)
		cur[i] = p + 1 + width
	}
}

func encodeUnsigned[T uint8 | uint16 | uint32 | uint64](vals []T, width int, data []byte, cur []int, valid validity) {
	shift := uint(64 - 8*width)
	for i := range cur {
		p := cur[i]
		if valid.null(i) {
			data[p] = keyNull
			cur[i] = p + 1
			continue
		}
		data[p] = keyPresent
		putKeyWord(data[p+1:p+1+width], uint64(vals[i])<<shift)
		cur[i] = p + 1 + width
	}
}

func encodeFloat64(vals []float64, data []byte, cur []int, valid validity) {
	for i := range cur {
		p := cur[i]
		if valid.null(i) {
			data[p] = keyNull
			cur[i] = p + 1
			continue
		}
		data[p] = keyPresent
		binary.BigEndian.PutUint64(data[p+1:p+9], float64Key(vals[i]))
		cur[i] = p + 9
	}
}

func encodeFloat32(vals []float32, data []byte, cur []int, valid validity) {
	for i := range cur {
		p := cur[i]
		if valid.null(i) {
			data[p] = keyNull
			cur[i] = p + 1
			continue
		}
		data[p] = keyPresent
		binary.BigEndian.PutUint32(data[p+1:p+5], uint32(float32Key(vals[i])>>32))
		cur[i] = p + 5
	}
}

// putKeyWord writes the top len(dst) bytes of the left-aligned key word u.
func putKeyWord(dst []byte, u uint64) {
	switch len(dst) {
	case 8:
		binary.BigEndian.PutUint64(dst, u)
	case 4:
		binary.BigEndian.PutUint32(dst, uint32(u>>32))
	case 2:
		binary.BigEndian.PutUint16(dst, uint16(u>>48))
	default:
		dst[0] = byte(u >> 56)
	}
}

// float64Key maps f to a key word whose unsigned order is Spark's total
// order: -Inf < ... < -0 == +0 < ... < +Inf < NaN. Positive numbers get the
// sign bit set, so they sort above negative ones; negative numbers have every
// bit inverted, so a larger magnitude sorts lower.
func float64Key(f float64) uint64 {
	b := math.Float64bits(f)
	switch {
	case f == 0:
		b = 0 // -0 is +0
	case f != f:
		b = canonicalNaN // every NaN is one value, above +Inf
	}
	if b&signBit != 0 {
		return ^b
	}
	return b ^ signBit
}

// float32Key is float64Key for float32, its 32 bits left-aligned.
func float32Key(f float32) uint64 {
	b := math.Float32bits(f)
	switch {
	case f == 0:
		b = 0
	case f != f:
		b = 0x7FC00000
	}
	if b&(1<<31) != 0 {
		b = ^b
	} else {
		b ^= 1 << 31
	}
	return uint64(b) << 32
}

func encodeBool(col *array.Boolean, data []byte, cur []int, valid validity) {
	for i := range cur {
		p := cur[i]
		if valid.null(i) {
			data[p] = keyNull
			cur[i] = p + 1
			continue
		}
		data[p] = keyPresent
		data[p+1] = 0
		if col.Value(i) {
			data[p+1] = 1
		}
		cur[i] = p + 2
	}
}

// encodeBytes writes each value with 0x00 escaped as 0x00 0xFF and a 0x00 0x00
// terminator, so that no value's encoding is a prefix of another's and a
// shorter value sorts before its extensions.
func encodeBytes[O int32 | int64](offs []O, vals []byte, data []byte, cur []int, valid validity) {
	for i := range cur {
		p := cur[i]
		if valid.null(i) {
			data[p] = keyNull
			cur[i] = p + 1
			continue
		}
		data[p] = keyPresent
		p++
		v := vals[offs[i]:offs[i+1]]
		for {
			z := bytes.IndexByte(v, escByte)
			if z < 0 {
				p += copy(data[p:], v)
				break
			}
			p += copy(data[p:], v[:z])
			data[p], data[p+1] = escByte, escZero
			p += 2
			v = v[z+1:]
		}
		data[p], data[p+1] = termByte, termByte
		cur[i] = p + 2
	}
}
