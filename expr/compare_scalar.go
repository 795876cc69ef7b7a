package expr

import (
	"bytes"
	"encoding/binary"
	mathbits "math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// A column compared with a constant is the usual shape of a filter, so it is
// done here over the values buffer instead of through arrow's comparison
// kernels, which visit every string through a callback and pay their
// executor's setup on every call. Over 64K rows (BenchmarkFilterKernels),
// kind = 'a' takes 76 µs here against 910 µs through arrow and kind < 'b'
// 545 against 1160; a float column against a constant is even at about
// 47 µs (arrow's loop is SIMD) with 11 allocations against 36. Floats compare
// as IEEE 754 does (NaN is neither less, equal nor greater), as arrow's
// kernels do.

// flipCmp is the operator that gives the same answer with the operands
// swapped: c < x is x > c.
var flipCmp = map[CmpOp]CmpOp{
	CmpEq: CmpEq, CmpNotEq: CmpNotEq,
	CmpLt: CmpGt, CmpLtEq: CmpGtEq,
	CmpGt: CmpLt, CmpGtEq: CmpLtEq,
}

// compareWithScalar compares l op r when one side is an array and the other a
// valid scalar of a type it has a kernel for. ok is false otherwise, and the
// caller falls back to arrow's kernels.
func compareWithScalar(mem memory.Allocator, op CmpOp, l, r compute.Datum) (out arrow.Array, ok bool) {
	la, lArr := l.(*compute.ArrayDatum)
	rs, rScalar := r.(*compute.ScalarDatum)
	if !lArr || !rScalar {
		ls, lScalar := l.(*compute.ScalarDatum)
		ra, rArr := r.(*compute.ArrayDatum)
		if !lScalar || !rArr {
			return nil, false
		}
		la, rs, op = ra, ls, flipCmp[op]
	}
	if !rs.Value.IsValid() {
		return nil, false
	}
	arr := la.MakeArray()
	defer arr.Release()
	return cmpArrayScalar(mem, op, arr, rs.Value)
}

// cmpArrayScalar is arr op c for a valid c of arr's type.
func cmpArrayScalar(mem memory.Allocator, op CmpOp, arr arrow.Array, c scalar.Scalar) (arrow.Array, bool) {
	switch arr.DataType().ID() {
	case arrow.INT8:
		return cmpNumbers(mem, op, arr, vecScalar[int8](c)), true
	case arrow.INT16:
		return cmpNumbers(mem, op, arr, vecScalar[int16](c)), true
	case arrow.INT32, arrow.DATE32:
		return cmpNumbers(mem, op, arr, vecScalar[int32](c)), true
	case arrow.INT64, arrow.TIMESTAMP:
		return cmpNumbers(mem, op, arr, vecScalar[int64](c)), true
	case arrow.UINT8:
		return cmpNumbers(mem, op, arr, vecScalar[uint8](c)), true
	case arrow.UINT16:
		return cmpNumbers(mem, op, arr, vecScalar[uint16](c)), true
	case arrow.UINT32:
		return cmpNumbers(mem, op, arr, vecScalar[uint32](c)), true
	case arrow.UINT64:
		return cmpNumbers(mem, op, arr, vecScalar[uint64](c)), true
	case arrow.FLOAT32:
		return cmpNumbers(mem, op, arr, vecScalar[float32](c)), true
	case arrow.FLOAT64:
		return cmpNumbers(mem, op, arr, vecScalar[float64](c)), true
	case arrow.STRING, arrow.BINARY:
		return cmpBytes(mem, op, arr, offsetsOf[int32](arr), c.(scalar.BinaryScalar).Data()), true
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return cmpBytes(mem, op, arr, offsetsOf[int64](arr), c.(scalar.BinaryScalar).Data()), true
	}
	return nil, false
}

// cmpNumbers is arr op c over a fixed-width array. A NULL value gives NULL:
// the result's validity is a copy of arr's.
func cmpNumbers[T numberT](mem memory.Allocator, op CmpOp, arr arrow.Array, c T) arrow.Array {
	vals := vecValues[T](arr)
	buf, bits := vecBitmap(mem, len(vals), false)
	switch op {
	case CmpEq:
		packEq(vals, c, bits)
	case CmpNotEq:
		packEq(vals, c, bits)
		invertBits(bits)
	case CmpLt:
		packLt(vals, c, bits)
	case CmpLtEq:
		packLtEq(vals, c, bits)
	case CmpGt:
		packGt(vals, c, bits)
	case CmpGtEq:
		packGtEq(vals, c, bits)
	}
	return vecArray(arrow.FixedWidthTypes.Boolean, arr.Len(), vecCopyValidity(mem, arr), buf)
}

// invertBits flips every bit of b; bits past the array's length are never
// read, so flipping them too is harmless.
func invertBits(b []byte) {
	for i := range b {
		b[i] = ^b[i]
	}
}

// offsetsOf returns the len+1 offsets of a (large) string or binary array,
// its array offset applied.
func offsetsOf[O int32 | int64](arr arrow.Array) []O {
	d := arr.Data()
	if d.Buffers()[1] == nil {
		return make([]O, arr.Len()+1) // only an empty array may lack offsets
	}
	return arrow.GetData[O](d.Buffers()[1].Bytes())[d.Offset() : d.Offset()+d.Len()+1]
}

// cmpBytes is arr op lit over string or binary values, compared as bytes.
func cmpBytes[O int32 | int64](mem memory.Allocator, op CmpOp, arr arrow.Array, offs []O, lit []byte) arrow.Array {
	var data []byte
	if b := arr.Data().Buffers()[2]; b != nil {
		data = b.Bytes()
	}
	n := arr.Len()
	buf, bits := vecBitmap(mem, n, false)
	switch op {
	case CmpEq, CmpNotEq:
		eqBytes(offs, data, lit, bits)
		if op == CmpNotEq {
			invertBits(bits)
		}
	default:
		orderBytes(op, offs, data, lit, bits)
	}
	return vecArray(arrow.FixedWidthTypes.Boolean, n, vecCopyValidity(mem, arr), buf)
}

// eqBytes sets bit i when value i is lit. Most rows differ from lit in
// length or first byte, in no predictable order, so those two are tested
// first for eight rows at a time without a branch; only the candidates left,
// when lit is longer than a byte, get a full compare.
func eqBytes[O int32 | int64](offs []O, data, lit []byte, bits []byte) {
	L := O(len(lit))
	if L == 0 || len(data) == 0 {
		eqEmpty(offs, L == 0, bits)
		return
	}
	n := len(offs) - 1
	if L == 1 && sameLength(offs, 1) {
		eqByteRun(data[offs[0]:offs[n]], lit[0], bits)
		return
	}
	last, first := uint(len(data)-1), lit[0]
	full := n &^ 7
	for i := 0; i < full; i += 8 {
		o := (*[9]O)(offs[i:])
		bits[i>>3] = eqHead(o[0], o[1], L, data, last, first) | eqHead(o[1], o[2], L, data, last, first)<<1 |
			eqHead(o[2], o[3], L, data, last, first)<<2 | eqHead(o[3], o[4], L, data, last, first)<<3 |
			eqHead(o[4], o[5], L, data, last, first)<<4 | eqHead(o[5], o[6], L, data, last, first)<<5 |
			eqHead(o[6], o[7], L, data, last, first)<<6 | eqHead(o[7], o[8], L, data, last, first)<<7
	}
	for i := full; i < n; i++ {
		bits[i>>3] |= eqHead(offs[i], offs[i+1], L, data, last, first) << (i & 7)
	}
	if L > 1 {
		eqConfirm(offs, data, lit, bits)
	}
}

// eqHead is 1 when the value from s to e has length L and starts with first.
// An empty value may start at len(data): min keeps the read in bounds, and
// the length test has already failed for it.
func eqHead[O int32 | int64](s, e, L O, data []byte, last uint, first byte) byte {
	return b2u(e-s == L) & b2u(data[min(uint(s), last)] == first)
}

// sameLength reports whether every value is L bytes long, as in a column of
// one-letter codes. It stops at the first block of 64 that has another
// length, so a column that has one costs little.
func sameLength[O int32 | int64](offs []O, L O) bool {
	want := offs[0]
	for start := 0; start < len(offs); start += 64 {
		var diff O
		for _, o := range offs[start:min(start+64, len(offs))] {
			diff |= o ^ want
			want += L
		}
		if diff != 0 {
			return false
		}
	}
	return true
}

// eqByteRun sets bit i when v[i] is c, eight bytes per step: the word of v
// XOR c has a zero byte where they match, and the exact zero-byte test
// (without the usual trick's false positives) flags it in the byte's high
// bit; the multiply gathers the eight high bits into one byte.
func eqByteRun(v []byte, c byte, out []byte) {
	const lows, highs = 0x7f7f7f7f7f7f7f7f, 0x0102040810204080
	cc := uint64(c) * 0x0101010101010101
	full := len(v) &^ 7
	for i := 0; i < full; i += 8 {
		x := binary.LittleEndian.Uint64(v[i:]) ^ cc
		zero := ^((x&lows + lows) | x | lows)
		out[i>>3] = byte((zero >> 7 * highs) >> 56)
	}
	for i := full; i < len(v); i++ {
		out[i>>3] |= b2u(v[i] == c) << (i & 7)
	}
}

// eqConfirm clears each candidate bit whose value is not all of lit.
func eqConfirm[O int32 | int64](offs []O, data, lit []byte, bits []byte) {
	for j, b := range bits {
		for b != 0 {
			k := mathbits.TrailingZeros8(b)
			b &= b - 1
			i := j*8 + k
			if !bytes.Equal(data[offs[i]:offs[i+1]], lit) {
				bits[j] &^= 1 << k
			}
		}
	}
}

// eqEmpty is eqBytes when the literal or every value is empty: value i
// matches when it is empty and want is true.
func eqEmpty[O int32 | int64](offs []O, want bool, bits []byte) {
	if !want {
		return
	}
	for i := range len(offs) - 1 {
		bits[i>>3] |= b2u(offs[i+1] == offs[i]) << (i & 7)
	}
}

// orderBytes sets bit i when value i op lit holds, for an ordering op.
func orderBytes[O int32 | int64](op CmpOp, offs []O, data, lit []byte, bits []byte) {
	for i := range len(offs) - 1 {
		c := bytes.Compare(data[offs[i]:offs[i+1]], lit)
		var hit bool
		switch op {
		case CmpLt:
			hit = c < 0
		case CmpLtEq:
			hit = c <= 0
		case CmpGt:
			hit = c > 0
		case CmpGtEq:
			hit = c >= 0
		}
		bits[i>>3] |= b2u(hit) << (i & 7)
	}
}

// b2u is 1 for true and 0 for false; the compiler turns it into a SETcc,
// which keeps the packing loops free of branches.
func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}
