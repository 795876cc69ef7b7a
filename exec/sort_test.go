package exec

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
)

var sortSchema = schemaOf("a", arrow.PrimitiveTypes.Int64, "b", arrow.BinaryTypes.String)

func asc(e expr.Expr) plan.SortKey  { return plan.SortKey{Expr: e} }
func desc(e expr.Expr) plan.SortKey { return plan.SortKey{Expr: e, Desc: true} }

func TestSort(t *testing.T) {
	for _, tt := range []struct {
		name string
		keys []plan.SortKey
		want []string
	}{
		{"asc, NULLs first, stable", []plan.SortKey{asc(expr.Col("a"))},
			[]string{"(null),q", "(null),t", "1,r", "1,s", "2,p", "2,(null)"}},
		{"desc, NULLs last, stable", []plan.SortKey{desc(expr.Col("a"))},
			[]string{"2,p", "2,(null)", "1,r", "1,s", "(null),q", "(null),t"}},
		{"two keys", []plan.SortKey{asc(expr.Col("a")), desc(expr.Col("b"))},
			[]string{"(null),t", "(null),q", "1,s", "1,r", "2,p", "2,(null)"}},
		{"strings", []plan.SortKey{asc(expr.Col("b"))},
			[]string{"2,(null)", "2,p", "(null),q", "1,r", "1,s", "(null),t"}},
		{"NULL key keeps input order", []plan.SortKey{asc(expr.Null(arrow.Null))},
			[]string{"2,p", "(null),q", "1,r", "2,(null)", "1,s", "(null),t"}},
		{"constant then column", []plan.SortKey{desc(expr.Lit(int64(1))), asc(expr.As(expr.Col("b"), "x"))},
			[]string{"2,(null)", "2,p", "(null),q", "1,r", "1,s", "(null),t"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedMem(t)
			r1 := recordOf(t, mem, sortSchema, `[{"a": 2, "b": "p"}, {"a": null, "b": "q"}, {"a": 1, "b": "r"}, {"a": 9, "b": "cut"}]`)
			r2 := recordOf(t, mem, sortSchema, `[{"a": 2, "b": null}, {"a": 1, "b": "s"}, {"a": null, "b": "t"}]`)
			src := newSource(t, sortSchema, sliceOf(t, r1, 0, 3), recordOf(t, mem, sortSchema, `[]`), r2)
			op, err := newSort(src, tt.keys)
			if err != nil {
				t.Fatal(err)
			}
			recs := mustRun(t, op, mem, 4)
			wantRows(t, recs, tt.want...)
			if got := sizesOf(recs); len(got) != 2 || got[0] != 4 || got[1] != 2 {
				t.Errorf("record sizes %v, want [4 2]", got)
			}
			src.assertClosed(t)
		})
	}
}

// Spark orders NaN above every other value.
func TestSortNaN(t *testing.T) {
	mem := checkedMem(t)
	s := schemaOf("id", arrow.PrimitiveTypes.Int64, "f", arrow.PrimitiveTypes.Float64)
	rec := floatRecord(mem, s, []float64{1, math.NaN(), 0, -1, math.Inf(1), math.NaN()}, 2)
	t.Cleanup(rec.Release)
	src := newSource(t, s, rec)
	for _, tt := range []struct {
		key  plan.SortKey
		want []string
	}{
		{asc(expr.Col("f")), []string{"2,(null)", "3,-1", "0,1", "4,+Inf", "1,NaN", "5,NaN"}},
		{desc(expr.Col("f")), []string{"1,NaN", "5,NaN", "4,+Inf", "0,1", "3,-1", "2,(null)"}},
	} {
		op, err := newSort(src, []plan.SortKey{tt.key})
		if err != nil {
			t.Fatal(err)
		}
		wantRows(t, mustRun(t, op, mem, 0), tt.want...)
	}
	src.assertClosed(t)
}

// floatRecord builds (id, f) rows with ids 0.. and f NULL at row null.
func floatRecord(mem memory.Allocator, s *arrow.Schema, fs []float64, null int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	for i, f := range fs {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if i == null {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.Float64Builder).Append(f)
		}
	}
	return b.NewRecordBatch()
}

func TestSortEmptyInput(t *testing.T) {
	mem := checkedMem(t)
	src := newSource(t, sortSchema, recordOf(t, mem, sortSchema, `[]`))
	op, err := newSort(src, []plan.SortKey{asc(expr.Col("a"))})
	if err != nil {
		t.Fatal(err)
	}
	if recs := mustRun(t, op, mem, 0); len(recs) != 0 {
		t.Errorf("%d records from empty input", len(recs))
	}
}

// The input is consumed and closed by the first Next, before the reader is.
func TestSortClosesInputEarly(t *testing.T) {
	mem := checkedMem(t)
	src := newSource(t, sortSchema, recordOf(t, mem, sortSchema, `[{"a": 2, "b": "p"}, {"a": 1, "b": "q"}]`))
	op, err := newSort(src, []plan.SortKey{asc(expr.Col("a"))})
	if err != nil {
		t.Fatal(err)
	}
	tc := NewTaskContext(mem)
	tc.BatchSize = 1
	r, err := op.Execute(context.Background(), tc)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := r.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	src.assertClosed(t)
	if err := r.Close(); err != nil { // with one sorted row still buffered
		t.Fatal(err)
	}
}

func TestSortErrors(t *testing.T) {
	mem := checkedMem(t)
	src := newSource(t, listSchema, recordOf(t, mem, listSchema, listRows))
	if _, err := newSort(src, nil); err == nil {
		t.Error("no keys accepted")
	}
	if _, err := newSort(src, []plan.SortKey{asc(expr.Col("l"))}); err == nil {
		t.Error("list key accepted")
	}
	if _, err := newSort(src, []plan.SortKey{asc(expr.Col("zz"))}); err == nil {
		t.Error("unknown column accepted")
	}
	op, err := newSort(src, []plan.SortKey{asc(failExpr{})})
	if err != nil {
		t.Fatal(err)
	}
	r, err := op.Execute(context.Background(), NewTaskContext(mem))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the error sticks
		if _, err := r.Next(context.Background()); !errors.Is(err, errEval) {
			t.Errorf("got %v, want the key's evaluation error", err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	src.assertClosed(t)
}

func TestSortString(t *testing.T) {
	op, err := newSort(newSource(t, sortSchema), []plan.SortKey{asc(expr.Col("a")), desc(expr.Col("b"))})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := op.String(), "Sort [a ASC NULLS FIRST, b DESC NULLS LAST]"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
