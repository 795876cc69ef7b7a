package expr_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/expr"
)

// Helpers shared by the aggregate tests. Every helper that fails calls
// Fatalf, so it works with *testing.T and *rapid.T alike.

type aggT interface {
	Fatalf(format string, args ...any)
}

// aggSchema is the input schema of the aggregate tests: one nullable column x.
func aggSchema(dt arrow.DataType) *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{{Name: "x", Type: dt, Nullable: true}}, nil)
}

// aggPad is how many leading rows aggFromJSON slices off, so the tests run
// over arrays with a non-zero offset.
const aggPad = 3

// aggFromJSON builds an array of type dt from a JSON array, as a slice at
// offset aggPad of a longer array.
func aggFromJSON(t aggT, mem memory.Allocator, dt arrow.DataType, js string) arrow.Array {
	body := strings.TrimSpace(js)
	body = strings.TrimPrefix(strings.TrimSuffix(body, "]"), "[")
	padded := "[" + strings.Repeat("null,", aggPad) + body + "]"
	if strings.TrimSpace(body) == "" {
		padded = "[" + strings.TrimSuffix(strings.Repeat("null,", aggPad), ",") + "]"
	}
	full, _, err := array.FromJSON(mem, dt, strings.NewReader(padded))
	if err != nil {
		t.Fatalf("from JSON %s as %s: %v", js, dt, err)
	}
	defer full.Release()
	return array.NewSlice(full, aggPad, int64(full.Len()))
}

// aggAssertEqual fails unless got equals want, NaNs equal and floats within
// the default tolerance.
func aggAssertEqual(t aggT, what string, want, got arrow.Array) {
	if !arrow.TypeEqual(want.DataType(), got.DataType()) {
		t.Fatalf("%s: type %s, want %s", what, got.DataType(), want.DataType())
	}
	if !array.ApproxEqual(want, got, array.WithNaNsEqual(true)) {
		t.Fatalf("%s:\n got %v\nwant %v", what, got, want)
	}
}

// aggBatch is one Update: the values of x (JSON; ignored for count(*)) and
// the group of every row.
type aggBatch struct {
	x string
	g []uint32
}

// aggCase is a table test of one aggregate.
type aggCase struct {
	name    string
	agg     *expr.AggFunc
	typ     arrow.DataType // x's type
	groups  int            // numGroups on every call
	batches []aggBatch
	want    string // the result, JSON
}

// aggCheck runs c three ways and compares each with c.want: one accumulator
// updated with every batch; one partial accumulator per batch whose states
// are merged, in batch order, into a final one; and the final one's state
// merged again into another (a second level of merging).
func aggCheck(t *testing.T, c aggCase) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := aggSchema(c.typ)

	outType, err := c.agg.Type(s)
	if err != nil {
		t.Fatalf("Type: %v", err)
	}
	want, _, err := array.FromJSON(mem, outType, strings.NewReader(c.want))
	if err != nil {
		t.Fatalf("want %s as %s: %v", c.want, outType, err)
	}
	defer want.Release()

	single := aggNew(t, c.agg, s)
	defer single.Release()
	final := aggNew(t, c.agg, s)
	defer final.Release()
	for i, b := range c.batches {
		aggUpdate(t, mem, c, single, b)
		partial := aggNew(t, c.agg, s)
		aggUpdate(t, mem, c, partial, b)
		aggMergeState(t, mem, c.agg, s, partial, final, aggIota(c.groups), c.groups)
		partial.Release()
		if i == 0 {
			// A snapshot between batches must not disturb the accumulator.
			aggEvaluate(t, mem, single).Release()
		}
	}
	got := aggEvaluate(t, mem, single)
	defer got.Release()
	aggAssertEqual(t, c.name+": single", want, got)
	again := aggEvaluate(t, mem, single)
	defer again.Release()
	aggAssertEqual(t, c.name+": Evaluate again", want, again)

	merged := aggEvaluate(t, mem, final)
	defer merged.Release()
	aggAssertEqual(t, c.name+": partial/final", want, merged)

	top := aggNew(t, c.agg, s)
	defer top.Release()
	aggMergeState(t, mem, c.agg, s, final, top, aggIota(c.groups), c.groups)
	twice := aggEvaluate(t, mem, top)
	defer twice.Release()
	aggAssertEqual(t, c.name+": merged twice", want, twice)
}

func aggNew(t aggT, agg *expr.AggFunc, s *arrow.Schema) expr.GroupsAccumulator {
	acc, err := agg.NewAccumulator(s)
	if err != nil {
		t.Fatalf("NewAccumulator(%s): %v", agg, err)
	}
	return acc
}

func aggUpdate(t aggT, mem memory.Allocator, c aggCase, acc expr.GroupsAccumulator, b aggBatch) {
	var values []arrow.Array
	if c.agg.Arg != nil {
		x := aggFromJSON(t, mem, c.typ, b.x)
		defer x.Release()
		values = []arrow.Array{x}
	}
	if err := acc.Update(values, b.g, c.groups); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// aggMergeState merges from's state into into, from's group i going to
// groups[i], after checking the state's types against StateTypes.
func aggMergeState(t aggT, mem memory.Allocator, agg *expr.AggFunc, s *arrow.Schema, from, into expr.GroupsAccumulator, groups []uint32, numGroups int) {
	st, err := from.State(mem)
	if err != nil {
		t.Fatalf("State: %v", err)
	}
	defer aggReleaseAll(st)
	types, err := agg.StateTypes(s)
	if err != nil {
		t.Fatalf("StateTypes: %v", err)
	}
	if len(st) != len(types) {
		t.Fatalf("State returned %d columns, StateTypes %d", len(st), len(types))
	}
	for i := range st {
		if !arrow.TypeEqual(st[i].DataType(), types[i]) {
			t.Fatalf("state column %d is %s, StateTypes says %s", i, st[i].DataType(), types[i])
		}
		if st[i].Len() != len(groups) {
			t.Fatalf("state column %d has %d rows, want %d", i, st[i].Len(), len(groups))
		}
	}
	if err := into.Merge(st, groups, numGroups); err != nil {
		t.Fatalf("Merge: %v", err)
	}
}

func aggEvaluate(t aggT, mem memory.Allocator, acc expr.GroupsAccumulator) arrow.Array {
	out, err := acc.Evaluate(mem)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return out
}

func aggReleaseAll(arrs []arrow.Array) {
	for _, a := range arrs {
		a.Release()
	}
}

// aggIota returns 0, 1, ..., n-1.
func aggIota(n int) []uint32 {
	g := make([]uint32, n)
	for i := range g {
		g[i] = uint32(i)
	}
	return g
}

// aggRunTable runs table tests as subtests.
func aggRunTable(t *testing.T, cases []aggCase) {
	for _, c := range cases {
		name := c.name
		if name == "" {
			name = fmt.Sprintf("%s/%s", c.agg, c.typ)
		}
		c.name = name
		t.Run(name, func(t *testing.T) { aggCheck(t, c) })
	}
}

// newAggMem returns the checked allocator every aggregate test runs with.
func newAggMem() *memory.CheckedAllocator {
	return memory.NewCheckedAllocator(memory.NewGoAllocator())
}
