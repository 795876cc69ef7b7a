package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// AND and OR of two boolean arrays, 64 rows at a time. With Kleene logic a
// result is valid when both sides are, or when one valid side decides it
// alone (false for AND, true for OR); its value is then l AND r (l OR r)
// whatever an invalid side holds, so values and validity are two independent
// word-wise passes. Over 64K rows without NULLs (BenchmarkFilterKernels) that
// is 4 µs against 11.5 µs through arrow's and_kleene.

// logicArrays is l op r when both are arrays of the same length; ok is false
// otherwise (a constant operand), and the caller falls back to arrow.
func logicArrays(mem memory.Allocator, op LogicOp, l, r compute.Datum) (out arrow.Array, ok bool) {
	ld, lok := l.(*compute.ArrayDatum)
	rd, rok := r.(*compute.ArrayDatum)
	if !lok || !rok || ld.Len() != rd.Len() || ld.Len() == 0 || !hasValues(ld) || !hasValues(rd) {
		return nil, false
	}
	la, ra := ld.MakeArray(), rd.MakeArray()
	defer la.Release()
	defer ra.Release()
	return kleene(mem, op, la, ra), true
}

// kleene is l op r over two boolean arrays of equal, non-zero length.
func kleene(mem memory.Allocator, op LogicOp, l, r arrow.Array) arrow.Array {
	n := l.Len()
	lb, rb := boolBits(l), boolBits(r)
	buf, vals := vecBitmap(mem, n, false)
	if op == LogicAnd {
		bitutil.BitmapAnd(lb.Data, rb.Data, lb.Offset, rb.Offset, vals, 0, int64(n))
	} else {
		bitutil.BitmapOr(lb.Data, rb.Data, lb.Offset, rb.Offset, vals, 0, int64(n))
	}
	return vecArray(arrow.FixedWidthTypes.Boolean, n, kleeneValidity(mem, op, l, r, lb, rb), buf)
}

// kleeneValidity is the validity of l op r, nil when neither side has NULLs.
func kleeneValidity(mem memory.Allocator, op LogicOp, l, r arrow.Array, lb, rb bitutil.Bitmap) *memory.Buffer {
	lv, lvOff := vecValidity(l)
	rv, rvOff := vecValidity(r)
	if lv == nil && rv == nil {
		return nil
	}
	n := int64(l.Len())
	// A side without NULLs reads its values in place of a validity bitmap and
	// the visitor ignores them.
	args := []bitutil.Bitmap{lb, rb, lb, rb}
	if lv != nil {
		args[2] = bitutil.Bitmap{Data: lv, Offset: int64(lvOff), Len: n}
	}
	if rv != nil {
		args[3] = bitutil.Bitmap{Data: rv, Offset: int64(rvOff), Len: n}
	}
	buf, valid := vecBitmap(mem, int(n), false)
	lAll, rAll, and := lv == nil, rv == nil, op == LogicAnd
	err := bitutil.VisitWordsAndWrite(args, []bitutil.Bitmap{{Data: valid, Len: n}}, func(in, out []uint64) {
		x, y, xv, yv := in[0], in[1], in[2], in[3]
		if lAll {
			xv = ^uint64(0)
		}
		if rAll {
			yv = ^uint64(0)
		}
		if and { // false decides an AND
			x, y = ^x, ^y
		}
		out[0] = xv&yv | xv&x | yv&y
	})
	if err != nil { // only for bitmaps of different lengths, which n rules out
		panic(err)
	}
	return buf
}

// hasValues reports whether d has a values buffer: arrays built for an
// all-NULL column may share none.
func hasValues(d *compute.ArrayDatum) bool {
	bufs := d.Value.Buffers()
	return len(bufs) > 1 && bufs[1] != nil
}

// boolBits is the values bitmap of a boolean array.
func boolBits(a arrow.Array) bitutil.Bitmap {
	d := a.Data()
	return bitutil.Bitmap{Data: d.Buffers()[1].Bytes(), Offset: int64(d.Offset()), Len: int64(d.Len())}
}
