package plan

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

// TestOptimizeKeepsSchema builds many random plans and checks what every
// optimisation must keep: the output schema, a plan that analyzes, the same
// result when optimised again, and no Filter left directly above a Scan.
func TestOptimizeKeepsSchema(t *testing.T) {
	const plans = 1000
	built := 0
	for seed := uint64(0); built < plans; seed++ {
		g := &planGen{r: rand.New(rand.NewPCG(seed, 7)), ops: realOps}
		n := g.plan(3)
		if n == nil {
			continue
		}
		built++
		opt, err := Optimize(n)
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, Explain(n))
		}
		if !opt.Schema().Equal(n.Schema()) {
			t.Fatalf("seed %d: schema changed\n%v\nto\n%v\n%s\n%s", seed, n.Schema(), opt.Schema(), Explain(n), Explain(opt))
		}
		if _, err := Analyze(opt); err != nil {
			t.Fatalf("seed %d: optimised plan does not analyze: %v\n%s", seed, err, Explain(opt))
		}
		again, err := Optimize(opt)
		if err != nil {
			t.Fatalf("seed %d: second optimize: %v\n%s", seed, err, Explain(opt))
		}
		if Explain(again) != Explain(opt) {
			t.Errorf("seed %d: optimize is not idempotent\n%s\nthen\n%s\nfrom\n%s", seed, Explain(opt), Explain(again), Explain(n))
		}
		walk(opt, func(m Node) {
			if f, ok := m.(*Filter); ok {
				if _, ok := f.Input.(*Scan); ok {
					t.Errorf("seed %d: filter left above a scan\n%s", seed, Explain(opt))
				}
			}
		})
	}
}

func walk(n Node, fn func(Node)) {
	fn(n)
	for _, c := range n.Children() {
		walk(c, fn)
	}
}

// planGen builds random, valid plans over the test tables. A step that
// fails to build (a rare name clash) is skipped.
type planGen struct {
	r    *rand.Rand
	ops  exprOps
	next int // for fresh names
}

// exprOps builds the comparisons and additions of generated plans. constants
// allows column-free conditions such as 1 < 2, which fold.
type exprOps struct {
	gt, lt, eq, add func(l, r expr.Expr) expr.Expr
	constants       bool
}

// The real operators, and the test-local ones the interpreter in
// eval_test.go understands.
var (
	realOps = exprOps{
		gt:        func(l, r expr.Expr) expr.Expr { return expr.Gt(l, r) },
		lt:        func(l, r expr.Expr) expr.Expr { return expr.Lt(l, r) },
		eq:        func(l, r expr.Expr) expr.Expr { return expr.Eq(l, r) },
		add:       func(l, r expr.Expr) expr.Expr { return expr.Add(l, r) },
		constants: true,
	}
	testOps = exprOps{gt: tGt, lt: tLt, eq: tEq, add: tAdd}
)

func (g *planGen) fresh(prefix string) string {
	g.next++
	return fmt.Sprintf("%s%d", prefix, g.next)
}

func (g *planGen) plan(joins int) Node {
	ts := []*memTable{words, lines, users, orders}
	var n Node = NewScan(ts[g.r.IntN(len(ts))])
	for steps := g.r.IntN(6) + 1; steps > 0; steps-- {
		if m := g.step(n, joins); m != nil {
			n = m
		}
	}
	return n
}

// columns returns the names of n's columns of type id (or every one, for
// arrow.NULL).
func columns(n Node, id arrow.Type) []string {
	var out []string
	for _, f := range n.Schema().Fields() {
		if id == arrow.NULL || f.Type.ID() == id {
			out = append(out, f.Name)
		}
	}
	return out
}

func (g *planGen) pick(names []string) string { return names[g.r.IntN(len(names))] }

// cond returns a random predicate over n's columns, or nil.
func (g *planGen) cond(n Node) expr.Expr {
	var cs []expr.Expr
	for k := g.r.IntN(3) + 1; k > 0; k-- {
		ints, strs := columns(n, arrow.INT64), columns(n, arrow.STRING)
		switch c := g.r.IntN(10); {
		case c < 5 && len(ints) > 0:
			cs = append(cs, g.ops.gt(expr.Col(g.pick(ints)), expr.Lit(int64(g.r.IntN(6)))))
		case c < 7 && len(ints) > 1:
			cs = append(cs, g.ops.lt(expr.Col(g.pick(ints)), expr.Col(g.pick(ints))))
		case c < 9 && len(strs) > 0:
			cs = append(cs, g.ops.eq(expr.Col(g.pick(strs)), expr.Lit("a")))
		case g.ops.constants:
			cs = append(cs, g.ops.lt(expr.Lit(int64(1)), expr.Lit(int64(2))))
		}
	}
	if len(cs) == 0 {
		return expr.Lit(true)
	}
	return conjoin(cs)
}

func (g *planGen) step(n Node, joins int) Node {
	var out Node
	var err error
	switch g.r.IntN(9) {
	case 0, 1:
		out, err = NewFilter(n, g.cond(n))
	case 2:
		out, err = NewProject(n, g.projection(n))
	case 3:
		var keys []SortKey
		for _, c := range columns(n, arrow.NULL) {
			if !arrow.IsNested(n.Schema().Field(n.Schema().FieldIndices(c)[0]).Type.ID()) && g.r.IntN(2) == 0 {
				keys = append(keys, SortKey{Expr: expr.Col(c), Desc: g.r.IntN(2) == 0})
			}
		}
		out, err = NewSort(n, keys)
	case 4:
		out, err = NewLimit(n, int64(g.r.IntN(5)))
	case 5:
		lists := columns(n, arrow.LIST)
		if len(lists) == 0 {
			return nil
		}
		out, err = NewExplode(n, expr.Col(g.pick(lists)), g.fresh("e"))
	case 6:
		out, err = g.aggregate(n)
	case 7:
		renamed := make([]expr.Expr, 0, n.Schema().NumFields())
		for _, c := range columns(n, arrow.NULL) {
			renamed = append(renamed, expr.As(expr.Col(c), g.fresh("u")))
		}
		var other Node
		if other, err = NewProject(n, renamed); err == nil {
			out, err = NewUnion(n, other)
		}
	case 8:
		if joins == 0 {
			return nil
		}
		out, err = g.join(n, joins-1)
	}
	if err != nil {
		return nil
	}
	return out
}

func (g *planGen) projection(n Node) []expr.Expr {
	var es []expr.Expr
	for _, c := range columns(n, arrow.NULL) {
		switch g.r.IntN(4) {
		case 0:
		case 1:
			es = append(es, expr.As(expr.Col(c), g.fresh("r")))
		default:
			es = append(es, expr.Col(c))
		}
	}
	if ints := columns(n, arrow.INT64); len(ints) > 0 && g.r.IntN(2) == 0 {
		var one expr.Expr = expr.Lit(int64(1))
		if g.ops.constants {
			one = g.ops.add(one, expr.Lit(int64(1)))
		}
		es = append(es, expr.As(g.ops.add(expr.Col(g.pick(ints)), one), g.fresh("x")))
	}
	g.r.Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
	return es
}

func (g *planGen) aggregate(n Node) (Node, error) {
	var groupBy []expr.Expr
	for _, c := range columns(n, arrow.NULL) {
		f := n.Schema().Field(n.Schema().FieldIndices(c)[0])
		if !arrow.IsNested(f.Type.ID()) && g.r.IntN(3) == 0 {
			groupBy = append(groupBy, expr.Col(c))
		}
	}
	aggs := []expr.Expr{expr.As(expr.CountStar(), g.fresh("c"))}
	if ints := columns(n, arrow.INT64); len(ints) > 0 {
		aggs = append(aggs, expr.As(expr.Sum(expr.Col(g.pick(ints))), g.fresh("s")))
	}
	return NewAggregate(n, groupBy, aggs[:g.r.IntN(len(aggs))+1])
}

func (g *planGen) join(left Node, joins int) (Node, error) {
	right := g.plan(joins)
	lk, rk := columns(left, arrow.INT64), columns(right, arrow.INT64)
	if len(lk) == 0 || len(rk) == 0 {
		return nil, fmt.Errorf("no int64 keys")
	}
	t := JoinType(g.r.IntN(int(AntiJoin) + 1))
	j, err := NewJoin(left, right, t, []expr.Expr{expr.Col(g.pick(lk))}, []expr.Expr{expr.Col(g.pick(rk))}, nil)
	if err != nil || g.r.IntN(2) == 0 {
		return j, err
	}
	// Add a condition over the joined row.
	joined := &Scan{schema: j.joined}
	return NewJoin(left, right, t, j.LeftKeys, j.RightKeys, g.cond(joined))
}

// tRand is a test-local volatile boolean, like rand() < 0.5.
type tRand struct{}

func (tRand) String() string                             { return "rand_bool()" }
func (tRand) Children() []expr.Expr                      { return nil }
func (r tRand) WithChildren([]expr.Expr) expr.Expr       { return r }
func (tRand) Volatile() bool                             { return true }
func (tRand) Type(*arrow.Schema) (arrow.DataType, error) { return arrow.FixedWidthTypes.Boolean, nil }
func (tRand) Eval(*expr.Context, arrow.RecordBatch) (arrow.Array, error) {
	return nil, fmt.Errorf("rand_bool: test-only")
}

// TestVolatileStays checks a volatile condition keeps seeing the same rows: a
// filter holding one does not move, nor does anything above it move below
// it, and a join condition holding one is not split.
func TestVolatileStays(t *testing.T) {
	mk := func(n Node, err error) Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	s := mk(NewSort(NewScan(words), []SortKey{{Expr: mustExpr("n")}}))
	f := mk(NewFilter(s, expr.And(mustExpr("word = \"a\""), tRand{})))
	f = mk(NewFilter(f, mustExpr("n > 1")))
	want := "Filter (n > 1)\n" +
		"  Filter ((word = \"a\") AND rand_bool())\n" +
		"    Sort [n]\n" +
		"      Scan words [word, n, tags]\n"
	opt := mk(Optimize(f))
	if got := Explain(opt); got != want {
		t.Errorf("volatile filter:\n%s\nwant:\n%s", got, want)
	}

	j := mk(NewJoin(NewScan(users), NewScan(orders), InnerJoin, mustExprs("id"), mustExprs("user_id"),
		expr.And(mustExpr("amount > 5"), tRand{})))
	want = "Join inner [id = user_id] extra=((amount > 5) AND rand_bool())\n" +
		"  Scan users [id, name, age]\n" +
		"  Scan orders [id, user_id, amount, note]\n"
	opt = mk(Optimize(j))
	if got := Explain(opt); got != want {
		t.Errorf("volatile join condition:\n%s\nwant:\n%s", got, want)
	}
}
