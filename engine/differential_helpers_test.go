package engine_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
)

// The differential test's generator: random input (diffInput) and random
// queries (diffQuery) over one or two streams of diffSchema, plus the row
// form both results are compared in (diffRow). Everything here is a
// function of the seed's *rand.Rand; nothing reads the clock.

// diffSchema is the input of every differential query: small domains so
// that groups repeat across micro-batches, every column nullable.
var diffSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "g", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
}, nil)

// dtype is the type of a generated column or expression.
type dtype int

const (
	tInt dtype = iota
	tFloat
	tStr
	tBool
)

func (t dtype) arrow() arrow.DataType {
	return [...]arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64, arrow.BinaryTypes.String, arrow.FixedWidthTypes.Boolean}[t]
}

type dcol struct {
	name string
	t    dtype
}

func inputScope() []dcol {
	return []dcol{{"k", tInt}, {"g", tStr}, {"i", tInt}, {"f", tFloat}, {"s", tStr}, {"b", tBool}}
}

// diffInput is the input rows: one []any per row, nil for NULL.
type diffInput [][]any

var phrases = []string{"a b", "b,c", "", "a  b c", "c", "b b", "a,b c", "c c,a"}

func (g *dgen) rows() diffInput {
	n := g.r.IntN(49)
	if g.r.IntN(10) == 0 {
		n += 100
	}
	rows := make(diffInput, n)
	for i := range rows {
		rw := make([]any, diffSchema.NumFields())
		for j := range rw {
			if g.r.IntN(8) == 0 {
				continue // NULL
			}
			switch j {
			case 0:
				rw[j] = int64(g.r.IntN(5) - 2)
			case 1:
				rw[j] = []string{"a", "b", "c"}[g.r.IntN(3)]
			case 2:
				rw[j] = int64(g.r.IntN(9) - 4)
			case 3:
				rw[j] = g.float()
			case 4:
				rw[j] = phrases[g.r.IntN(len(phrases))]
			case 5:
				rw[j] = g.r.IntN(2) == 0
			}
		}
		rows[i] = rw
	}
	return rows
}

// float is a value of f: multiples of 1/4 (sums are exact in any order),
// and rarely -0.0 or NaN, which grouping and count(DISTINCT) must treat as
// Spark does (-0.0 = 0.0, every NaN one value).
func (g *dgen) float() float64 {
	switch g.r.IntN(30) {
	case 0:
		return math.Copysign(0, -1)
	case 1:
		return math.NaN()
	}
	return float64(g.r.IntN(13)-6) * 0.25
}

// record builds rows as one record of diffSchema; the caller releases it.
func (in diffInput) record(mem memory.Allocator) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, diffSchema)
	defer b.Release()
	for _, rw := range in {
		for j, v := range rw {
			fb := b.Field(j)
			if v == nil {
				fb.AppendNull()
				continue
			}
			switch x := v.(type) {
			case int64:
				fb.(*array.Int64Builder).Append(x)
			case float64:
				fb.(*array.Float64Builder).Append(x)
			case string:
				fb.(*array.StringBuilder).Append(x)
			case bool:
				fb.(*array.BooleanBuilder).Append(x)
			}
		}
	}
	return b.NewRecordBatch()
}

func (in diffInput) String() string {
	var b strings.Builder
	for i, rw := range in {
		fmt.Fprintf(&b, "  %3d:", i)
		for _, v := range rw {
			switch x := v.(type) {
			case nil:
				b.WriteString(" NULL")
			case string:
				b.WriteString(" " + strconv.Quote(x))
			default:
				fmt.Fprintf(&b, " %v", x)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// splits returns k-1 cut points in [0, n], sorted: micro-batch j holds rows
// [cut j-1, cut j). Equal cuts make empty batches.
func (g *dgen) splits(n, k int) []int {
	cuts := make([]int, k-1)
	for i := range cuts {
		cuts[i] = g.r.IntN(n + 1)
	}
	if len(cuts) > 0 && g.r.IntN(4) == 0 {
		cuts[g.r.IntN(len(cuts))] = n // an empty last batch
	}
	slices.Sort(cuts)
	return cuts
}

// parts cuts in at cuts.
func (in diffInput) parts(cuts []int) []diffInput {
	var out []diffInput
	prev := 0
	for _, c := range append(slices.Clone(cuts), len(in)) {
		out = append(out, in[prev:c])
		prev = c
	}
	return out
}

// dgen generates input and queries from one seed.
type dgen struct {
	r    *rand.Rand
	next int      // for fresh column names
	tags []string // the plan shapes generated, for the test's summary
}

func (g *dgen) tag(t string) {
	if !slices.Contains(g.tags, t) {
		g.tags = append(g.tags, t)
	}
}

func (g *dgen) fresh(prefix string) string {
	g.next++
	return fmt.Sprintf("%s%d", prefix, g.next)
}

func pick[T any](g *dgen, xs []T) T { return xs[g.r.IntN(len(xs))] }

func colsOf(scope []dcol, t dtype) []dcol {
	var out []dcol
	for _, c := range scope {
		if c.t == t {
			out = append(out, c)
		}
	}
	return out
}

// expr returns an expression of type t over the columns of scope.
func (g *dgen) expr(scope []dcol, t dtype, depth int) expr.Expr {
	cols := colsOf(scope, t)
	if depth <= 0 || g.r.IntN(3) == 0 {
		if len(cols) > 0 && g.r.IntN(4) > 0 {
			return expr.Col(pick(g, cols).name)
		}
		return g.leaf(scope, t)
	}
	d := depth - 1
	switch t {
	case tInt:
		switch g.r.IntN(8) {
		case 0:
			return expr.Add(g.expr(scope, tInt, d), g.expr(scope, tInt, d))
		case 1:
			return expr.Sub(g.expr(scope, tInt, d), g.expr(scope, tInt, d))
		case 2:
			return expr.Mul(g.expr(scope, tInt, d), g.expr(scope, tInt, d))
		case 3:
			return expr.Mod(g.expr(scope, tInt, d), g.expr(scope, tInt, d))
		case 4:
			return expr.Neg(g.expr(scope, tInt, d))
		case 5:
			return expr.Cast(expr.Length(g.expr(scope, tStr, d)), arrow.PrimitiveTypes.Int64)
		case 6:
			return expr.When(g.expr(scope, tBool, d), g.expr(scope, tInt, d)).Else(g.expr(scope, tInt, d))
		default:
			return expr.Coalesce(g.expr(scope, tInt, d), expr.Lit(int64(g.r.IntN(3))))
		}
	case tFloat:
		switch g.r.IntN(5) {
		case 0:
			return expr.Div(g.expr(scope, tInt, d), g.expr(scope, tInt, d))
		case 1:
			return expr.Add(g.expr(scope, tFloat, d), g.expr(scope, tFloat, d))
		case 2:
			return expr.Mul(g.expr(scope, tFloat, d), expr.Lit(float64(g.r.IntN(5)-2)*0.5))
		case 3:
			return expr.Cast(g.expr(scope, tInt, d), arrow.PrimitiveTypes.Float64)
		default:
			return expr.Sub(g.expr(scope, tFloat, d), g.expr(scope, tFloat, d))
		}
	case tStr:
		switch g.r.IntN(6) {
		case 0:
			return expr.Upper(g.expr(scope, tStr, d))
		case 1:
			return expr.Trim(g.expr(scope, tStr, d))
		case 2:
			return expr.Concat(g.expr(scope, tStr, d), g.expr(scope, tStr, d))
		case 3:
			return expr.Substring(g.expr(scope, tStr, d), expr.Lit(int64(1+g.r.IntN(2))), expr.Lit(int64(1+g.r.IntN(3))))
		case 4:
			return expr.Cast(g.expr(scope, tInt, d), arrow.BinaryTypes.String)
		default:
			return expr.Coalesce(g.expr(scope, tStr, d), expr.Lit("n"))
		}
	}
	return g.pred(scope, depth)
}

// colExpr is expr, retried a few times until it reads a column: constant
// expressions make dull filters and aggregates.
func (g *dgen) colExpr(scope []dcol, t dtype, depth int) expr.Expr {
	e := g.expr(scope, t, depth)
	for range 4 {
		if len(expr.Columns(e)) > 0 {
			break
		}
		e = g.expr(scope, t, depth)
	}
	return e
}

// leaf is a literal of type t, or for bool a NULL test of some column.
func (g *dgen) leaf(scope []dcol, t dtype) expr.Expr {
	switch t {
	case tInt:
		return expr.Lit(int64(g.r.IntN(7) - 3))
	case tFloat:
		if g.r.IntN(2) == 0 {
			if c := colsOf(scope, tInt); len(c) > 0 {
				return expr.Cast(expr.Col(pick(g, c).name), arrow.PrimitiveTypes.Float64)
			}
		}
		return expr.Lit(float64(g.r.IntN(9)-4) * 0.25)
	case tStr:
		return expr.Lit(pick(g, []string{"a", "b", "", "a b"}))
	}
	c := pick(g, scope)
	if g.r.IntN(2) == 0 {
		return expr.IsNotNull(expr.Col(c.name))
	}
	return expr.IsNull(expr.Col(c.name))
}

// pred is a boolean expression: comparisons, IN, LIKE, AND/OR/NOT.
func (g *dgen) pred(scope []dcol, depth int) expr.Expr {
	d := max(depth-1, 0)
	if depth > 0 && g.r.IntN(3) == 0 {
		switch g.r.IntN(3) {
		case 0:
			return expr.And(g.pred(scope, d), g.pred(scope, d))
		case 1:
			return expr.Or(g.pred(scope, d), g.pred(scope, d))
		default:
			return expr.Not(g.pred(scope, d))
		}
	}
	switch g.r.IntN(7) {
	case 0:
		if c := colsOf(scope, tBool); len(c) > 0 {
			return expr.Col(pick(g, c).name)
		}
		return g.leaf(scope, tBool)
	case 1:
		return expr.In(g.expr(scope, tInt, d), expr.Lit(int64(g.r.IntN(5)-2)), expr.Lit(int64(g.r.IntN(5)-2)))
	case 2:
		return expr.Like(g.expr(scope, tStr, d), pick(g, []string{"a%", "%b%", "_", "%c"}))
	case 3:
		return g.leaf(scope, tBool)
	}
	t := pick(g, []dtype{tInt, tInt, tFloat, tStr})
	l, r := g.colExpr(scope, t, d), g.leaf(scope, t)
	if g.r.IntN(2) == 0 {
		r = g.colExpr(scope, t, d)
	}
	cmp := pick(g, []func(l, r expr.Expr) *expr.CompareExpr{expr.Eq, expr.NotEq, expr.Lt, expr.LtEq, expr.Gt, expr.GtEq})
	return cmp(l, r)
}

// scanFunc returns a new Scan of input table i: 0, or 1 in a query over
// two streams.
type scanFunc func(i int) plan.Node

// builder makes a plan over scans, so that the same query runs as a stream
// (over StreamTables) and as a batch (over static tables).
type builder func(scan scanFunc) (plan.Node, error)

// diffQuery is a generated query.
type diffQuery struct {
	agg     bool
	ordered bool // the result has one order, which the stream must keep
	sources int  // input tables: 1 or 2
	build   builder
	tags    []string
}

// step is one stateless plan node over its input.
type step func(plan.Node) (plan.Node, error)

func buildSteps(in plan.Node, steps []step) (plan.Node, error) {
	var err error
	for _, s := range steps {
		if in, err = s(in); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// chain returns 0..max stateless steps over the input scope and the scope
// they produce: filters, projections with computed columns, and at most
// one explode of a split string.
func (g *dgen) chain(maxSteps int) ([]step, []dcol) {
	scope := inputScope()
	var steps []step
	exploded := false
	for range g.r.IntN(maxSteps + 1) {
		switch k := g.r.IntN(4); {
		case k == 0 && !exploded:
			exploded = true
			g.tag("explode")
			var s step
			s, scope = g.explode(scope)
			steps = append(steps, s)
		case k == 1:
			var s step
			s, scope = g.project(scope)
			steps = append(steps, s)
		default:
			cond := g.pred(scope, 2)
			for i := 0; i < 4 && len(expr.Columns(cond)) == 0; i++ {
				cond = g.pred(scope, 2)
			}
			steps = append(steps, func(in plan.Node) (plan.Node, error) { return plan.NewFilter(in, cond) })
		}
	}
	return steps, scope
}

func (g *dgen) explode(scope []dcol) (step, []dcol) {
	strs := colsOf(scope, tStr)
	var list expr.Expr
	if len(strs) > 0 && g.r.IntN(4) > 0 {
		list = expr.Col(pick(g, strs).name)
	} else {
		list = g.colExpr(scope, tStr, 1)
	}
	list = expr.Split(list, pick(g, []string{" ", ",", "[ ,]"}))
	as := g.fresh("w")
	var drop []string
	var out []dcol
	for _, c := range scope {
		if len(scope)-len(drop) > 1 && g.r.IntN(4) == 0 {
			drop = append(drop, c.name)
			continue
		}
		out = append(out, c)
	}
	out = append(out, dcol{as, tStr})
	return func(in plan.Node) (plan.Node, error) {
		e, err := plan.NewExplode(in, list, as)
		if err != nil || len(drop) == 0 {
			return e, err
		}
		return e.WithDrop(drop)
	}, out
}

func (g *dgen) project(scope []dcol) (step, []dcol) {
	var exprs []expr.Expr
	var out []dcol
	for _, c := range scope {
		if g.r.IntN(3) > 0 {
			exprs = append(exprs, expr.Col(c.name))
			out = append(out, c)
		}
	}
	for range 1 + g.r.IntN(2) {
		t := pick(g, []dtype{tInt, tInt, tFloat, tStr, tBool})
		name := g.fresh("e")
		exprs = append(exprs, expr.As(g.colExpr(scope, t, 2), name))
		out = append(out, dcol{name, t})
	}
	return func(in plan.Node) (plan.Node, error) { return plan.NewProject(in, exprs) }, out
}

// from is a stateless input and its scope: a chain over table 0, or the
// union of chains projected to the same types. With two, the union reads
// both tables.
func (g *dgen) from(two bool, maxSteps int) (builder, []dcol) {
	if !two && g.r.IntN(4) > 0 {
		steps, scope := g.chain(maxSteps)
		return func(scan scanFunc) (plan.Node, error) { return buildSteps(scan(0), steps) }, scope
	}
	g.tag("union")
	scope := []dcol{{"u0", pick(g, []dtype{tInt, tFloat, tStr})}, {"u1", pick(g, []dtype{tInt, tStr, tBool})}, {"u2", pick(g, []dtype{tInt, tFloat})}}
	tables := []int{0, 0}
	if two {
		tables = []int{0, 1}
		if g.r.IntN(3) == 0 {
			tables = append(tables, g.r.IntN(2))
		}
	}
	var branches [][]step
	for range tables {
		steps, in := g.chain(min(maxSteps, 2))
		var exprs []expr.Expr
		for _, c := range scope {
			exprs = append(exprs, expr.As(expr.Cast(g.colExpr(in, c.t, 2), c.t.arrow()), c.name))
		}
		steps = append(steps, func(in plan.Node) (plan.Node, error) { return plan.NewProject(in, exprs) })
		branches = append(branches, steps)
	}
	return func(scan scanFunc) (plan.Node, error) {
		var ins []plan.Node
		for i, b := range branches {
			n, err := buildSteps(scan(tables[i]), b)
			if err != nil {
				return nil, err
			}
			ins = append(ins, n)
		}
		return plan.NewUnion(ins...)
	}, scope
}

// stateless is a query without state over one stream or two.
func (g *dgen) stateless(two bool) diffQuery {
	from, scope := g.from(two, 3)
	b := from
	if g.r.IntN(4) == 0 {
		cond := g.pred(scope, 2)
		b = func(scan scanFunc) (plan.Node, error) {
			in, err := from(scan)
			if err != nil {
				return nil, err
			}
			return plan.NewFilter(in, cond)
		}
	}
	return diffQuery{sources: sourcesOf(two), build: b, tags: g.tags}
}

func sourcesOf(two bool) int {
	if two {
		return 2
	}
	return 1
}

// aggregate is a streaming aggregation over a stateless input: 0–2 grouping
// keys (columns or computed, aliased) and 1–4 aggregates with mergeable
// state, maybe under a projection, and in Complete mode a filter (HAVING)
// and a sort, maybe limited.
func (g *dgen) aggregate(two bool, mode sink.OutputMode) diffQuery {
	from, scope := g.from(two, 2)
	var keys []expr.Expr
	var keyScope []dcol
	for j := range g.r.IntN(3) {
		if g.r.IntN(3) > 0 {
			// a column; floats only rarely, as a key with -0.0 and NaN
			c := pick(g, scope)
			if c.t != tFloat || g.r.IntN(3) == 0 {
				if !slices.Contains(keyScope, c) {
					keys = append(keys, expr.Col(c.name))
					keyScope = append(keyScope, c)
				}
				continue
			}
		}
		t := pick(g, []dtype{tInt, tStr, tBool})
		name := fmt.Sprintf("key%d", j)
		keys = append(keys, expr.As(g.colExpr(scope, t, 1), name))
		keyScope = append(keyScope, dcol{name, t})
	}
	var aggs []expr.Expr
	var aggScope []dcol
	for j := range 1 + g.r.IntN(4) {
		fn, t := g.aggFunc(scope)
		name := fmt.Sprintf("agg%d", j)
		aggs = append(aggs, expr.As(fn, name))
		aggScope = append(aggScope, dcol{name, t})
	}
	post, ordered := g.post(mode, keyScope, aggScope)
	return diffQuery{agg: true, ordered: ordered, sources: sourcesOf(two), tags: g.tags, build: func(scan scanFunc) (plan.Node, error) {
		in, err := from(scan)
		if err != nil {
			return nil, err
		}
		agg, err := plan.NewAggregate(in, keys, aggs)
		if err != nil {
			return nil, err
		}
		return buildSteps(agg, post)
	}}
}

// post returns the steps above an aggregation whose output is keys then
// aggs. Its output keeps the keys first, so that Update output folds by
// them. A filter would make the fold of Update output differ from the batch
// result (a group updated out of the filter keeps its old row), so only
// Complete mode filters; sorting and limiting need Complete mode too.
// ordered is set when the output has one order: sorted by non-float
// columns ending with every key, which are unique per row.
func (g *dgen) post(mode sink.OutputMode, keys, aggs []dcol) (steps []step, ordered bool) {
	out := slices.Concat(keys, aggs)
	if g.r.IntN(3) == 0 {
		exprs := make([]expr.Expr, 0, len(out))
		var next []dcol
		for _, k := range keys {
			exprs = append(exprs, expr.Col(k.name))
			next = append(next, k)
		}
		for _, a := range aggs {
			if g.r.IntN(3) > 0 {
				exprs = append(exprs, expr.Col(a.name))
				next = append(next, a)
			}
		}
		for range g.r.IntN(3) {
			t := pick(g, []dtype{tInt, tFloat, tStr, tBool})
			name := g.fresh("p")
			exprs = append(exprs, expr.As(g.colExpr(out, t, 2), name))
			next = append(next, dcol{name, t})
		}
		if len(exprs) == 0 {
			exprs, next = []expr.Expr{expr.As(expr.Lit(int64(1)), "one")}, []dcol{{"one", tInt}}
		}
		steps = append(steps, func(in plan.Node) (plan.Node, error) { return plan.NewProject(in, exprs) })
		out = next
		g.tag("post-project")
	}
	if mode != sink.Complete {
		return steps, false
	}
	if g.r.IntN(3) == 0 {
		cond := g.pred(out, 1)
		steps = append(steps, func(in plan.Node) (plan.Node, error) { return plan.NewFilter(in, cond) })
		g.tag("having")
	}
	if g.r.IntN(2) == 0 || slices.ContainsFunc(keys, func(c dcol) bool { return c.t == tFloat }) {
		return steps, false
	}
	var sortKeys []plan.SortKey
	for _, c := range out {
		if c.t != tFloat && !slices.Contains(keys, c) && g.r.IntN(2) == 0 {
			sortKeys = append(sortKeys, plan.SortKey{Expr: expr.Col(c.name), Desc: g.r.IntN(2) == 0})
		}
	}
	for _, i := range g.r.Perm(len(keys)) {
		sortKeys = append(sortKeys, plan.SortKey{Expr: expr.Col(keys[i].name), Desc: g.r.IntN(2) == 0})
	}
	if len(sortKeys) == 0 {
		return steps, false
	}
	steps = append(steps, func(in plan.Node) (plan.Node, error) { return plan.NewSort(in, sortKeys) })
	g.tag("sort")
	if g.r.IntN(2) == 0 {
		g.tag("limit")
		n := int64(1 + g.r.IntN(5))
		steps = append(steps, func(in plan.Node) (plan.Node, error) { return plan.NewLimit(in, n) })
	}
	return steps, true
}

// aggFunc is count(*), count, sum, avg, min, max or count(DISTINCT) of a
// column or expression, and its result type. first and last are left out:
// they depend on the order rows arrive in, which Spark leaves undefined.
func (g *dgen) aggFunc(scope []dcol) (*expr.AggFunc, dtype) {
	var t dtype
	arg := func(ts ...dtype) expr.Expr {
		t = pick(g, ts)
		if c := colsOf(scope, t); len(c) > 0 && g.r.IntN(3) > 0 {
			return expr.Col(pick(g, c).name)
		}
		return g.colExpr(scope, t, 1)
	}
	switch g.r.IntN(7) {
	case 0:
		return expr.CountStar(), tInt
	case 1:
		return expr.Count(arg(tInt, tFloat, tStr, tBool)), tInt
	case 2:
		fn := expr.Sum(arg(tInt, tInt, tFloat))
		return fn, t
	case 3:
		return expr.Avg(arg(tInt, tFloat)), tFloat
	case 4:
		fn := expr.Min(arg(tInt, tFloat, tStr, tBool))
		return fn, t
	case 5:
		fn := expr.Max(arg(tInt, tFloat, tStr, tBool))
		return fn, t
	}
	return expr.CountDistinct(arg(tInt, tFloat, tStr, tBool)), tInt
}

// staticTable is the batch side's input: all rows at rest.
type staticTable struct {
	name string
	recs []arrow.RecordBatch
}

var _ plan.Table = (*staticTable)(nil)

func (t *staticTable) Name() string          { return t.name }
func (t *staticTable) Schema() *arrow.Schema { return diffSchema }

func (t *staticTable) Scan(context.Context, memory.Allocator, []string, []expr.Expr) (batch.Reader, error) {
	for _, r := range t.recs {
		r.Retain()
	}
	return batch.NewSliceReader(diffSchema, slices.Clone(t.recs)...), nil
}

// diffCell is one value of a result row.
type diffCell struct {
	null  bool
	float bool
	f     float64
	s     string // the value's text; for floats, rounded for sorting
}

type diffRow []diffCell

// rowsOf turns records into rows.
func rowsOf(recs []arrow.RecordBatch) []diffRow {
	var out []diffRow
	for _, rec := range recs {
		for i := range int(rec.NumRows()) {
			rw := make(diffRow, rec.NumCols())
			for j, col := range rec.Columns() {
				rw[j] = cellOf(col, i)
			}
			out = append(out, rw)
		}
	}
	return out
}

func cellOf(a arrow.Array, i int) diffCell {
	if a.IsNull(i) {
		return diffCell{null: true, s: "NULL"}
	}
	var f float64
	switch a := a.(type) {
	case *array.Float64:
		f = a.Value(i)
	case *array.Float32:
		f = float64(a.Value(i))
	case *array.String:
		return diffCell{s: strconv.Quote(a.Value(i))}
	default:
		return diffCell{s: a.ValueStr(i)}
	}
	if f == 0 {
		f = 0 // -0.0 and 0.0 are one value
	}
	return diffCell{float: true, f: f, s: strconv.FormatFloat(f, 'g', 9, 64)}
}

func (r diffRow) String() string {
	parts := make([]string, len(r))
	for i, c := range r {
		parts[i] = c.s
	}
	return strings.Join(parts, " | ")
}

// key is the row's first n cells, for folding Update output by group.
func (r diffRow) key(n int) string { return diffRow(r[:n]).String() }

func (c diffCell) equal(d diffCell) bool {
	switch {
	case c.null || d.null:
		return c.null == d.null
	case c.float != d.float:
		return false
	case !c.float:
		return c.s == d.s
	case math.IsNaN(c.f) || math.IsNaN(d.f):
		return math.IsNaN(c.f) && math.IsNaN(d.f)
	}
	return math.Abs(c.f-d.f) <= 1e-9*max(1, math.Abs(c.f), math.Abs(d.f))
}

func (r diffRow) equal(s diffRow) bool {
	return slices.EqualFunc(r, s, diffCell.equal)
}

func sortRows(rows []diffRow) {
	slices.SortFunc(rows, func(a, b diffRow) int { return strings.Compare(a.String(), b.String()) })
}

// sameMultiset reports whether got and want hold the same rows, as
// multisets, floats compared with a relative tolerance.
func sameMultiset(got, want []diffRow) bool {
	if len(got) != len(want) {
		return false
	}
	used := make([]bool, len(got))
next:
	for _, w := range want {
		for i, g := range got {
			if !used[i] && g.equal(w) {
				used[i] = true
				continue next
			}
		}
		return false
	}
	return true
}

func showRows(rows []diffRow) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("  " + r.String() + "\n")
	}
	return b.String()
}
