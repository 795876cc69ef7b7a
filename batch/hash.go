package batch

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cespare/xxhash/v2"
)

// The hash of a row decides its state partition, and the partition count and
// assignment are recorded in the checkpoint: a restarted query must send
// every key to the partition it went to before. So the hash is a fixed
// function of the values, the same in every process, on every platform and in
// every release: these constants, splitmix64's mixer and xxHash64 (a
// specified algorithm) over bytes. Changing any of them moves keys between
// partitions and breaks every existing checkpoint; the golden test in
// hash_test.go exists to make such a change fail loudly.
const (
	hashSeed = uint64(0x736c75696365_0001) // "sluice", v1: the hash of a row before any column
	hashNull = uint64(0x6e756c6c_9e3779b9) // what a NULL contributes, whatever its type
)

// mix is splitmix64's finaliser preceded by its golden-ratio increment: a
// bijection on uint64 in which every input bit affects every output bit.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// HashColumns sets hashes[i] to the hash of row i of cols, combining the
// columns in order: h = mix(h ^ v) per column, starting from a fixed seed,
// where v is the value's 64-bit image (integers sign- or zero-extended,
// floats with -0 as +0 and one NaN, bools 0/1, bytes through xxHash64) or a
// fixed constant for NULL.
//
// Rows that EncodeKeys gives equal keys hash equal, whatever the arrays'
// offsets or chunking. The hash is deterministic across processes and
// platforms (see the comment on hashSeed), so it may decide state partitions.
// len(hashes) must equal the number of rows and every type must be a
// supported key type; otherwise the error says which.
func HashColumns(cols []arrow.Array, hashes []uint64) error {
	n, err := checkKeyColumns(cols)
	if err != nil {
		return fmt.Errorf("hash columns: %w", err)
	}
	if len(hashes) != n {
		return fmt.Errorf("hash columns: %d hashes for %d rows", len(hashes), n)
	}
	if n == 0 {
		return nil
	}
	for i := range hashes {
		hashes[i] = hashSeed
	}
	for _, col := range cols {
		hashColumn(col, hashes)
	}
	return nil
}

// hashColumn folds one column into hashes with a loop typed for its kind.
func hashColumn(col arrow.Array, hashes []uint64) {
	kind, width := classify(col.DataType())
	valid := newValidity(col)
	d := col.Data()
	switch {
	case kind == kindNull:
		for i, h := range hashes {
			hashes[i] = mix(h ^ hashNull)
		}
	case kind == kindBool:
		hashBool(col.(*array.Boolean), hashes, valid)
	case kind == kindBytes:
		hashBytes(arrow.GetOffsets[int32](d, 1), varData(col), hashes, valid)
	case kind == kindLargeBytes:
		hashBytes(arrow.GetOffsets[int64](d, 1), varData(col), hashes, valid)
	case kind == kindFloat && width == 4:
		hashFloat32(arrow.GetValues[float32](d, 1), hashes, valid)
	case kind == kindFloat:
		hashFloat64(arrow.GetValues[float64](d, 1), hashes, valid)
	case kind == kindInt && width == 1:
		hashSigned(arrow.GetValues[int8](d, 1), hashes, valid)
	case kind == kindInt && width == 2:
		hashSigned(arrow.GetValues[int16](d, 1), hashes, valid)
	case kind == kindInt && width == 4:
		hashSigned(arrow.GetValues[int32](d, 1), hashes, valid)
	case kind == kindInt:
		hashSigned(arrow.GetValues[int64](d, 1), hashes, valid)
	case kind == kindUint && width == 1:
		hashUnsigned(arrow.GetValues[uint8](d, 1), hashes, valid)
	case kind == kindUint && width == 2:
		hashUnsigned(arrow.GetValues[uint16](d, 1), hashes, valid)
	case kind == kindUint && width == 4:
		hashUnsigned(arrow.GetValues[uint32](d, 1), hashes, valid)
	default:
		hashUnsigned(arrow.GetValues[uint64](d, 1), hashes, valid)
	}
}

func hashSigned[T int8 | int16 | int32 | int64](vals []T, hashes []uint64, valid validity) {
	for i, h := range hashes {
		v := uint64(int64(vals[i]))
		if valid.null(i) {
			v = hashNull
		}
		hashes[i] = mix(h ^ v)
	}
}

func hashUnsigned[T uint8 | uint16 | uint32 | uint64](vals []T, hashes []uint64, valid validity) {
	for i, h := range hashes {
		v := uint64(vals[i])
		if valid.null(i) {
			v = hashNull
		}
		hashes[i] = mix(h ^ v)
	}
}

// hashFloat64 hashes the bits of the value with -0 and NaN normalised as the
// key encoding does, so that values equal as keys hash equal.
func hashFloat64(vals []float64, hashes []uint64, valid validity) {
	for i, h := range hashes {
		f := vals[i]
		v := math.Float64bits(f)
		switch {
		case valid.null(i):
			v = hashNull
		case f == 0:
			v = 0
		case f != f:
			v = canonicalNaN
		}
		hashes[i] = mix(h ^ v)
	}
}

func hashFloat32(vals []float32, hashes []uint64, valid validity) {
	for i, h := range hashes {
		f := vals[i]
		v := uint64(math.Float32bits(f))
		switch {
		case valid.null(i):
			v = hashNull
		case f == 0:
			v = 0
		case f != f:
			v = 0x7FC00000
		}
		hashes[i] = mix(h ^ v)
	}
}

func hashBool(col *array.Boolean, hashes []uint64, valid validity) {
	for i, h := range hashes {
		var v uint64
		switch {
		case valid.null(i):
			v = hashNull
		case col.Value(i):
			v = 1
		}
		hashes[i] = mix(h ^ v)
	}
}

func hashBytes[O int32 | int64](offs []O, data []byte, hashes []uint64, valid validity) {
	for i, h := range hashes {
		v := hashNull
		if !valid.null(i) {
			v = xxhash.Sum64(data[offs[i]:offs[i+1]])
		}
		hashes[i] = mix(h ^ v)
	}
}

// Partitions sets out[i] to the partition in [0, p) of hashes[i]. It maps the
// hash by multiplying and keeping the high 64 bits (Lemire's range
// reduction), which is uniform for uniform hashes and, unlike a modulus,
// needs no division per row.
//
// REQUIRES: 0 < p <= math.MaxInt32 and len(out) >= len(hashes). The partition
// count is validated when the query starts and fixed for its checkpoint, so a
// violation is a bug in the caller.
func Partitions(hashes []uint64, p int, out []int32) {
	if p <= 0 || p > math.MaxInt32 {
		panic(fmt.Sprintf("batch: Partitions with %d partitions", p))
	}
	if len(out) < len(hashes) {
		panic(fmt.Sprintf("batch: Partitions into %d slots for %d hashes", len(out), len(hashes)))
	}
	np := uint64(p)
	for i, h := range hashes {
		hi, _ := bits.Mul64(h, np)
		out[i] = int32(hi)
	}
}
