package exec

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

var filterSchema = schemaOf("a", arrow.PrimitiveTypes.Int64, "keep", arrow.FixedWidthTypes.Boolean)

const filterRows = `[
	{"a": 1, "keep": true}, {"a": 2, "keep": false}, {"a": null, "keep": null},
	{"a": 4, "keep": true}, {"a": 5, "keep": null}, {"a": 6, "keep": true}]`

func TestFilter(t *testing.T) {
	for _, tt := range []struct {
		name  string
		cond  expr.Expr
		want  []string
		sizes []int64
	}{
		{"column, NULL dropped", expr.Col("keep"), []string{"1,true", "4,true", "6,true", "1,true", "4,true", "6,true"}, []int64{1, 2, 3}},
		{"expression, NULL dropped", gt("a", 3), []string{"4,true", "5,(null)", "6,true", "4,true", "5,(null)", "6,true"}, []int64{3, 3}},
		{"true", expr.Lit(true), nil, []int64{2, 1, 3, 6}},
		{"false", expr.Lit(false), nil, nil},
		{"NULL", expr.Lit(nil), nil, nil},
		{"typed NULL", expr.Null(arrow.FixedWidthTypes.Boolean), nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedMem(t)
			rec := recordOf(t, mem, filterSchema, filterRows)
			empty := recordOf(t, mem, filterSchema, `[]`)
			// Sliced inputs: the mask then has an offset too.
			src := newSource(t, filterSchema, sliceOf(t, rec, 0, 2), empty, sliceOf(t, rec, 1, 2), sliceOf(t, rec, 3, 6), rec)
			op, err := newFilter(src, tt.cond)
			if err != nil {
				t.Fatal(err)
			}
			recs := mustRun(t, op, mem, 0)
			if tt.want != nil {
				wantRows(t, recs, tt.want...)
			}
			got := sizesOf(recs)
			if len(got) != len(tt.sizes) {
				t.Fatalf("record sizes %v, want %v", got, tt.sizes)
			}
			for i := range got {
				if got[i] != tt.sizes[i] {
					t.Fatalf("record sizes %v, want %v", got, tt.sizes)
				}
			}
			src.assertClosed(t)
		})
	}
}

func TestFilterKeepsAllWithoutCopy(t *testing.T) {
	mem := checkedMem(t)
	rec := recordOf(t, mem, filterSchema, `[{"a": 1, "keep": true}, {"a": 2, "keep": true}]`)
	src := newSource(t, filterSchema, rec)
	op, err := newFilter(src, expr.Col("keep"))
	if err != nil {
		t.Fatal(err)
	}
	recs := mustRun(t, op, mem, 0)
	if len(recs) != 1 || recs[0].Column(0) != rec.Column(0) {
		t.Fatal("a record whose rows all pass was copied")
	}
}

func TestFilterErrors(t *testing.T) {
	mem := checkedMem(t)
	src := newSource(t, filterSchema, recordOf(t, mem, filterSchema, filterRows))
	if _, err := newFilter(src, expr.Col("a")); err == nil {
		t.Error("int64 condition accepted")
	}
	if _, err := newFilter(src, expr.Col("zz")); err == nil {
		t.Error("unknown column accepted")
	}
	op, err := newFilter(src, failExpr{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runOp(t, op, mem, 0); !errors.Is(err, errEval) {
		t.Errorf("got %v, want the condition's error", err)
	}
	src.assertClosed(t)
}
