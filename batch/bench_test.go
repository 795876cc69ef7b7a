package batch

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// benchRows is one large micro-batch.
const benchRows = 64 << 10

// benchColumns builds a 64K-row int64 column (every 16th value NULL) and a
// string column of 8–16 byte keys, some with a 0x00 to escape.
func benchColumns(b *testing.B, mem memory.Allocator) (ints, strs arrow.Array) {
	ib := array.NewInt64Builder(mem)
	sb := array.NewStringBuilder(mem)
	defer ib.Release()
	defer sb.Release()
	for i := range benchRows {
		if i%16 == 0 {
			ib.AppendNull()
		} else {
			ib.Append(int64(i) * 7919)
		}
		s := fmt.Sprintf("user-%08d", i)
		if i%32 == 0 {
			s += "\x00x"
		}
		sb.Append(s)
	}
	return ib.NewArray(), sb.NewArray()
}

func BenchmarkEncodeKeys(b *testing.B) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(b, 0)
	ints, strs := benchColumns(b, mem)
	defer ints.Release()
	defer strs.Release()

	for _, bc := range []struct {
		name string
		cols []arrow.Array
	}{
		{"int64", []arrow.Array{ints}},
		{"string", []arrow.Array{strs}},
		{"int64+string", []arrow.Array{ints, strs}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var buf KeyBuffer
			if err := EncodeKeys(bc.cols, &buf); err != nil { // grow once
				b.Fatal(err)
			}
			b.SetBytes(int64(len(buf.Data)))
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := EncodeKeys(bc.cols, &buf); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRows), "ns/row")
		})
	}
}

func BenchmarkHashColumns(b *testing.B) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(b, 0)
	ints, strs := benchColumns(b, mem)
	defer ints.Release()
	defer strs.Release()

	hashes := make([]uint64, benchRows)
	parts := make([]int32, benchRows)
	for _, bc := range []struct {
		name string
		cols []arrow.Array
	}{
		{"int64", []arrow.Array{ints}},
		{"string", []arrow.Array{strs}},
		{"int64+string", []arrow.Array{ints, strs}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := HashColumns(bc.cols, hashes); err != nil {
					b.Fatal(err)
				}
				Partitions(hashes, 200, parts)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRows), "ns/row")
		})
	}
}

func BenchmarkDecodeKeys(b *testing.B) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(b, 0)
	ints, strs := benchColumns(b, mem)
	defer ints.Release()
	defer strs.Release()

	var buf KeyBuffer
	if err := EncodeKeys([]arrow.Array{ints, strs}, &buf); err != nil {
		b.Fatal(err)
	}
	keys := make([][]byte, buf.Len())
	for i := range keys {
		keys[i] = buf.Key(i)
	}
	types := []arrow.DataType{ints.DataType(), strs.DataType()}
	b.ReportAllocs()
	for b.Loop() {
		cols, err := DecodeKeys(mem, types, keys)
		if err != nil {
			b.Fatal(err)
		}
		releaseArrays(cols)
	}
}
