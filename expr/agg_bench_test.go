package expr_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/expr"
)

const (
	aggBenchRows   = 64 << 10
	aggBenchGroups = 10_000
)

// aggBenchInput returns int64 and string columns of aggBenchRows rows (every
// tenth NULL if withNulls) and a random group per row.
func aggBenchInput(mem memory.Allocator, withNulls bool) (ints, strs arrow.Array, groups []uint32) {
	rng := rand.New(rand.NewPCG(1, 2))
	ib := array.NewInt64Builder(mem)
	defer ib.Release()
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	groups = make([]uint32, aggBenchRows)
	for i := range groups {
		groups[i] = uint32(rng.IntN(aggBenchGroups))
		if withNulls && i%10 == 0 {
			ib.AppendNull()
			sb.AppendNull()
			continue
		}
		v := rng.Int64N(1_000_000)
		ib.Append(v)
		sb.Append(fmt.Sprintf("s%07d", v))
	}
	return ib.NewArray(), sb.NewArray(), groups
}

// aggUpdateCases are the Update loops measured, over int64 or string input.
var aggUpdateCases = []struct {
	name string
	agg  *expr.AggFunc
	str  bool
}{
	{"sum(int64)", expr.Sum(expr.Col("x")), false},
	{"count(*)", expr.CountStar(), false},
	{"count(x)", expr.Count(expr.Col("x")), false},
	{"avg(int64)", expr.Avg(expr.Col("x")), false},
	{"max(int64)", expr.Max(expr.Col("x")), false},
	{"first(int64)", expr.First(expr.Col("x")), false},
	{"last(int64)", expr.Last(expr.Col("x")), false},
	{"min(string)", expr.Min(expr.Col("x")), true},
	{"last(string)", expr.Last(expr.Col("x")), true},
}

// BenchmarkAggUpdate measures Update over 64K rows into 10K groups, after a
// first Update has grown the state: ns/row and allocs/op in steady state.
func BenchmarkAggUpdate(b *testing.B) {
	for _, nulls := range []bool{false, true} {
		mem := newAggMem()
		ints, strs, groups := aggBenchInput(mem, nulls)
		for _, c := range aggUpdateCases {
			name := c.name
			if nulls {
				name += "/10%null"
			}
			b.Run(name, func(b *testing.B) {
				acc, values := aggBenchAcc(b, c.agg, c.str, ints, strs)
				defer acc.Release()
				if err := acc.Update(values, groups, aggBenchGroups); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := acc.Update(values, groups, aggBenchGroups); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*aggBenchRows), "ns/row")
			})
		}
		ints.Release()
		strs.Release()
		mem.AssertSize(b, 0)
	}
}

func aggBenchAcc(tb testing.TB, agg *expr.AggFunc, str bool, ints, strs arrow.Array) (expr.GroupsAccumulator, []arrow.Array) {
	x := ints
	if str {
		x = strs
	}
	acc, err := agg.NewAccumulator(aggSchema(x.DataType()))
	if err != nil {
		tb.Fatal(err)
	}
	if agg.Arg == nil {
		return acc, nil
	}
	return acc, []arrow.Array{x}
}

// TestAggUpdateDoesNotAllocate holds the benchmarked loops to zero
// allocations once the state has grown.
func TestAggUpdateDoesNotAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 64K-row inputs")
	}
	mem := newAggMem()
	defer mem.AssertSize(t, 0)
	ints, strs, groups := aggBenchInput(mem, true)
	defer ints.Release()
	defer strs.Release()
	for _, c := range aggUpdateCases {
		acc, values := aggBenchAcc(t, c.agg, c.str, ints, strs)
		update := func() {
			if err := acc.Update(values, groups, aggBenchGroups); err != nil {
				t.Fatal(err)
			}
		}
		update()
		if n := testing.AllocsPerRun(5, update); n != 0 {
			t.Errorf("%s: %v allocations per Update", c.name, n)
		}
		acc.Release()
	}
}
