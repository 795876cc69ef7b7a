package exec

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/expr"
)

// randomEvents builds a record of eventSchema with n rows, about nullPct %
// of id, kind and amount NULL, and returns rows [skip, n) of it, so every
// column has an array offset of skip.
func randomEvents(r *rand.Rand, mem memory.Allocator, n, skip, nullPct int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, eventSchema)
	defer b.Release()
	null := func() bool { return r.IntN(100) < nullPct }
	for i := range n {
		appendOrNull(b.Field(0), null(), func() { b.Field(0).(*array.Int64Builder).Append(int64(i)) })
		b.Field(1).(*array.Int64Builder).Append(r.Int64N(100))
		appendOrNull(b.Field(2), null(), func() { b.Field(2).(*array.StringBuilder).Append([]string{"a", "b", "aa", ""}[r.IntN(4)]) })
		appendOrNull(b.Field(3), null(), func() { b.Field(3).(*array.Float64Builder).Append(float64(r.IntN(1000)) / 10) })
		b.Field(4).(*array.TimestampBuilder).Append(arrow.Timestamp(i))
		b.Field(5).(*array.BooleanBuilder).Append(r.IntN(2) == 0)
	}
	full := b.NewRecordBatch()
	defer full.Release()
	return full.NewSlice(int64(skip), int64(n))
}

func appendOrNull(b array.Builder, null bool, add func()) {
	if null {
		b.AppendNull()
		return
	}
	add()
}

// wantFilterProject is the filter query over recs, row by row in Go.
func wantFilterProject(recs []arrow.RecordBatch) []string {
	var out []string
	for _, rec := range recs {
		ids, users := rec.Column(0).(*array.Int64), rec.Column(1).(*array.Int64)
		kinds, amounts := rec.Column(2).(*array.String), rec.Column(3).(*array.Float64)
		for i := range int(rec.NumRows()) {
			if amounts.IsNull(i) || kinds.IsNull(i) || amounts.Value(i) <= 50 || kinds.Value(i) != "a" {
				continue
			}
			out = append(out, ids.ValueStr(i)+","+users.ValueStr(i)+","+strconv.FormatFloat(amounts.Value(i)*1.1, 'g', -1, 64))
		}
	}
	return out
}

// gotFilterProject renders the query's output as wantFilterProject does.
func gotFilterProject(recs []arrow.RecordBatch) []string {
	var out []string
	for _, rec := range recs {
		ids, users, gross := rec.Column(0).(*array.Int64), rec.Column(1).(*array.Int64), rec.Column(2).(*array.Float64)
		for i := range int(rec.NumRows()) {
			out = append(out, ids.ValueStr(i)+","+users.ValueStr(i)+","+strconv.FormatFloat(gross.Value(i), 'g', -1, 64))
		}
	}
	return out
}

// TestFilterProjectMatchesRowByRow runs the side-by-side filter query, planned
// as the DataFrame API plans it, over records with NULLs and array offsets,
// and holds it to a row-by-row evaluation in Go.
func TestFilterProjectMatchesRowByRow(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, nullPct := range []int{0, 20} {
		mem := checkedMem(t)
		var recs []arrow.RecordBatch
		for i, n := range []int{1000, 9, 64, 777} {
			rec := randomEvents(r, mem, n, i*3, nullPct)
			t.Cleanup(rec.Release)
			recs = append(recs, rec)
		}
		op, err := filterProjectPlan(newTestTable(t, "events", eventSchema, recs...))
		if err != nil {
			t.Fatal(err)
		}
		// The plan BenchmarkFilterProject measures: both conjuncts in the
		// scan, which outputs only what the projection reads.
		if got, want := Explain(op), "Project [id, user, (amount * 1.1) AS gross]\n"+
			"  Scan events [id, user, amount] filters=[(amount > 50), (kind = \"a\")]\n"; got != want {
			t.Fatalf("plan:\n%s\nwant:\n%s", got, want)
		}
		got, want := gotFilterProject(mustRun(t, op, mem, 0)), wantFilterProject(recs)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Fatalf("nulls %d%%: got %d rows, want %d:\n got  %q\n want %q", nullPct, len(got), len(want), got, want)
		}
	}
}

// TestFilterAndMatchesConjuncts filters by the AND itself (the Filter
// operator, no push-down), so AND's three-valued logic decides the rows.
func TestFilterAndMatchesConjuncts(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	mem := checkedMem(t)
	rec := randomEvents(r, mem, 2000, 5, 20)
	t.Cleanup(rec.Release)
	cond := expr.And(expr.Gt(expr.Col("amount"), expr.Lit(50.0)), expr.Eq(expr.Col("kind"), expr.Lit("a")))
	f, err := newFilter(newSource(t, eventSchema, rec), cond)
	if err != nil {
		t.Fatal(err)
	}
	p, err := newProject(f, []expr.Expr{expr.Col("id"), expr.Col("user"), expr.As(expr.Mul(expr.Col("amount"), expr.Lit(1.1)), "gross")},
		schemaOf("id", arrow.PrimitiveTypes.Int64, "user", arrow.PrimitiveTypes.Int64, "gross", arrow.PrimitiveTypes.Float64))
	if err != nil {
		t.Fatal(err)
	}
	got, want := gotFilterProject(mustRun(t, p, mem, 0)), wantFilterProject([]arrow.RecordBatch{rec})
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("got %d rows, want %d:\n got  %q\n want %q", len(got), len(want), got, want)
	}
}

// nullWatch is a fallible condition (a > 2) that fails if it is shown a row
// whose a is NULL: the proof that it sees only the rows earlier conjuncts
// kept.
type nullWatch struct{ cmpExpr }

var errSawNull = errors.New("condition shown a row an earlier conjunct dropped")

func (w *nullWatch) Eval(ctx *expr.Context, rec arrow.RecordBatch) (arrow.Array, error) {
	col, err := expr.Col(w.col).Eval(ctx, rec)
	if err != nil {
		return nil, err
	}
	defer col.Release()
	if col.NullN() > 0 {
		return nil, errSawNull
	}
	return w.cmpExpr.Eval(ctx, rec)
}

func TestFallibleConjunctSeesOnlyKeptRows(t *testing.T) {
	mem := checkedMem(t)
	full := recordOf(t, mem, filterSchema, `[
		{"a": 1, "keep": true}, {"a": null, "keep": true}, {"a": 3, "keep": false},
		{"a": 4, "keep": true}, {"a": null, "keep": null}, {"a": 6, "keep": true}]`)
	table := newTestTable(t, "t", filterSchema, full, sliceOf(t, full, 1, 6))
	watch := &nullWatch{cmpExpr{fn: "greater", col: "a", v: 2}}
	if expr.Infallible(watch) {
		t.Fatal("the watch must be fallible for this test to mean anything")
	}
	for _, filters := range [][]expr.Expr{
		{expr.IsNotNull(expr.Col("a")), watch},
		{expr.Col("keep"), expr.IsNotNull(expr.Col("a")), watch},
	} {
		op, err := newScan(table, []string{"a"}, filters, schemaOf("a", arrow.PrimitiveTypes.Int64))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := runOp(t, op, mem, 0)
		if err != nil {
			t.Fatalf("filters %v: %v", filters, err)
		}
		want := []string{"3", "4", "6", "3", "4", "6"}
		if filters[0].String() == "keep" {
			want = []string{"4", "6", "4", "6"}
		}
		wantRows(t, recs, want...)
		releaseRecords(recs)
	}
}

func releaseRecords(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}

// TestSelectionAnd narrows a selection by random masks of many lengths, at
// every bit offset within a byte, with and without NULLs, and checks the
// rows kept against the mask read bit by bit.
func TestSelectionAnd(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	mem := checkedMem(t)
	var sel selection
	for _, n := range []int{0, 1, 7, 8, 63, 64, 65, 127, 128, 129, 191, 1000} {
		for off := range 9 {
			for _, nullPct := range []int{0, 30} {
				b := array.NewBooleanBuilder(mem)
				for range n + off {
					appendOrNull(b, r.IntN(100) < nullPct, func() { b.Append(r.IntN(2) == 0) })
				}
				full := b.NewArray()
				b.Release()
				mask := array.NewSlice(full, int64(off), int64(n+off)).(*array.Boolean)
				full.Release()
				var want []int32
				for i := range n {
					if mask.IsValid(i) && mask.Value(i) {
						want = append(want, int32(i))
					}
				}
				sel.reset(n)
				if err := sel.andMask(mask); err != nil {
					t.Fatal(err)
				}
				if got := sel.indices(); sel.count() != len(want) || !slices.Equal(got, want) {
					t.Fatalf("n %d offset %d nulls %d%%: kept %v (count %d), want %v", n, off, nullPct, got, sel.count(), want)
				}
				mask.Release()
			}
		}
	}
}
