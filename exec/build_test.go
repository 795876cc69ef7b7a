package exec

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
)

// nodeOf returns a function that passes a plan constructor's node through,
// failing t on its error.
func nodeOf(t *testing.T) func(plan.Node, error) plan.Node {
	return func(n plan.Node, err error) plan.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// mustBuild is Build, failing t on error.
func mustBuild(t *testing.T, n plan.Node) Operator {
	t.Helper()
	op, err := Build(n)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func TestBuildPipeline(t *testing.T) {
	mem := checkedMem(t)
	table := scanTable(t)
	must := nodeOf(t)
	n := must(plan.NewScan(table).WithPushdown([]string{"b", "a"}, []expr.Expr{expr.Col("keep")}))
	n = must(plan.NewFilter(n, gt("a", 0)))
	n = must(plan.NewProject(n, []expr.Expr{expr.As(expr.Col("a"), "n"), expr.Col("b")}))
	n = must(plan.NewSort(n, []plan.SortKey{{Expr: expr.Col("n"), Desc: true}}))
	n = must(plan.NewLimit(n, 3))
	op := mustBuild(t, n)

	want := `Limit 3
  Sort [n DESC NULLS LAST]
    Project [a AS n, b]
      Filter (a greater 0)
        Scan t [b, a] filters=[keep]
`
	if got := Explain(op); got != want {
		t.Errorf("explain:\n%s\nwant:\n%s", got, want)
	}
	if !op.Schema().Equal(n.Schema()) {
		t.Errorf("schema %s, want the plan's %s", op.Schema(), n.Schema())
	}
	wantRows(t, mustRun(t, op, mem, 0), "5,five", "5,five", "1,one")
	table.assertClosed(t)
}

func TestBuildUnionExplode(t *testing.T) {
	mem := checkedMem(t)
	t1 := newTestTable(t, "t1", listSchema, recordOf(t, mem, listSchema, `[{"id": 1, "l": [1, 2]}]`))
	other := schemaOf("x", arrow.PrimitiveTypes.Int64, "y", arrow.ListOf(arrow.PrimitiveTypes.Int64))
	t2 := newTestTable(t, "t2", other, recordOf(t, mem, other, `[{"x": 2, "y": [3]}, {"x": 3, "y": null}]`))
	must := nodeOf(t)
	u := must(plan.NewUnion(plan.NewScan(t1), plan.NewScan(t2)))
	e := must(plan.NewExplode(u, expr.Col("l"), "e"))
	op := mustBuild(t, e)

	want := `Explode l AS e
  Union
    Scan t1 [id, l]
    Scan t2 [x, y]
`
	if got := Explain(op); got != want {
		t.Errorf("explain:\n%s\nwant:\n%s", got, want)
	}
	wantRows(t, mustRun(t, op, mem, 0), "1,[1,2],1", "1,[1,2],2", "2,[3],3")
	t1.assertClosed(t)
	t2.assertClosed(t)
}

// unknownNode is a plan node kind Build has no operator for.
type unknownNode struct{ plan.Node }

func (unknownNode) Children() []plan.Node { return nil }
func (unknownNode) Schema() *arrow.Schema { return sortSchema }
func (unknownNode) String() string        { return "Mystery" }

func TestBuildUnknownNode(t *testing.T) {
	_, err := Build(nodeOf(t)(plan.NewLimit(unknownNode{}, 1)))
	if err == nil || !strings.Contains(err.Error(), "Mystery") {
		t.Fatalf("got %v, want an error naming the node", err)
	}
}
