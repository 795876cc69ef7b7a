package expr_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/expr"
)

// kleeneValue is a three-valued boolean: 0 false, 1 true, 2 NULL.
type kleeneValue uint8

// kleeneWant is SQL's l op r, row by row.
func kleeneWant(and bool, l, r kleeneValue) kleeneValue {
	decisive, other := kleeneValue(0), kleeneValue(1) // AND: false decides
	if !and {
		decisive, other = 1, 0
	}
	switch {
	case l == decisive || r == decisive:
		return decisive
	case l == 2 || r == 2:
		return 2
	}
	return other
}

// randomBools builds n values, about nullPct % NULL, and slices off the
// first skip, so the array's offset is skip.
func randomBools(r *rand.Rand, mem memory.Allocator, n, skip, nullPct int) (arrow.Array, []kleeneValue) {
	b := array.NewBooleanBuilder(mem)
	defer b.Release()
	vals := make([]kleeneValue, n)
	for i := range vals {
		if r.IntN(100) < nullPct {
			vals[i] = 2
			b.AppendNull()
			continue
		}
		vals[i] = kleeneValue(r.IntN(2))
		b.Append(vals[i] == 1)
	}
	full := b.NewArray()
	defer full.Release()
	return array.NewSlice(full, int64(skip), int64(n)), vals[skip:]
}

// TestLogicKleene holds AND and OR of two columns to the truth table over
// random columns with different array offsets, with and without NULLs on
// either side.
func TestLogicKleene(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, nulls := range [][2]int{{0, 0}, {30, 0}, {0, 30}, {30, 30}} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		l, lv := randomBools(r, mem, 301, 1, nulls[0])
		rr, rv := randomBools(r, mem, 306, 6, nulls[1])
		schema := arrow.NewSchema([]arrow.Field{{Name: "l", Type: arrow.FixedWidthTypes.Boolean, Nullable: true}, {Name: "r", Type: arrow.FixedWidthTypes.Boolean, Nullable: true}}, nil)
		rec := array.NewRecordBatch(schema, []arrow.Array{l, rr}, int64(l.Len()))
		for _, and := range []bool{true, false} {
			e := expr.Or(expr.Col("l"), expr.Col("r"))
			if and {
				e = expr.And(expr.Col("l"), expr.Col("r"))
			}
			got, err := e.Eval(expr.NewContext(context.Background(), mem), rec)
			if err != nil {
				t.Fatal(err)
			}
			b := got.(*array.Boolean)
			for i := range b.Len() {
				g := kleeneValue(2)
				if b.IsValid(i) {
					g = kleeneValue(b2i(b.Value(i)))
				}
				if w := kleeneWant(and, lv[i], rv[i]); g != w {
					t.Fatalf("%s row %d (nulls %v): %d op %d = %d, want %d", e, i, nulls, lv[i], rv[i], g, w)
				}
			}
			got.Release()
		}
		rec.Release()
		l.Release()
		rr.Release()
		mem.AssertSize(t, 0)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
