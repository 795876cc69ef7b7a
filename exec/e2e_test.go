package exec

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
)

// End to end through plan.Optimize and Build, with the hash operators.

func TestWordCount(t *testing.T) {
	mem := checkedMem(t)
	must := nodeOf(t)
	s := schemaOf("line", arrow.BinaryTypes.String, "n", arrow.PrimitiveTypes.Int64)
	lines := newTestTable(t, "lines", s,
		recordOf(t, mem, s, `[{"line": "a b a", "n": 1}, {"line": "b c", "n": 2}, {"line": null, "n": 3}]`),
		recordOf(t, mem, s, `[{"line": "c c b", "n": 4}, {"line": "a", "n": null}]`))

	n := must(plan.NewExplode(plan.NewScan(lines), expr.Split(expr.Col("line"), " "), "word"))
	n = must(plan.NewFilter(n, expr.Gt(expr.Col("n"), expr.Lit(int64(1)))))
	n = must(plan.NewAggregate(n, []expr.Expr{expr.Col("word")}, []expr.Expr{expr.As(expr.CountStar(), "c")}))
	n = must(plan.NewSort(n, []plan.SortKey{{Expr: expr.Col("c"), Desc: true}, {Expr: expr.Col("word")}}))
	n = must(plan.NewLimit(n, 2))
	opt := must(plan.Optimize(n))
	op := mustBuild(t, opt)
	if !op.Schema().Equal(n.Schema()) {
		t.Errorf("schema %s, want %s", op.Schema(), n.Schema())
	}
	recs := mustRun(t, op, mem, 2)
	if got, want := rowsOf(recs), []string{"c,3", "b,2"}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("rows %q, want %q\nplan:\n%s", got, want, Explain(op))
	}
	// The optimiser pushed n > 1 into the scan, which outputs only line but
	// reads n too to test it.
	if got := lines.columns; len(got) != 2 || got[0] != "line" || got[1] != "n" {
		t.Errorf("scan read %q, want [line n]\nplan:\n%s", got, Explain(op))
	}
	lines.assertClosed(t)
}

func TestBuildJoin(t *testing.T) {
	mem := checkedMem(t)
	must := nodeOf(t)
	ls := schemaOf("k", arrow.PrimitiveTypes.Int64, "l", arrow.BinaryTypes.String)
	rs := schemaOf("k", arrow.PrimitiveTypes.Int64, "r", arrow.BinaryTypes.String)
	left := newTestTable(t, "left", ls, recordOf(t, mem, ls, `[{"k": 1, "l": "a"}, {"k": 2, "l": "b"}, {"k": null, "l": "c"}, {"k": 1, "l": "d"}]`))
	right := newTestTable(t, "right", rs, recordOf(t, mem, rs, `[{"k": 1, "r": "x"}, {"k": null, "r": "y"}, {"k": 3, "r": "z"}]`))

	n := must(plan.NewJoin(plan.NewScan(left), plan.NewScan(right), plan.InnerJoin,
		[]expr.Expr{expr.Col("k")}, []expr.Expr{expr.Col("k")}, nil))
	n = must(plan.NewSort(n, []plan.SortKey{{Expr: expr.Col("l")}}))
	op := mustBuild(t, must(plan.Optimize(n)))
	wantRows(t, mustRun(t, op, mem, 0), "1,a,1,x", "1,d,1,x")
	left.assertClosed(t)
	right.assertClosed(t)
}
