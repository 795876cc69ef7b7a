package exec

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

func TestProject(t *testing.T) {
	mem := checkedMem(t)
	in := schemaOf("a", arrow.PrimitiveTypes.Int64, "b", arrow.BinaryTypes.String)
	rec := recordOf(t, mem, in, `[{"a": 1, "b": "x"}, {"a": null, "b": "y"}, {"a": 3, "b": null}, {"a": 4, "b": "w"}]`)
	empty := recordOf(t, mem, in, `[]`)
	src := newSource(t, in, sliceOf(t, rec, 1, 3), empty, rec)

	exprs := []expr.Expr{expr.Col("b"), expr.As(expr.Col("a"), "k"), expr.As(expr.Lit(int64(7)), "seven"), expr.As(expr.Null(arrow.BinaryTypes.String), "n")}
	out := schemaOf("b", arrow.BinaryTypes.String, "k", arrow.PrimitiveTypes.Int64, "seven", arrow.PrimitiveTypes.Int64, "n", arrow.BinaryTypes.String)
	op, err := newProject(src, exprs, out)
	if err != nil {
		t.Fatal(err)
	}
	recs := mustRun(t, op, mem, 0)
	wantRows(t, recs,
		"y,(null),7,(null)", "(null),3,7,(null)",
		"x,1,7,(null)", "y,(null),7,(null)", "(null),3,7,(null)", "w,4,7,(null)")
	if got := sizesOf(recs); len(got) != 2 {
		t.Errorf("record sizes %v: an empty input record should be skipped", got)
	}
	for _, r := range recs {
		if !r.Schema().Equal(out) {
			t.Errorf("schema %s, want %s", r.Schema(), out)
		}
	}
	// A column reference shares the input's buffers.
	if got, want := recs[1].Column(0).Data().Buffers()[2], rec.Column(1).Data().Buffers()[2]; got != want {
		t.Error("column reference copied its input")
	}
	src.assertClosed(t)
}

func TestProjectErrors(t *testing.T) {
	mem := checkedMem(t)
	in := schemaOf("a", arrow.PrimitiveTypes.Int64)
	src := newSource(t, in, recordOf(t, mem, in, `[{"a": 1}]`))
	if _, err := newProject(src, []expr.Expr{expr.Col("a")}, schemaOf("a", arrow.BinaryTypes.String)); err == nil {
		t.Error("type mismatch accepted")
	}
	if _, err := newProject(src, []expr.Expr{expr.Col("zz")}, schemaOf("zz", arrow.BinaryTypes.String)); err == nil {
		t.Error("unknown column accepted")
	}
	if _, err := newProject(src, []expr.Expr{expr.Col("a")}, schemaOf()); err == nil {
		t.Error("arity mismatch accepted")
	}
	op, err := newProject(src, []expr.Expr{expr.Col("a"), failExpr{}}, schemaOf("a", arrow.PrimitiveTypes.Int64, "f", arrow.FixedWidthTypes.Boolean))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runOp(t, op, mem, 0); !errors.Is(err, errEval) {
		t.Errorf("got %v, want the expression's error", err)
	}
	src.assertClosed(t)
}
