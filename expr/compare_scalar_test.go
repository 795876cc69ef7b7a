package expr_test

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/sluicestream/sluice/expr"
)

// A column compared with a literal runs expr's own kernels; these tests hold
// them to arrow's comparison kernels, which they replace, over random
// columns with and without NULLs, sliced so that the array offset is not a
// multiple of eight, of lengths that are not either.

var cmpKernelTypes = []arrow.DataType{
	arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64,
	arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64,
	arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64, arrow.FixedWidthTypes.Date32,
	&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
	arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString, arrow.BinaryTypes.Binary, arrow.BinaryTypes.LargeBinary,
}

var cmpKernelOps = []struct {
	fn   string
	make func(l, r expr.Expr) *expr.CompareExpr
}{
	{"equal", expr.Eq}, {"not_equal", expr.NotEq},
	{"less", expr.Lt}, {"less_equal", expr.LtEq},
	{"greater", expr.Gt}, {"greater_equal", expr.GtEq},
}

// randomColumn builds n random values of dt, about nullPct % NULL, from a
// small domain so that a literal drawn from it matches some rows. Floats
// include NaN; strings are empty or up to five bytes and share first bytes
// with values of other lengths.
func randomColumn(r *rand.Rand, mem memory.Allocator, dt arrow.DataType, n, nullPct int) arrow.Array {
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	for range n {
		if r.IntN(100) < nullPct {
			b.AppendNull()
			continue
		}
		v := r.IntN(12)
		str := strings.Repeat("a", v%4) + strings.Repeat("b", v/4) // "", "a", "aa", "ab", ...
		switch b := b.(type) {
		case *array.Float32Builder:
			b.Append(float32(nanOr(v)))
		case *array.Float64Builder:
			b.Append(nanOr(v))
		case *array.Date32Builder:
			b.Append(arrow.Date32(v - 6))
		case *array.TimestampBuilder:
			b.Append(arrow.Timestamp(v - 6))
		case *array.StringBuilder:
			b.Append(str)
		case *array.LargeStringBuilder:
			b.Append(str)
		case *array.BinaryBuilder:
			b.Append([]byte(str))
		default: // the integers
			if arrow.IsSignedInteger(dt.ID()) {
				v -= 6
			}
			if err := b.AppendValueFromString(strconv.Itoa(v)); err != nil {
				panic(err)
			}
		}
	}
	return b.NewArray()
}

// nanOr is v - 6, or NaN for 0.
func nanOr(v int) float64 {
	if v == 0 {
		return math.NaN()
	}
	return float64(v - 6)
}

func TestCompareWithLiteralMatchesArrow(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, dt := range cmpKernelTypes {
		for _, nullPct := range []int{0, 25} {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			full := randomColumn(r, mem, dt, 203, nullPct)
			col := array.NewSlice(full, 3, 200)
			lits := []scalar.Scalar{literalFrom(t, full, 0), literalFrom(t, full, 101), literalFrom(t, full, 202)}
			for _, lit := range lits {
				for _, op := range cmpKernelOps {
					checkCompare(t, mem, op.fn, op.make, col, lit)
				}
				if r, ok := lit.(interface{ Release() }); ok { // a binary scalar holds a buffer
					r.Release()
				}
			}
			col.Release()
			full.Release()
			mem.AssertSize(t, 0)
		}
	}
}

// literalFrom is row i of arr as a scalar, or arr's first valid row if i is
// NULL: comparing with a NULL literal is not the kernels' business.
func literalFrom(t *testing.T, arr arrow.Array, i int) scalar.Scalar {
	for arr.IsNull(i) {
		i = (i + 1) % arr.Len()
	}
	s, err := scalar.GetScalar(arr, i)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkCompare evaluates col op lit and lit op col and holds both to arrow.
func checkCompare(t *testing.T, mem memory.Allocator, fn string, mk func(l, r expr.Expr) *expr.CompareExpr, col arrow.Array, lit scalar.Scalar) {
	t.Helper()
	rec := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "x", Type: col.DataType(), Nullable: true}}, nil), []arrow.Array{col}, int64(col.Len()))
	defer rec.Release()
	ctx := expr.NewContext(context.Background(), mem)
	for _, litLeft := range []bool{false, true} {
		e, args := mk(expr.Col("x"), expr.Lit(lit)), []compute.Datum{compute.NewDatumWithoutOwning(col), compute.NewDatumWithoutOwning(lit)}
		if litLeft {
			e, args = mk(expr.Lit(lit), expr.Col("x")), []compute.Datum{args[1], args[0]}
		}
		got, err := e.Eval(ctx, rec)
		if err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		want := arrowResult(t, mem, fn, args...)
		if !array.Equal(got, want) {
			t.Errorf("%s over %s (offset %d):\n got  %v\n want %v", e, col.DataType(), col.Data().Offset(), got, want)
		}
		got.Release()
		want.Release()
	}
}

// arrowResult calls an arrow compute function and returns its array result.
func arrowResult(t *testing.T, mem memory.Allocator, fn string, args ...compute.Datum) arrow.Array {
	t.Helper()
	d, err := compute.CallFunction(compute.WithAllocator(context.Background(), mem), fn, nil, args...)
	if err != nil {
		t.Fatalf("%s: %v", fn, err)
	}
	defer d.Release()
	return d.(*compute.ArrayDatum).MakeArray()
}

// TestCompareCodesMatchesArrow compares columns of one-byte codes, where
// equality takes the word-at-a-time path when no value is NULL (a NULL is an
// empty value and breaks the run).
func TestCompareCodesMatchesArrow(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, dt := range cmpKernelTypes[12:] { // the string and binary types
		for _, nullPct := range []int{0, 10} {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			b := array.NewBuilder(mem, dt)
			for range 203 {
				if r.IntN(100) < nullPct {
					b.AppendNull()
				} else {
					appendBytes(b, string(rune('a'+r.IntN(4))))
				}
			}
			full := b.NewArray()
			b.Release()
			col := array.NewSlice(full, 3, 200)
			for _, code := range []string{"a", "d", "z", "", "ab"} {
				lit := bytesLiteral(t, mem, dt, code)
				for _, op := range cmpKernelOps {
					checkCompare(t, mem, op.fn, op.make, col, lit)
				}
				lit.(scalar.Releasable).Release()
			}
			col.Release()
			full.Release()
			mem.AssertSize(t, 0)
		}
	}
}

// bytesLiteral is s as a scalar of a string or binary type dt; the caller
// releases it.
func bytesLiteral(t *testing.T, mem memory.Allocator, dt arrow.DataType, s string) scalar.Scalar {
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	appendBytes(b, s)
	arr := b.NewArray()
	defer arr.Release()
	return literalFrom(t, arr, 0)
}

// appendBytes appends s to a string or binary builder.
func appendBytes(b array.Builder, s string) {
	switch b := b.(type) {
	case *array.StringBuilder:
		b.Append(s)
	case *array.LargeStringBuilder:
		b.Append(s)
	case *array.BinaryBuilder:
		b.Append([]byte(s))
	}
}
