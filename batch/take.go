package batch

import (
	"context"
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Take returns the values of arr at indices, in that order, as a new array
// allocated from mem. Every index must be in [0, arr.Len()).
//
// Fixed-width, boolean, string and binary columns (the common case after a
// filter) are gathered here in one pass per buffer; arrow's take kernel, used
// for every other type, took 2 to 3 times as long on BenchmarkTake's columns
// (its executor's setup, and a generic loop per buffer). The caller releases
// the result.
func Take(ctx context.Context, mem memory.Allocator, arr arrow.Array, indices []int32) (arrow.Array, error) {
	d := arr.Data()
	if len(indices) == 0 {
		return array.MakeArrayOfNull(mem, arr.DataType(), 0), nil
	}
	switch dt := arr.DataType(); dt.ID() {
	case arrow.BOOL:
		return takeBools(mem, d, indices), nil
	case arrow.STRING, arrow.BINARY:
		return takeBytes[int32](mem, d, indices, math.MaxInt32)
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return takeBytes[int64](mem, d, indices, math.MaxInt64)
	case arrow.INT8, arrow.UINT8, arrow.INT16, arrow.UINT16, arrow.FLOAT16,
		arrow.INT32, arrow.UINT32, arrow.FLOAT32, arrow.DATE32, arrow.TIME32,
		arrow.INT64, arrow.UINT64, arrow.FLOAT64, arrow.DATE64, arrow.TIME64,
		arrow.TIMESTAMP, arrow.DURATION:
		return takeFixed(mem, d, dt.(arrow.FixedWidthDataType).BitWidth()/8, indices), nil
	}
	return takeCompute(ctx, mem, arr, indices)
}

// takeCompute is Take through arrow's take kernel.
func takeCompute(ctx context.Context, mem memory.Allocator, arr arrow.Array, indices []int32) (arrow.Array, error) {
	buf := memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(indices))
	data := array.NewData(arrow.PrimitiveTypes.Int32, len(indices), []*memory.Buffer{nil, buf}, nil, 0, 0)
	defer data.Release()
	idx := array.MakeFromData(data)
	defer idx.Release()
	return compute.TakeArrayOpts(compute.WithAllocator(ctx, mem), arr, idx, compute.TakeOptions{BoundsCheck: false})
}

// takeFixed gathers values of width bytes.
func takeFixed(mem memory.Allocator, d arrow.ArrayData, width int, indices []int32) arrow.Array {
	n := len(indices)
	out := newBuffer(mem, n*width)
	src := d.Buffers()[1].Bytes()[d.Offset()*width:]
	switch width {
	case 1:
		gather(src, out.Bytes(), indices)
	case 2:
		gather(arrow.Uint16Traits.CastFromBytes(src), arrow.Uint16Traits.CastFromBytes(out.Bytes()), indices)
	case 4:
		gather(arrow.Uint32Traits.CastFromBytes(src), arrow.Uint32Traits.CastFromBytes(out.Bytes()), indices)
	default:
		gather(arrow.Uint64Traits.CastFromBytes(src), arrow.Uint64Traits.CastFromBytes(out.Bytes()), indices)
	}
	valid, nulls := takeValidity(mem, d, indices)
	return newArray(d.DataType(), n, []*memory.Buffer{valid, out}, nulls)
}

func gather[T uint8 | uint16 | uint32 | uint64](src, dst []T, indices []int32) {
	dst = dst[:len(indices)]
	for k, i := range indices {
		dst[k] = src[i]
	}
}

// takeBools gathers the bits of a boolean array.
func takeBools(mem memory.Allocator, d arrow.ArrayData, indices []int32) arrow.Array {
	out := newBitmap(mem, len(indices))
	gatherBits(d.Buffers()[1].Bytes(), d.Offset(), out.Bytes(), indices)
	valid, nulls := takeValidity(mem, d, indices)
	return newArray(d.DataType(), len(indices), []*memory.Buffer{valid, out}, nulls)
}

// takeValidity gathers d's validity bitmap; nil when the result has no NULL.
func takeValidity(mem memory.Allocator, d arrow.ArrayData, indices []int32) (*memory.Buffer, int) {
	if d.NullN() == 0 || d.Buffers()[0] == nil {
		return nil, 0
	}
	buf := newBitmap(mem, len(indices))
	gatherBits(d.Buffers()[0].Bytes(), d.Offset(), buf.Bytes(), indices)
	nulls := len(indices) - bitutil.CountSetBits(buf.Bytes(), 0, len(indices))
	if nulls == 0 {
		buf.Release()
		return nil, 0
	}
	return buf, nulls
}

// gatherBits sets bit k of dst (zeroed) to bit off+indices[k] of src.
func gatherBits(src []byte, off int, dst []byte, indices []int32) {
	for k, i := range indices {
		j := off + int(i)
		dst[k>>3] |= (src[j>>3] >> (j & 7) & 1) << (k & 7)
	}
}

// takeBytes gathers string or binary values with offsets of type O; it fails
// when the gathered bytes do not fit offsets of that type.
func takeBytes[O int32 | int64](mem memory.Allocator, d arrow.ArrayData, indices []int32, limit int64) (arrow.Array, error) {
	n := len(indices)
	var srcOffs []O
	if b := d.Buffers()[1]; b != nil && d.Len() > 0 {
		srcOffs = arrow.GetData[O](b.Bytes())[d.Offset() : d.Offset()+d.Len()+1]
	}
	var size int64
	for _, i := range indices {
		size += int64(srcOffs[i+1] - srcOffs[i])
	}
	if size > limit {
		return nil, fmt.Errorf("take: %d bytes of %s exceed its offsets", size, d.DataType())
	}
	offBuf := newBuffer(mem, (n+1)*int(unsafe.Sizeof(O(0))))
	dataBuf := newBuffer(mem, int(size))
	var src []byte
	if b := d.Buffers()[2]; b != nil {
		src = b.Bytes()
	}
	gatherBytes(src, srcOffs, dataBuf.Bytes(), arrow.GetData[O](offBuf.Bytes())[:n+1], indices)
	valid, nulls := takeValidity(mem, d, indices)
	return newArray(d.DataType(), n, []*memory.Buffer{valid, offBuf, dataBuf}, nulls), nil
}

// gatherBytes copies the values at indices into dst, writing their offsets.
// One copy per value even for short ones: a byte loop mispredicts on mixed
// lengths and measured 1.7x slower (BenchmarkTake/utf8).
func gatherBytes[O int32 | int64](src []byte, srcOffs []O, dst []byte, offs []O, indices []int32) {
	var pos O
	offs[0] = 0
	for k, i := range indices {
		pos += O(copy(dst[pos:], src[srcOffs[i]:srcOffs[i+1]]))
		offs[k+1] = pos
	}
}

// newBuffer allocates size bytes from mem, for the caller to overwrite.
func newBuffer(mem memory.Allocator, size int) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(size)
	return buf
}

// newBitmap allocates a bitmap of n bits from mem, all clear.
func newBitmap(mem memory.Allocator, n int) *memory.Buffer {
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	clear(buf.Bytes())
	return buf
}

// newArray assembles an array from buffers it takes over.
func newArray(dt arrow.DataType, n int, bufs []*memory.Buffer, nulls int) arrow.Array {
	data := array.NewData(dt, n, bufs, nil, nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	defer data.Release()
	return array.MakeFromData(data)
}
