package plan

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"github.com/sluicestream/sluice/expr"
)

// This file is a tiny row-at-a-time interpreter of logical plans, so a test
// can check that Optimize keeps results, not only schemas: the same random
// plan is run before and after optimisation over small tables with NULLs,
// duplicates and empty lists. Its expressions are test-local (comparisons
// and addition that always reference a column, so expr.Fold leaves them
// alone), combined with expr.And, which push-down splits.

type row []any // nil is NULL; int64, string, bool or []string

var tableRows = map[string][]row{
	"words": {
		{"a", int64(1), []string{"a", "b"}},
		{"b", nil, []string{}},
		{"a", int64(3), nil},
		{"c", int64(1), []string{"c"}},
		{"b", int64(5), []string{"a", "a"}},
	},
	"lines": {
		{"a", int64(2), []string{"b"}},
		{"b", int64(1), nil},
		{"a", nil, []string{"a", "c"}},
	},
	"users": {
		{int64(1), "a", int64(3)},
		{int64(2), nil, int64(1)},
		{int64(3), "b", nil},
		{int64(4), "a", int64(5)},
	},
	"orders": {
		{int64(1), int64(1), int64(3), "a"},
		{int64(2), int64(1), nil, nil},
		{int64(3), int64(3), int64(1), "b"},
		{int64(4), nil, int64(5), "a"},
		{int64(5), int64(9), int64(2), "b"},
	},
}

// tBinary is a test-local comparison or addition.
type tBinary struct {
	op   string // ">", "<", "=", "+"
	l, r expr.Expr
}

func tGt(l, r expr.Expr) expr.Expr  { return &tBinary{">", l, r} }
func tLt(l, r expr.Expr) expr.Expr  { return &tBinary{"<", l, r} }
func tEq(l, r expr.Expr) expr.Expr  { return &tBinary{"=", l, r} }
func tAdd(l, r expr.Expr) expr.Expr { return &tBinary{"+", l, r} }

func (b *tBinary) String() string                       { return fmt.Sprintf("(%s %s %s)", b.l, b.op, b.r) }
func (b *tBinary) Children() []expr.Expr                { return []expr.Expr{b.l, b.r} }
func (b *tBinary) WithChildren(c []expr.Expr) expr.Expr { return &tBinary{b.op, c[0], c[1]} }
func (b *tBinary) Eval(*expr.Context, arrow.RecordBatch) (arrow.Array, error) {
	return nil, fmt.Errorf("%s: test-only expression", b)
}

func (b *tBinary) Type(s *arrow.Schema) (arrow.DataType, error) {
	lt, err := b.l.Type(s)
	if err != nil {
		return nil, err
	}
	rt, err := b.r.Type(s)
	if err != nil {
		return nil, err
	}
	if !arrow.TypeEqual(lt, rt) || (b.op == "+" && lt.ID() != arrow.INT64) {
		return nil, &expr.TypeError{Expr: b.String(), Types: []arrow.DataType{lt, rt}, Msg: "test types"}
	}
	if b.op == "+" {
		return lt, nil
	}
	return arrow.FixedWidthTypes.Boolean, nil
}

// evalExpr evaluates e over one row of schema s.
func evalExpr(t *testing.T, e expr.Expr, s *arrow.Schema, r row) any {
	if l, rr, ok := expr.AndOperands(e); ok {
		a, b := evalExpr(t, l, s, r), evalExpr(t, rr, s, r)
		switch {
		case a == false || b == false:
			return false
		case a == nil || b == nil:
			return nil
		}
		return true
	}
	switch e := e.(type) {
	case *expr.Column:
		return r[s.FieldIndices(e.Name)[0]]
	case *expr.Alias:
		return evalExpr(t, e.Expr, s, r)
	case *expr.Literal:
		if !e.Value.IsValid() {
			return nil
		}
		switch v := e.Value.(type) {
		case *scalar.Int64:
			return v.Value
		case *scalar.String:
			return string(v.Data())
		case *scalar.Boolean:
			return v.Value
		}
	case *tBinary:
		a, b := evalExpr(t, e.l, s, r), evalExpr(t, e.r, s, r)
		if a == nil || b == nil {
			return nil
		}
		switch e.op {
		case "+":
			return a.(int64) + b.(int64)
		case "=":
			return a == b
		case ">":
			return compareValues(a, b) > 0
		case "<":
			return compareValues(a, b) < 0
		}
	}
	t.Fatalf("evalExpr: cannot evaluate %s (%T)", e, e)
	return nil
}

// compareValues orders two non-NULL values of one type.
func compareValues(a, b any) int {
	switch a := a.(type) {
	case int64:
		return cmp.Compare(a, b.(int64))
	case string:
		return cmp.Compare(a, b.(string))
	}
	panic(fmt.Sprintf("compareValues %T", a))
}

// run interprets n.
func run(t *testing.T, n Node) []row {
	switch n := n.(type) {
	case *Scan:
		return runScan(t, n)
	case *Project:
		in := run(t, n.Input)
		out := make([]row, len(in))
		for i, r := range in {
			for _, e := range n.Exprs {
				out[i] = append(out[i], evalExpr(t, e, n.Input.Schema(), r))
			}
		}
		return out
	case *Filter:
		return keep(t, run(t, n.Input), n.Input.Schema(), n.Cond)
	case *Explode:
		var out []row
		in := n.Input.Schema()
		for _, r := range run(t, n.Input) {
			list, _ := evalExpr(t, n.Expr, in, r).([]string)
			var kept row
			for i, f := range in.Fields() {
				if !slices.Contains(n.Drop, f.Name) {
					kept = append(kept, r[i])
				}
			}
			for _, v := range list {
				out = append(out, append(slices.Clone(kept), v))
			}
		}
		return out
	case *Aggregate:
		return runAggregate(t, n)
	case *Sort:
		return runSort(t, n)
	case *Limit:
		in := run(t, n.Input)
		return in[:min(int64(len(in)), n.N)]
	case *Join:
		return runJoin(t, n)
	case *Union:
		var out []row
		for _, in := range n.Inputs {
			out = append(out, run(t, in)...)
		}
		return out
	}
	t.Fatalf("run: unknown node %T", n)
	return nil
}

func keep(t *testing.T, rows []row, s *arrow.Schema, cond expr.Expr) []row {
	var out []row
	for _, r := range rows {
		if evalExpr(t, cond, s, r) == true {
			out = append(out, r)
		}
	}
	return out
}

func runScan(t *testing.T, n *Scan) []row {
	ts := n.Table.Schema()
	rows := tableRows[n.Table.Name()]
	for _, f := range n.Filters {
		rows = keep(t, rows, ts, f)
	}
	out := make([]row, len(rows))
	for i, r := range rows {
		for _, f := range n.Schema().Fields() {
			out[i] = append(out[i], r[ts.FieldIndices(f.Name)[0]])
		}
	}
	return out
}

func runAggregate(t *testing.T, n *Aggregate) []row {
	s := n.Input.Schema()
	var keys []string
	groups := map[string][]row{}
	for _, r := range run(t, n.Input) {
		var k row
		for _, g := range n.GroupBy {
			k = append(k, evalExpr(t, g, s, r))
		}
		ks := fmt.Sprintf("%#v", k)
		if _, ok := groups[ks]; !ok {
			keys = append(keys, ks)
			groups[ks] = []row{k}
		}
		groups[ks] = append(groups[ks], r)
	}
	if len(n.GroupBy) == 0 && len(keys) == 0 {
		keys, groups[""] = []string{""}, []row{nil}
	}
	var out []row
	for _, ks := range keys {
		g := groups[ks]
		o := slices.Clone(g[0])
		for _, a := range n.Aggs {
			o = append(o, aggregateRows(t, expr.Unalias(a).(*expr.AggFunc), s, g[1:]))
		}
		out = append(out, o)
	}
	return out
}

func aggregateRows(t *testing.T, fn *expr.AggFunc, s *arrow.Schema, rows []row) any {
	switch {
	case fn.Kind == expr.AggCount && fn.Arg == nil:
		return int64(len(rows))
	case fn.Kind == expr.AggSum:
		var sum any
		for _, r := range rows {
			if v := evalExpr(t, fn.Arg, s, r); v != nil {
				if sum == nil {
					sum = int64(0)
				}
				sum = sum.(int64) + v.(int64)
			}
		}
		return sum
	}
	t.Fatalf("aggregate %s not supported by the test interpreter", fn)
	return nil
}

func runSort(t *testing.T, n *Sort) []row {
	s := n.Input.Schema()
	rows := run(t, n.Input)
	slices.SortStableFunc(rows, func(a, b row) int {
		for _, k := range n.Keys {
			x, y := evalExpr(t, k.Expr, s, a), evalExpr(t, k.Expr, s, b)
			c := 0
			switch {
			case x == nil && y == nil:
			case x == nil:
				c = -1
			case y == nil:
				c = 1
			default:
				c = compareValues(x, y)
			}
			if k.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	return rows
}

// runJoin is a nested-loop join: matched pairs in left order, then for right
// and full joins the unmatched right rows.
func runJoin(t *testing.T, n *Join) []row {
	ls, rs := n.Left.Schema(), n.Right.Schema()
	left, right := run(t, n.Left), run(t, n.Right)
	nulls := func(k int) row { return make(row, k) }
	matchedRight := make([]bool, len(right))
	var out []row
	for _, l := range left {
		matched := false
		for j, r := range right {
			if !keysEqual(t, n, ls, rs, l, r) {
				continue
			}
			joined := append(slices.Clone(l), r...)
			if n.Extra != nil && evalExpr(t, n.Extra, n.joined, joined) != true {
				continue
			}
			matched, matchedRight[j] = true, true
			if n.Type != SemiJoin && n.Type != AntiJoin {
				out = append(out, joined)
			}
		}
		switch {
		case n.Type == SemiJoin && matched, n.Type == AntiJoin && !matched:
			out = append(out, l)
		case !matched && (n.Type == LeftJoin || n.Type == FullJoin):
			out = append(out, append(slices.Clone(l), nulls(rs.NumFields())...))
		}
	}
	if n.Type == RightJoin || n.Type == FullJoin {
		for j, r := range right {
			if !matchedRight[j] {
				out = append(out, append(nulls(ls.NumFields()), r...))
			}
		}
	}
	return out
}

func keysEqual(t *testing.T, n *Join, ls, rs *arrow.Schema, l, r row) bool {
	for i := range n.LeftKeys {
		a, b := evalExpr(t, n.LeftKeys[i], ls, l), evalExpr(t, n.RightKeys[i], rs, r)
		if a == nil || b == nil || a != b {
			return false
		}
	}
	return true
}

// formatRows renders rows sorted, so results compare as multisets.
func formatRows(rows []row) string {
	lines := make([]string, len(rows))
	for i, r := range rows {
		lines[i] = fmt.Sprintf("%v", []any(r))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// TestOptimizeKeepsResults runs random plans before and after Optimize over
// the test tables and compares the rows.
func TestOptimizeKeepsResults(t *testing.T) {
	const plans = 1000
	for seed := uint64(0); seed < plans; seed++ {
		g := &planGen{r: rand.New(rand.NewPCG(seed, 11)), ops: testOps}
		n := g.plan(2)
		opt, err := Optimize(n)
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, Explain(n))
		}
		want, got := formatRows(run(t, n)), formatRows(run(t, opt))
		if got != want {
			t.Fatalf("seed %d: results differ\nplan:\n%s\noptimised:\n%s\nwant:\n%s\ngot:\n%s",
				seed, Explain(n), Explain(opt), want, got)
		}
	}
}
