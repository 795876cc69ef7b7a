package exec

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
)

// The aggregation tests run over rows of (k int64, s string, v int64,
// f float64), any of which may be NULL.
var htAggSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

// htAgg is one aggregate of a test: the expression, and how the reference
// computes it over one group's values of column col (-1 for count(*)).
type htAgg struct {
	e   expr.Expr
	col int
}

// htAllAggs is every aggregate kind over v, plus float and string ones.
func htAllAggs() []htAgg {
	v, f, s := expr.Col("v"), expr.Col("f"), expr.Col("s")
	return []htAgg{
		{expr.As(expr.CountStar(), "n"), -1},
		{expr.Count(v), 2},
		{expr.CountDistinct(v), 2},
		{expr.Sum(v), 2},
		{expr.Min(v), 2},
		{expr.Max(v), 2},
		{expr.Avg(v), 2},
		{expr.First(v), 2},
		{expr.Last(v), 2},
		{expr.Sum(f), 3},
		{expr.Max(f), 3},
		{expr.Min(s), 1},
		{expr.Max(s), 1},
		{expr.CountDistinct(s), 1},
	}
}

func htAggExprs(aggs []htAgg) []expr.Expr {
	out := make([]expr.Expr, len(aggs))
	for i, a := range aggs {
		out[i] = a.e
	}
	return out
}

// htReferenceAggregate computes the aggregation row at a time.
func htReferenceAggregate(rows [][]any, groupCols []int, aggs []htAgg) []string {
	type group struct {
		key  []any
		rows [][]any
	}
	var order []string
	groups := map[string]*group{}
	for _, r := range rows {
		key := make([]any, len(groupCols))
		for i, c := range groupCols {
			key[i] = r[c]
		}
		ks := fmt.Sprint(key...) + fmt.Sprintf("%#v", key)
		g, ok := groups[ks]
		if !ok {
			g = &group{key: key}
			groups[ks] = g
			order = append(order, ks)
		}
		g.rows = append(g.rows, r)
	}
	if len(groupCols) == 0 && len(groups) == 0 {
		groups[""] = &group{}
		order = append(order, "")
	}
	var out []string
	for _, ks := range order {
		g := groups[ks]
		parts := []string{}
		for _, k := range g.key {
			parts = append(parts, htFormat(k))
		}
		for _, a := range aggs {
			parts = append(parts, htFormat(htReferenceValue(expr.Unalias(a.e).(*expr.AggFunc), a.col, g.rows)))
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out
}

// htReferenceValue computes one aggregate over a group's rows.
func htReferenceValue(fn *expr.AggFunc, col int, rows [][]any) any {
	if col < 0 {
		return int64(len(rows))
	}
	var vals []any
	for _, r := range rows {
		vals = append(vals, r[col])
	}
	var nonNull []any
	for _, v := range vals {
		if v != nil {
			nonNull = append(nonNull, v)
		}
	}
	switch fn.Kind {
	case expr.AggCount:
		if fn.Distinct {
			seen := map[any]bool{}
			for _, v := range nonNull {
				seen[v] = true
			}
			return int64(len(seen))
		}
		return int64(len(nonNull))
	case expr.AggFirst:
		if len(vals) == 0 {
			return nil
		}
		return vals[0]
	case expr.AggLast:
		if len(vals) == 0 {
			return nil
		}
		return vals[len(vals)-1]
	}
	if len(nonNull) == 0 {
		return nil
	}
	switch fn.Kind {
	case expr.AggSum, expr.AggAvg:
		var si int64
		var sf float64
		for _, v := range nonNull {
			switch x := v.(type) {
			case int64:
				si += x
				sf += float64(x)
			case float64:
				sf += x
			}
		}
		if fn.Kind == expr.AggAvg {
			return sf / float64(len(nonNull))
		}
		if _, ok := nonNull[0].(int64); ok {
			return si
		}
		return sf
	case expr.AggMin, expr.AggMax:
		best := nonNull[0]
		for _, v := range nonNull[1:] {
			if htLess(v, best) == (fn.Kind == expr.AggMin) {
				best = v
			}
		}
		return best
	}
	panic("unknown aggregate " + fn.String())
}

func htLess(a, b any) bool {
	switch x := a.(type) {
	case int64:
		return x < b.(int64)
	case float64:
		return x < b.(float64)
	case string:
		return x < b.(string)
	}
	panic(fmt.Sprintf("htLess %T", a))
}

// htRandomAggRows returns n random rows of htAggSchema with small key
// domains, duplicates and NULLs everywhere.
func htRandomAggRows(rng *rand.Rand, n int) [][]any {
	words := []string{"a", "b", "apple", "banana", "", "a much longer word than sixteen bytes"}
	rows := make([][]any, n)
	for i := range rows {
		r := []any{int64(rng.Intn(7) - 3), words[rng.Intn(len(words))], int64(rng.Intn(200) - 100), float64(rng.Intn(1000)) / 8}
		for c := range r {
			if rng.Intn(8) == 0 {
				r[c] = nil
			}
		}
		rows[i] = r
	}
	return rows
}

var htGroupings = []struct {
	name string
	cols []int
}{
	{"none", nil},
	{"int64", []int{0}},
	{"string", []int{1}},
	{"int64+string", []int{0, 1}},
}

func htGroupExprs(cols []int) []expr.Expr {
	var out []expr.Expr
	for _, c := range cols {
		out = append(out, expr.Col(htAggSchema.Field(c).Name))
	}
	return out
}

func TestHashAggregateKnown(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rows := [][]any{
		{int64(1), "a", int64(10), 1.5},
		{int64(2), "b", nil, 2.5},
		{int64(1), "a", int64(5), nil},
		{nil, "b", int64(7), 0.5},
		{int64(2), nil, int64(3), 1.0},
		{nil, nil, nil, nil},
		{int64(1), "b", int64(1), 2.0},
	}
	src := htSourceOf(t, mem, htAggSchema, rows, 3)
	defer src.release()
	v := expr.Col("v")
	aggs := []expr.Expr{expr.CountStar(), expr.Count(v), expr.Sum(v), expr.Min(v), expr.Max(v), expr.Avg(v), expr.First(v), expr.Last(v), expr.CountDistinct(v)}
	op, err := NewHashAggregateOp(src, []expr.Expr{expr.Col("k")}, aggs, AggregateSingle)
	if err != nil {
		t.Fatal(err)
	}
	got := htRun(t, op, NewTaskContext(mem))
	htEqual(t, got, []string{
		"1|3|3|16|1|10|5.33333333|10|1|3",
		"2|2|1|3|3|3|3|NULL|3|1",
		"NULL|2|1|7|7|7|7|7|NULL|1",
	})
}

func TestHashAggregateRandom(t *testing.T) {
	for seed := int64(1); seed <= 6; seed++ {
		rng := rand.New(rand.NewSource(seed))
		rows := htRandomAggRows(rng, rng.Intn(3000))
		per := 1 + rng.Intn(700)
		for _, g := range htGroupings {
			t.Run(fmt.Sprintf("seed%d/%s", seed, g.name), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				src := htSourceOf(t, mem, htAggSchema, rows, per)
				defer src.release()
				aggs := htAllAggs()
				op, err := NewHashAggregateOp(src, htGroupExprs(g.cols), htAggExprs(aggs), AggregateSingle)
				if err != nil {
					t.Fatal(err)
				}
				tc := NewTaskContext(mem)
				tc.BatchSize = 1 + rng.Intn(10) // many output records
				htEqual(t, htRun(t, op, tc), htReferenceAggregate(rows, g.cols, aggs))
			})
		}
	}
}

func TestHashAggregateEmptyInput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	aggs := htAllAggs()
	for _, g := range htGroupings {
		t.Run(g.name, func(t *testing.T) {
			for _, mode := range []AggregateMode{AggregateSingle, AggregatePartial} {
				// No records at all, and one record with no rows.
				empty := &htSource{schema: htAggSchema, recs: []arrow.RecordBatch{htRecord(t, mem, htAggSchema, nil)}}
				defer empty.release()
				for _, src := range []*htSource{{schema: htAggSchema}, empty} {
					op, err := NewHashAggregateOp(src, htGroupExprs(g.cols), htAggExprs(aggs), mode)
					if err != nil {
						t.Fatal(err)
					}
					got := htRun(t, op, NewTaskContext(mem))
					if len(g.cols) > 0 {
						htEqual(t, got, nil)
						continue
					}
					if len(got) != 1 {
						t.Fatalf("%s: %d rows, want 1", mode, len(got))
					}
					if mode == AggregateSingle {
						htEqual(t, got, htReferenceAggregate(nil, nil, aggs))
					}
				}
			}
		})
	}
}

func TestHashAggregatePartialFinal(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		rng := rand.New(rand.NewSource(seed))
		rows := htRandomAggRows(rng, rng.Intn(2000))
		for _, g := range htGroupings {
			t.Run(fmt.Sprintf("seed%d/%s", seed, g.name), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				tc := NewTaskContext(mem)
				tc.BatchSize = 1 + rng.Intn(50)
				groupBy, aggs := htGroupExprs(g.cols), htAggExprs(htAllAggs())

				// Partial over each of k slices of the input, in order.
				k := 1 + rng.Intn(4)
				var partials []arrow.RecordBatch
				var partialSchema *arrow.Schema
				for i := 0; i < k; i++ {
					part := rows[i*len(rows)/k : (i+1)*len(rows)/k]
					src := htSourceOf(t, mem, htAggSchema, part, 1+rng.Intn(300))
					op, err := NewHashAggregateOp(src, groupBy, aggs, AggregatePartial)
					if err != nil {
						t.Fatal(err)
					}
					partialSchema = op.Schema()
					recs, err := Run(context.Background(), op, tc)
					src.release()
					if err != nil {
						t.Fatal(err)
					}
					partials = append(partials, recs...)
				}
				final, err := NewHashAggregateOp(&htSource{schema: partialSchema, recs: partials}, groupBy, aggs, AggregateFinal)
				if err != nil {
					t.Fatal(err)
				}
				defer batch.Release(partials)
				all := htSourceOf(t, mem, htAggSchema, rows, 500)
				defer all.release()
				single, err := NewHashAggregateOp(all, groupBy, aggs, AggregateSingle)
				if err != nil {
					t.Fatal(err)
				}
				if err := sameTypes(final.Schema(), single.Schema()); err != nil {
					t.Fatalf("final and single schemas differ: %v", err)
				}
				htEqual(t, htRun(t, final, tc), htRun(t, single, tc))
			})
		}
	}
}

func TestHashAggregateFinalNeedsPartialInput(t *testing.T) {
	src := &htSource{schema: htAggSchema}
	if _, err := NewHashAggregateOp(src, []expr.Expr{expr.Col("k")}, []expr.Expr{expr.CountStar()}, AggregateFinal); err == nil {
		t.Fatal("final over raw rows: want an error")
	}
}

func TestHashAggregateFromPlan(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rows := [][]any{{int64(1), "x", int64(2), 0.5}, {int64(1), "y", int64(3), nil}, {int64(2), "x", nil, 1.0}}
	src := htSourceOf(t, mem, htAggSchema, rows, 2)
	defer src.release()
	n, err := plan.NewAggregate(&htNode{schema: htAggSchema}, []expr.Expr{expr.Col("s")},
		[]expr.Expr{expr.As(expr.CountStar(), "n"), expr.As(expr.Sum(expr.Col("v")), "total")})
	if err != nil {
		t.Fatal(err)
	}
	op, err := newHashAggregate(src, n)
	if err != nil {
		t.Fatal(err)
	}
	if !op.Schema().Equal(n.Schema()) {
		t.Fatalf("schema %s, plan says %s", op.Schema(), n.Schema())
	}
	if got, want := op.String(), "HashAggregate [s] [count(*) AS n, sum(v) AS total]"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	htEqual(t, htRun(t, op, NewTaskContext(mem)), []string{`"x"|2|2`, `"y"|1|3`})
}

func TestHashAggregateReader(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rows := htRandomAggRows(rand.New(rand.NewSource(9)), 500)
	src := htSourceOf(t, mem, htAggSchema, rows, 100)
	defer src.release()
	op, err := NewHashAggregateOp(src, []expr.Expr{expr.Col("k"), expr.Col("s")}, []expr.Expr{expr.CountStar()}, AggregateSingle)
	if err != nil {
		t.Fatal(err)
	}
	tc := NewTaskContext(mem)
	tc.BatchSize = 4
	ctx := context.Background()

	// Closing after one record releases everything.
	r, err := op.Execute(ctx, tc)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := r.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(ctx); err == nil || err == io.EOF {
		t.Fatalf("Next after Close = %v, want an error", err)
	}

	// Closing before the first Next does nothing but close the input.
	r, err = op.Execute(ctx, tc)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	// A cancelled context stops the read.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	r, err = op.Execute(ctx, tc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(cctx); err == nil {
		t.Fatal("Next with a cancelled context: want an error")
	}
	r.Close()
}

func TestHashAggregateExpressionKeys(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rows := [][]any{{int64(1), "a", int64(1), nil}, {int64(2), "b", int64(2), nil}, {int64(3), "a", int64(3), nil}, {nil, "c", int64(4), nil}}
	src := htSourceOf(t, mem, htAggSchema, rows, 3)
	defer src.release()
	parity := expr.As(expr.Mod(expr.Col("k"), expr.Lit(int64(2))), "parity")
	op, err := NewHashAggregateOp(src, []expr.Expr{parity}, []expr.Expr{expr.As(expr.Sum(expr.Col("v")), "total")}, AggregateSingle)
	if err != nil {
		t.Fatal(err)
	}
	if got := op.Schema().Field(0).Name; got != "parity" {
		t.Errorf("key column named %q, want parity", got)
	}
	htEqual(t, htRun(t, op, NewTaskContext(mem)), []string{"0|2", "1|4", "NULL|4"})
}

func TestHashAggregateExplainLine(t *testing.T) {
	src := &htSource{schema: htAggSchema}
	for mode, want := range map[AggregateMode]string{
		AggregateSingle:  "HashAggregate [k] [count(*), sum(v) AS total]",
		AggregatePartial: "HashAggregate(partial) [k] [count(*), sum(v) AS total]",
	} {
		op, err := NewHashAggregateOp(src, []expr.Expr{expr.Col("k")}, []expr.Expr{expr.CountStar(), expr.As(expr.Sum(expr.Col("v")), "total")}, mode)
		if err != nil {
			t.Fatal(err)
		}
		if got := op.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
	if got := AggregateMode(7).String(); got != "AggregateMode(7)" {
		t.Errorf("unknown mode prints %q", got)
	}
}
