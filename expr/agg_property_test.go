package expr_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"pgregory.net/rapid"

	"github.com/sluicestream/sluice/expr"
)

// The properties every aggregate must have, over random input with NULLs,
// random batch boundaries and arrays with non-zero offsets:
//
//   - partial/final equivalence: splitting the input into k contiguous
//     chunks, aggregating each in its own partial accumulator (with its own
//     dense group numbering), and merging the partial states in input order
//     into a final accumulator gives what one accumulator over all input
//     gives;
//   - State and Evaluate do not consume: calling them between updates
//     changes nothing;
//   - for int64, the result equals a naive model.

// aggGenType is an input type with a generator of its non-NULL values (as
// aggAppend takes them).
type aggGenType struct {
	name  string
	typ   arrow.DataType
	gen   *rapid.Generator[any]
	noAvg bool // values too large for avg's float sum to be order-independent
}

func aggAnyGen[V any](g *rapid.Generator[V]) *rapid.Generator[any] {
	return rapid.Map(g, func(v V) any { return v })
}

func aggGenTypes() []aggGenType {
	moderate := rapid.OneOf(rapid.Int64Range(-3, 3), rapid.Int64Range(-1<<40, 1<<40))
	floats := []float64{0, math.Copysign(0, -1), 1, -1, 2.5, 1e10, math.NaN(), math.Inf(1), math.Inf(-1)}
	f32 := make([]float32, len(floats))
	for i, f := range floats {
		f32[i] = float32(f)
	}
	strs := rapid.OneOf(rapid.StringMatching(`[ab]{0,3}`), rapid.StringMatching(`[a-z]{10,40}`))
	return []aggGenType{
		{name: "int64", typ: arrow.PrimitiveTypes.Int64, gen: aggAnyGen(moderate)},
		{name: "int64 full range", typ: arrow.PrimitiveTypes.Int64, gen: aggAnyGen(rapid.Int64()), noAvg: true},
		{name: "int32", typ: arrow.PrimitiveTypes.Int32, gen: aggAnyGen(rapid.Int32Range(-5, 5))},
		{name: "uint8", typ: arrow.PrimitiveTypes.Uint8, gen: aggAnyGen(rapid.Uint8())},
		{name: "uint64", typ: arrow.PrimitiveTypes.Uint64, gen: aggAnyGen(rapid.Uint64()), noAvg: true},
		{name: "float64", typ: arrow.PrimitiveTypes.Float64, gen: aggAnyGen(rapid.SampledFrom(floats))},
		{name: "float32", typ: arrow.PrimitiveTypes.Float32, gen: aggAnyGen(rapid.SampledFrom(f32))},
		{name: "string", typ: arrow.BinaryTypes.String, gen: aggAnyGen(strs)},
		{name: "large_string", typ: arrow.BinaryTypes.LargeString, gen: aggAnyGen(strs)},
		{name: "bool", typ: arrow.FixedWidthTypes.Boolean, gen: aggAnyGen(rapid.Bool())},
		{name: "date32", typ: arrow.FixedWidthTypes.Date32, gen: aggAnyGen(rapid.Int32Range(-3, 3))},
		{name: "timestamp", typ: arrow.FixedWidthTypes.Timestamp_us, gen: aggAnyGen(moderate)},
		{name: "decimal128", typ: &arrow.Decimal128Type{Precision: 20, Scale: 2}, gen: aggAnyGen(rapid.Int64Range(-5, 5))},
		{name: "null", typ: arrow.Null, gen: aggAnyGen(rapid.Just[any](nil))},
	}
}

// aggFuncs are the aggregates the properties run over, given their argument.
var aggFuncs = []func(x expr.Expr) *expr.AggFunc{
	func(expr.Expr) *expr.AggFunc { return expr.CountStar() },
	expr.Count, expr.CountDistinct, expr.Sum, expr.Avg, expr.Min, expr.Max, expr.First, expr.Last,
}

func TestAggPartialFinalEquivalence(t *testing.T) {
	mem := newAggMem()
	defer mem.AssertSize(t, 0)
	for _, gt := range aggGenTypes() {
		s := aggSchema(gt.typ)
		var aggs []*expr.AggFunc
		for _, mk := range aggFuncs {
			agg := mk(expr.Col("x"))
			if agg.Kind == expr.AggAvg && gt.noAvg {
				continue
			}
			if _, err := agg.Type(s); err != nil {
				var te *expr.TypeError
				if !errors.As(err, &te) {
					t.Fatalf("%s over %s: %v is not a *TypeError", agg, gt.typ, err)
				}
				continue // not defined for this type
			}
			aggs = append(aggs, agg)
		}
		t.Run(gt.name, func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				in := aggDrawInput(rt, gt)
				x := aggBuildArray(rt, mem, gt.typ, in.vals)
				defer x.Release()
				for _, agg := range aggs {
					aggCheckEquivalence(rt, mem, agg, s, gt, in, x)
				}
			})
		})
	}
}

// aggInput is a generated input: x with a value (nil for NULL) and a group
// per row, in numGroups groups.
type aggInput struct {
	vals      []any
	groups    []uint32
	numGroups int
}

func aggDrawInput(rt *rapid.T, gt aggGenType) aggInput {
	n := rapid.IntRange(0, 120).Draw(rt, "rows")
	in := aggInput{numGroups: rapid.IntRange(1, 12).Draw(rt, "groups")}
	nullMode := rapid.IntRange(0, 2).Draw(rt, "nulls") // none, some, all
	for i := 0; i < n; i++ {
		in.groups = append(in.groups, uint32(rapid.IntRange(0, in.numGroups-1).Draw(rt, "g")))
		isNull := nullMode == 2 || (nullMode == 1 && rapid.IntRange(0, 3).Draw(rt, "null") == 0)
		if isNull {
			in.vals = append(in.vals, nil)
		} else {
			in.vals = append(in.vals, gt.gen.Draw(rt, "v"))
		}
	}
	return in
}

// aggCheckEquivalence checks the properties for one aggregate over input in,
// whose x column is x.
func aggCheckEquivalence(rt *rapid.T, mem memory.Allocator, agg *expr.AggFunc, s *arrow.Schema, gt aggGenType, in aggInput, x arrow.Array) {
	n := len(in.groups)

	// One accumulator over everything, in random batches.
	single := aggNew(rt, agg, s)
	defer single.Release()
	seenGroups := 0
	cuts := aggDrawCuts(rt, n, 5, "batch")
	for b := 0; b+1 < len(cuts); b++ {
		lo, hi := cuts[b], cuts[b+1]
		for _, g := range in.groups[lo:hi] {
			seenGroups = max(seenGroups, int(g)+1)
		}
		if b+2 == len(cuts) {
			seenGroups = in.numGroups
		}
		aggUpdateSlice(rt, agg, single, x, in.groups, lo, hi, seenGroups)
		if rapid.Bool().Draw(rt, "snapshot") {
			aggSnapshot(rt, mem, single)
		}
	}
	want := aggEvaluate(rt, mem, single)
	defer want.Release()

	// k partials with their own group numbering, merged in order.
	final := aggNew(rt, agg, s)
	defer final.Release()
	chunks := aggDrawCuts(rt, n, 4, "chunk")
	for c := 0; c+1 < len(chunks); c++ {
		aggPartialInto(rt, mem, agg, s, final, x, in, chunks[c], chunks[c+1])
	}
	if err := final.Merge(aggEmptyStates(rt, mem, agg, s), nil, in.numGroups); err != nil {
		rt.Fatalf("Merge of nothing: %v", err)
	}
	got := aggEvaluate(rt, mem, final)
	defer got.Release()
	aggAssertEqual(rt, agg.String()+": partial/final vs single", want, got)

	if gt.typ.ID() == arrow.INT64 {
		aggCheckModel(rt, agg, in, want)
	}
}

// aggDrawCuts returns 0 = c0 <= c1 <= ... <= cm = n, m in [1, maxParts].
func aggDrawCuts(rt *rapid.T, n, maxParts int, label string) []int {
	parts := rapid.IntRange(1, maxParts).Draw(rt, label+"s")
	cuts := []int{0}
	for i := 1; i < parts; i++ {
		cuts = append(cuts, rapid.IntRange(cuts[i-1], n).Draw(rt, label))
	}
	return append(cuts, n)
}

// aggPartialInto aggregates rows [lo, hi) in a partial accumulator that
// numbers groups densely in first-seen order, plus a few groups with no rows,
// and merges its state into final, possibly in two pieces.
func aggPartialInto(rt *rapid.T, mem memory.Allocator, agg *expr.AggFunc, s *arrow.Schema, final expr.GroupsAccumulator, x arrow.Array, in aggInput, lo, hi int) {
	local := map[uint32]uint32{}
	var globals []uint32 // local group -> global group
	lgroups := make([]uint32, len(in.groups))
	for i := lo; i < hi; i++ {
		g := in.groups[i]
		l, ok := local[g]
		if !ok {
			l = uint32(len(globals))
			local[g] = l
			globals = append(globals, g)
		}
		lgroups[i] = l
	}
	for e := rapid.IntRange(0, 2).Draw(rt, "empty groups"); e > 0; e-- {
		globals = append(globals, uint32(rapid.IntRange(0, in.numGroups-1).Draw(rt, "empty group")))
	}
	p := aggNew(rt, agg, s)
	defer p.Release()
	mid := rapid.IntRange(lo, hi).Draw(rt, "mid")
	aggUpdateSlice(rt, agg, p, x, lgroups, lo, mid, len(globals))
	aggSnapshot(rt, mem, p)
	aggUpdateSlice(rt, agg, p, x, lgroups, mid, hi, len(globals))

	st, err := p.State(mem)
	if err != nil {
		rt.Fatalf("State: %v", err)
	}
	defer aggReleaseAll(st)
	split := rapid.IntRange(0, len(globals)).Draw(rt, "state split")
	for _, r := range [][2]int{{0, split}, {split, len(globals)}} {
		part := make([]arrow.Array, len(st))
		for i, col := range st {
			part[i] = array.NewSlice(col, int64(r[0]), int64(r[1]))
		}
		err := final.Merge(part, globals[r[0]:r[1]], in.numGroups)
		aggReleaseAll(part)
		if err != nil {
			rt.Fatalf("Merge: %v", err)
		}
	}
}

func aggUpdateSlice(rt *rapid.T, agg *expr.AggFunc, acc expr.GroupsAccumulator, x arrow.Array, groups []uint32, lo, hi, numGroups int) {
	var values []arrow.Array
	if agg.Arg != nil {
		v := array.NewSlice(x, int64(lo), int64(hi))
		defer v.Release()
		values = []arrow.Array{v}
	}
	if err := acc.Update(values, groups[lo:hi], numGroups); err != nil {
		rt.Fatalf("Update: %v", err)
	}
}

// aggSnapshot takes and drops a State and an Evaluate, as the streaming
// engine does between batches.
func aggSnapshot(rt *rapid.T, mem memory.Allocator, acc expr.GroupsAccumulator) {
	st, err := acc.State(mem)
	if err != nil {
		rt.Fatalf("State: %v", err)
	}
	aggReleaseAll(st)
	aggEvaluate(rt, mem, acc).Release()
}

// aggEmptyStates returns zero-row state columns.
func aggEmptyStates(rt *rapid.T, mem memory.Allocator, agg *expr.AggFunc, s *arrow.Schema) []arrow.Array {
	acc := aggNew(rt, agg, s)
	defer acc.Release()
	st, err := acc.State(mem)
	if err != nil {
		rt.Fatalf("State: %v", err)
	}
	return aggReleaseLater(rt, st)
}

// aggReleaseLater releases arrs when the check ends.
func aggReleaseLater(rt *rapid.T, arrs []arrow.Array) []arrow.Array {
	rt.Cleanup(func() { aggReleaseAll(arrs) })
	return arrs
}

// aggBuildArray builds an array of type dt from Go values (nil for NULL),
// sliced at offset aggPad of a longer array.
func aggBuildArray(t aggT, mem memory.Allocator, dt arrow.DataType, vals []any) arrow.Array {
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	for i := 0; i < aggPad; i++ {
		b.AppendNull()
	}
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
			continue
		}
		switch b := b.(type) {
		case *array.Int64Builder:
			b.Append(v.(int64))
		case *array.Int32Builder:
			b.Append(v.(int32))
		case *array.Uint8Builder:
			b.Append(v.(uint8))
		case *array.Uint64Builder:
			b.Append(v.(uint64))
		case *array.Float64Builder:
			b.Append(v.(float64))
		case *array.Float32Builder:
			b.Append(v.(float32))
		case *array.StringBuilder:
			b.Append(v.(string))
		case *array.LargeStringBuilder:
			b.Append(v.(string))
		case *array.BooleanBuilder:
			b.Append(v.(bool))
		case *array.TimestampBuilder:
			b.Append(arrow.Timestamp(v.(int64)))
		case *array.Date32Builder:
			b.Append(arrow.Date32(v.(int32)))
		case *array.Decimal128Builder:
			b.Append(decimal128.FromI64(v.(int64)))
		default:
			t.Fatalf("no test builder for %s", dt)
		}
	}
	full := b.NewArray()
	defer full.Release()
	return array.NewSlice(full, aggPad, int64(full.Len()))
}

// aggCheckModel compares the result over int64 input with a naive model.
func aggCheckModel(rt *rapid.T, agg *expr.AggFunc, in aggInput, got arrow.Array) {
	type group struct {
		rows    int
		vals    []int64
		first   any
		last    any
		hasRows bool
	}
	gs := make([]group, in.numGroups)
	for i, g := range in.groups {
		gr := &gs[g]
		gr.rows++
		if !gr.hasRows {
			gr.first, gr.hasRows = in.vals[i], true
		}
		gr.last = in.vals[i]
		if in.vals[i] != nil {
			gr.vals = append(gr.vals, in.vals[i].(int64))
		}
	}
	for g, gr := range gs {
		var want any
		switch {
		case agg.Kind == expr.AggCount && agg.Arg == nil:
			want = int64(gr.rows)
		case agg.Kind == expr.AggCount && agg.Distinct:
			set := map[int64]bool{}
			for _, v := range gr.vals {
				set[v] = true
			}
			want = int64(len(set))
		case agg.Kind == expr.AggCount:
			want = int64(len(gr.vals))
		case agg.Kind == expr.AggFirst:
			want = gr.first
		case agg.Kind == expr.AggLast:
			want = gr.last
		case len(gr.vals) == 0:
			want = nil
		case agg.Kind == expr.AggSum:
			var sum int64
			for _, v := range gr.vals {
				sum += v
			}
			want = sum
		case agg.Kind == expr.AggAvg:
			var sum float64
			for _, v := range gr.vals {
				sum += float64(v)
			}
			want = sum / float64(len(gr.vals))
		case agg.Kind == expr.AggMin:
			want = gr.vals[0]
			for _, v := range gr.vals {
				want = min(want.(int64), v)
			}
		case agg.Kind == expr.AggMax:
			want = gr.vals[0]
			for _, v := range gr.vals {
				want = max(want.(int64), v)
			}
		}
		if have := got.GetOneForMarshal(g); fmt.Sprint(have) != fmt.Sprint(want) {
			rt.Fatalf("%s, group %d: got %v, model says %v", agg, g, have, want)
		}
	}
}
