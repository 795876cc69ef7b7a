package expr_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/sluicestream/sluice/expr"
)

// TestArithMatchesArrow holds +, - and * of a column and a literal (either
// side) and of two columns at different array offsets to arrow's unchecked
// kernels, which they replace, with and without NULLs. Integers near their
// limits check wrapping.
func TestArithMatchesArrow(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	ops := []struct {
		fn   string
		make func(l, r expr.Expr) *expr.ArithExpr
	}{{"add_unchecked", expr.Add}, {"subtract_unchecked", expr.Sub}, {"multiply_unchecked", expr.Mul}}
	for _, dt := range cmpKernelTypes[:10] { // the integer and float types
		for _, nullPct := range []int{0, 25} {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			x, y := randomColumn(r, mem, dt, 203, nullPct), randomColumn(r, mem, dt, 205, nullPct)
			xs, ys := array.NewSlice(x, 3, 200), array.NewSlice(y, 5, 202)
			lit, err := scalar.MakeScalar(nearMax(dt)).CastTo(dt)
			if err != nil {
				t.Fatal(err)
			}
			rec := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "x", Type: dt, Nullable: true}, {Name: "y", Type: dt, Nullable: true}}, nil),
				[]arrow.Array{xs, ys}, int64(xs.Len()))
			for _, op := range ops {
				checkArith(t, mem, op.make(expr.Col("x"), expr.Col("y")), rec, op.fn, compute.NewDatumWithoutOwning(xs), compute.NewDatumWithoutOwning(ys))
				checkArith(t, mem, op.make(expr.Col("x"), expr.Lit(lit)), rec, op.fn, compute.NewDatumWithoutOwning(xs), compute.NewDatum(lit))
				checkArith(t, mem, op.make(expr.Lit(lit), expr.Col("x")), rec, op.fn, compute.NewDatum(lit), compute.NewDatumWithoutOwning(xs))
			}
			rec.Release()
			for _, a := range []arrow.Array{x, y, xs, ys} {
				a.Release()
			}
			mem.AssertSize(t, 0)
		}
	}
}

func checkArith(t *testing.T, mem memory.Allocator, e expr.Expr, rec arrow.RecordBatch, fn string, args ...compute.Datum) {
	t.Helper()
	got, err := e.Eval(expr.NewContext(context.Background(), mem), rec)
	if err != nil {
		t.Fatalf("%s: %v", e, err)
	}
	defer got.Release()
	want := arrowResult(t, mem, fn, args...)
	defer want.Release()
	if !array.ApproxEqual(got, want, array.WithNaNsEqual(true), array.WithAbsTolerance(0)) {
		t.Errorf("%s over %s:\n got  %v\n want %v", e, rec.Column(0).DataType(), got, want)
	}
}

// nearMax is a constant that makes small values wrap when added to or
// multiplied by it in dt; 100 for floats.
func nearMax(dt arrow.DataType) any {
	switch dt.ID() {
	case arrow.INT8:
		return int64(math.MaxInt8 - 2)
	case arrow.INT16:
		return int64(math.MaxInt16 - 2)
	case arrow.INT32:
		return int64(math.MaxInt32 - 2)
	case arrow.INT64:
		return int64(math.MaxInt64 - 2)
	case arrow.UINT8:
		return uint64(math.MaxUint8 - 2)
	case arrow.UINT16:
		return uint64(math.MaxUint16 - 2)
	case arrow.UINT32:
		return uint64(math.MaxUint32 - 2)
	case arrow.UINT64:
		return uint64(math.MaxUint64 - 2)
	}
	return 100.0
}
