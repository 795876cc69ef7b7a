package sluice_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice"
)

// refAgg is a generated aggregate: engine column and reference over a group.
type refAgg struct {
	col  sluice.Column
	eval func([]row) any
	text string
}

func (g *gen) agg(intCols []string, strCol string, name string) refAgg {
	c := intCols[g.r.IntN(len(intCols))]
	if g.r.IntN(4) == 0 {
		c = strCol
	}
	nonNull := func(rows []row) []any {
		var out []any
		for _, rw := range rows {
			if rw[c] != nil {
				out = append(out, rw[c])
			}
		}
		return out
	}
	isString := c == strCol
	kinds := []string{"count(*)", "count", "min", "max", "countDistinct", "first", "last"}
	if !isString {
		kinds = append(kinds, "sum", "avg")
	}
	k := kinds[g.r.IntN(len(kinds))]
	var col sluice.Column
	var eval func([]row) any
	switch k {
	case "count(*)":
		col, eval = sluice.CountStar(), func(rows []row) any { return int64(len(rows)) }
	case "count":
		col, eval = sluice.Count(sluice.Col(c)), func(rows []row) any { return int64(len(nonNull(rows))) }
	case "countDistinct":
		col, eval = sluice.CountDistinct(sluice.Col(c)), func(rows []row) any {
			seen := map[any]bool{}
			for _, v := range nonNull(rows) {
				seen[v] = true
			}
			return int64(len(seen))
		}
	case "min", "max":
		col = sluice.Min(sluice.Col(c))
		want := -1
		if k == "max" {
			col, want = sluice.Max(sluice.Col(c)), 1
		}
		eval = func(rows []row) any {
			var best any
			for _, v := range nonNull(rows) {
				if best == nil || compareValues(v, best) == want {
					best = v
				}
			}
			return best
		}
	case "first", "last":
		col = sluice.First(sluice.Col(c))
		if k == "last" {
			col = sluice.Last(sluice.Col(c))
		}
		eval = func(rows []row) any {
			if len(rows) == 0 {
				return nil
			}
			if k == "first" {
				return rows[0][c]
			}
			return rows[len(rows)-1][c]
		}
	case "sum":
		col, eval = sluice.Sum(sluice.Col(c)), func(rows []row) any {
			vs := nonNull(rows)
			if len(vs) == 0 {
				return nil
			}
			var s int64
			for _, v := range vs {
				s += v.(int64)
			}
			return s
		}
	case "avg":
		col, eval = sluice.Avg(sluice.Col(c)), func(rows []row) any {
			vs := nonNull(rows)
			if len(vs) == 0 {
				return nil
			}
			var s float64
			for _, v := range vs {
				s += float64(v.(int64))
			}
			return s / float64(len(vs))
		}
	}
	return refAgg{col.As(name), eval, fmt.Sprintf("%s(%s)", k, c)}
}

// query is one generated query: the engine DataFrame and the reference rows.
type query struct {
	text    string
	df      *sluice.DataFrame
	want    []row
	cols    []string
	ordered bool // first/last depend on input order: only for unfiltered single-table aggregates
}

func (g *gen) query(s *sluice.Session, mem memory.Allocator) query {
	t1 := g.table([]string{"a", "b", "s", "f"}, []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String, arrow.PrimitiveTypes.Float64})
	t2 := g.table([]string{"k", "v", "w"}, []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String})
	sc1, r1 := t1.records(mem, g.r)
	sc2, r2 := t2.records(mem, g.r)
	df1 := s.FromRecords("t1", sc1, r1...)
	df2 := s.FromRecords("t2", sc2, r2...)
	for _, r := range append(r1, r2...) {
		r.Release()
	}
	switch g.r.IntN(4) {
	case 0:
		return g.filterProject(df1, t1)
	case 1:
		return g.aggregate(df1, t1)
	default:
		return g.join(df1, df2, t1, t2)
	}
}

func (g *gen) filterProject(df *sluice.DataFrame, t *refTable) query {
	rows, text := t.rows, "t1"
	if g.r.IntN(3) > 0 {
		p := g.boolExpr([]string{"a", "b"}, "s", 2)
		df = df.Filter(p.col)
		rows = filterRows(rows, p.eval)
		text += " WHERE " + p.text
	}
	ie := g.intExpr([]string{"a", "b"}, 2)
	fe := g.floatExpr([]string{"a", "b"}, "f")
	be := g.boolExpr([]string{"a", "b"}, "s", 1)
	df = df.Select(ie.col.As("i"), fe.col.As("x"), be.col.As("p"), sluice.Col("s"))
	var want []row
	for _, rw := range rows {
		want = append(want, row{"i": ie.eval(rw), "x": fe.eval(rw), "p": be.eval(rw), "s": rw["s"]})
	}
	return query{text: fmt.Sprintf("SELECT %s, %s, %s, s FROM %s", ie.text, fe.text, be.text, text), df: df, want: want, cols: []string{"i", "x", "p", "s"}}
}

func filterRows(rows []row, pred func(row) any) []row {
	var out []row
	for _, rw := range rows {
		if pred(rw) == true {
			out = append(out, rw)
		}
	}
	return out
}

func (g *gen) aggregate(df *sluice.DataFrame, t *refTable) query {
	rows, text := t.rows, "t1"
	if g.r.IntN(2) == 0 {
		p := g.boolExpr([]string{"a", "b"}, "s", 1)
		df = df.Filter(p.col)
		rows = filterRows(rows, p.eval)
		text += " WHERE " + p.text
	}
	keys := [][]string{nil, {"a"}, {"s"}, {"a", "s"}}[g.r.IntN(4)]
	var aggs []refAgg
	for i := 0; i < 1+g.r.IntN(3); i++ {
		aggs = append(aggs, g.agg([]string{"a", "b"}, "s", fmt.Sprintf("g%d", i)))
	}
	groupCols := make([]any, len(keys))
	for i, k := range keys {
		groupCols[i] = k
	}
	aggCols := make([]sluice.Column, len(aggs))
	for i, a := range aggs {
		aggCols[i] = a.col
	}
	df = df.GroupBy(groupCols...).Agg(aggCols...)
	groups := map[string][]row{}
	var order []string
	for _, rw := range rows {
		k := key(rw, keys)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], rw)
	}
	if len(keys) == 0 && len(rows) == 0 {
		groups[""], order = nil, []string{""}
	}
	var want []row
	cols := append([]string(nil), keys...)
	for i := range aggs {
		cols = append(cols, fmt.Sprintf("g%d", i))
	}
	for _, k := range order {
		grp := groups[k]
		out := row{}
		if len(grp) > 0 {
			for _, c := range keys {
				out[c] = grp[0][c]
			}
		}
		for i, a := range aggs {
			out[fmt.Sprintf("g%d", i)] = a.eval(grp)
		}
		want = append(want, out)
	}
	names := make([]string, len(aggs))
	for i, a := range aggs {
		names[i] = a.text
	}
	return query{text: fmt.Sprintf("SELECT %v, %v FROM %s GROUP BY %v", keys, names, text, keys), df: df, want: want, cols: cols}
}

func key(rw row, keys []string) string {
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%#v|", rw[k])
	}
	return b.String()
}

func (g *gen) join(df1, df2 *sluice.DataFrame, t1, t2 *refTable) query {
	hows := []string{"inner", "left", "right", "full", "semi", "anti"}
	how := hows[g.r.IntN(len(hows))]
	on := sluice.Col("a").Eq(sluice.Col("k"))
	match := func(l, r row) bool { return l["a"] != nil && r["k"] != nil && l["a"] == r["k"] }
	text := "a = k"
	if g.r.IntN(2) == 0 {
		on = on.And(sluice.Col("b").Lt(sluice.Col("v")))
		match2 := match
		match = func(l, r row) bool {
			return match2(l, r) && l["b"] != nil && r["v"] != nil && l["b"].(int64) < r["v"].(int64)
		}
		text += " AND b < v"
	}
	df := df1.Join(df2, on, how)
	leftCols, rightCols := []string{"a", "b", "s", "f"}, []string{"k", "v", "w"}
	var want []row
	rightMatched := make([]bool, len(t2.rows))
	for _, l := range t1.rows {
		matched := false
		for j, r := range t2.rows {
			if !match(l, r) {
				continue
			}
			matched = true
			rightMatched[j] = true
			if how != "semi" && how != "anti" {
				want = append(want, merge(l, r, leftCols, rightCols))
			}
		}
		switch {
		case how == "semi" && matched, how == "anti" && !matched:
			want = append(want, merge(l, nil, leftCols, nil))
		case !matched && (how == "left" || how == "full"):
			want = append(want, merge(l, nil, leftCols, rightCols))
		}
	}
	if how == "right" || how == "full" {
		for j, r := range t2.rows {
			if !rightMatched[j] {
				want = append(want, merge(nil, r, leftCols, rightCols))
			}
		}
	}
	cols := leftCols
	if how != "semi" && how != "anti" {
		cols = append(append([]string(nil), leftCols...), rightCols...)
	}
	return query{text: fmt.Sprintf("t1 %s JOIN t2 ON %s", how, text), df: df, want: want, cols: cols}
}

func merge(l, r row, lc, rc []string) row {
	out := row{}
	for _, c := range lc {
		out[c] = l[c]
	}
	for _, c := range rc {
		out[c] = r[c]
	}
	return out
}

// render turns rows into sorted canonical lines for comparison.
func render(rows []row, cols []string) []string {
	out := make([]string, len(rows))
	for i, rw := range rows {
		parts := make([]string, len(cols))
		for j, c := range cols {
			parts[j] = renderValue(rw[c])
		}
		out[i] = strings.Join(parts, " | ")
	}
	sort.Strings(out)
	return out
}

func renderValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return fmt.Sprintf("%.1f", x)
		}
		return fmt.Sprintf("%.9g", x)
	case string:
		return fmt.Sprintf("%q", x)
	}
	return fmt.Sprint(v)
}

func engineRows(t *testing.T, df *sluice.DataFrame) ([]row, []string) {
	t.Helper()
	recs, err := df.Collect(context.Background())
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	var rows []row
	cols := df.Columns()
	for _, rec := range recs {
		for i := 0; i < int(rec.NumRows()); i++ {
			rw := row{}
			for j, c := range cols {
				rw[c] = cellValue(rec.Column(j), i)
			}
			rows = append(rows, rw)
		}
	}
	return rows, cols
}

func TestDifferentialRandomQueries(t *testing.T) {
	const queries = 300
	nonEmpty := 0
	for seed := uint64(0); seed < queries; seed++ {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		s := sluice.NewSession(sluice.WithAllocator(mem))
		g := &gen{r: rand.New(rand.NewPCG(seed, 99))}
		q := g.query(s, mem)
		if err := q.df.Err(); err != nil {
			t.Fatalf("seed %d: %s: %v", seed, q.text, err)
		}
		got, cols := engineRows(t, q.df)
		if strings.Join(cols, ",") != strings.Join(q.cols, ",") {
			t.Fatalf("seed %d: %s: columns %v, want %v", seed, q.text, cols, q.cols)
		}
		g1, w1 := render(got, cols), render(q.want, cols)
		if strings.Join(g1, "\n") != strings.Join(w1, "\n") {
			t.Fatalf("seed %d: %s\n got (%d rows):\n%s\nwant (%d rows):\n%s", seed, q.text, len(g1), strings.Join(g1, "\n"), len(w1), strings.Join(w1, "\n"))
		}
		if len(got) > 0 {
			nonEmpty++
		}
		s.Close()
		mem.AssertSize(t, 0)
	}
	// Guard against a generator that drifts into trivial queries.
	if nonEmpty < queries/2 {
		t.Fatalf("only %d of %d queries returned rows", nonEmpty, queries)
	}
	t.Logf("%d of %d queries returned rows", nonEmpty, queries)
}
