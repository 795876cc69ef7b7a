package plan

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

// wantErr checks err contains every fragment.
func wantErr(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one containing %q", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not contain %q", err, f)
		}
	}
}

// wantUnknown checks err wraps an UnknownColumnError for name listing
// available.
func wantUnknown(t *testing.T, err error, name string, available ...string) {
	t.Helper()
	var u *expr.UnknownColumnError
	if !errors.As(err, &u) {
		t.Fatalf("error %v is not an UnknownColumnError", err)
	}
	if u.Name != name || !reflect.DeepEqual(u.Available, available) {
		t.Errorf("unknown column %q in %v, want %q in %v", u.Name, u.Available, name, available)
	}
}

func wantTypeError(t *testing.T, err error) {
	t.Helper()
	var te *expr.TypeError
	if !errors.As(err, &te) {
		t.Fatalf("error %v is not a TypeError", err)
	}
}

func TestScanPushdown(t *testing.T) {
	s := NewScan(words)
	if !s.Schema().Equal(words.schema) {
		t.Fatalf("schema %v", s.Schema())
	}
	p, err := s.WithPushdown([]string{"n", "word"}, mustExprs("n > 1"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fieldNames(p.Schema()); !reflect.DeepEqual(got, []string{"n", "word"}) {
		t.Errorf("columns %v", got)
	}
	if got, want := p.String(), "Scan words [n, word] filters=[(n > 1)]"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	// A filter may use a column the scan does not output.
	if _, err := s.WithPushdown([]string{"word"}, mustExprs("n > 1")); err != nil {
		t.Errorf("filter on an unread column: %v", err)
	}
	if s.Columns != nil || s.Filters != nil {
		t.Errorf("WithPushdown modified its receiver")
	}

	_, err = s.WithPushdown([]string{"word", "nope"}, nil)
	wantUnknown(t, err, "nope", "word", "n", "tags")
	wantErr(t, err, "scan words")
	_, err = s.WithPushdown([]string{"word", "word"}, nil)
	wantErr(t, err, "scan words", `duplicate output column "word"`)
	_, err = s.WithPushdown(nil, mustExprs("nope > 1"))
	wantUnknown(t, err, "nope", "word", "n", "tags")
	wantErr(t, err, "scan words filter (nope > 1)")
	_, err = s.WithPushdown(nil, mustExprs("n + 1"))
	wantTypeError(t, err)
	_, err = s.WithPushdown(nil, []expr.Expr{expr.Gt(expr.CountStar(), expr.Lit(1))})
	wantErr(t, err, "only allowed in an Aggregate")
}

func TestProjectErrors(t *testing.T) {
	in := NewScan(words)
	for _, tc := range []struct {
		exprs   []string
		unknown string
		want    []string
	}{
		{exprs: []string{"word", "nope"}, unknown: "nope", want: []string{"project expression nope"}},
		{exprs: []string{"(nope + 1) AS x"}, unknown: "nope", want: []string{"project expression (nope + 1) AS x"}},
		{exprs: []string{"word", "n AS word"}, want: []string{`duplicate output column "word"`}},
		{exprs: []string{"sum(n)"}, want: []string{"project expression sum(n)", "only allowed in an Aggregate"}},
		{exprs: []string{"explode(tags) AS t"}, want: []string{"only allowed as an Explode"}},
		{exprs: []string{"word + 1"}, want: []string{"project expression (word + 1)"}},
		{exprs: nil, want: []string{"project: no expressions"}},
	} {
		_, err := NewProject(in, mustExprs(tc.exprs...))
		wantErr(t, err, tc.want...)
		if tc.unknown != "" {
			wantUnknown(t, err, tc.unknown, "word", "n", "tags")
		}
	}
}

func TestProjectSchema(t *testing.T) {
	p, err := NewProject(NewScan(words), mustExprs("word AS w", "n", "n + 1"))
	if err != nil {
		t.Fatal(err)
	}
	want := arrow.NewSchema([]arrow.Field{
		field("w", utf8, false), // a plain column keeps its nullability
		field("n", i64, true),
		field("(n + 1)", i64, true), // anything computed may be NULL
	}, nil)
	if !p.Schema().Equal(want) {
		t.Errorf("schema\n%v\nwant\n%v", p.Schema(), want)
	}
}

func TestFilterErrors(t *testing.T) {
	in := NewScan(words)
	_, err := NewFilter(in, mustExpr("nope = 1"))
	wantUnknown(t, err, "nope", "word", "n", "tags")
	wantErr(t, err, "filter condition (nope = 1)")
	_, err = NewFilter(in, mustExpr("n + 1"))
	wantTypeError(t, err)
	wantErr(t, err, "filter condition", "(n + 1)", "want boolean")
	_, err = NewFilter(in, expr.Gt(expr.CountStar(), expr.Lit(1)))
	wantErr(t, err, "only allowed in an Aggregate")
	_, err = NewFilter(in, nil)
	wantErr(t, err, "missing expression")
	if _, err := NewFilter(in, expr.Lit(nil)); err != nil {
		t.Errorf("a NULL condition is allowed (it keeps no row): %v", err)
	}
}

func TestExplodeErrors(t *testing.T) {
	in := NewScan(words)
	_, err := NewExplode(in, mustExpr("nope"), "x")
	wantUnknown(t, err, "nope", "word", "n", "tags")
	wantErr(t, err, "explode list nope")
	_, err = NewExplode(in, mustExpr("n"), "x")
	wantTypeError(t, err)
	wantErr(t, err, "want a list")
	_, err = NewExplode(in, mustExpr("tags"), "word")
	wantErr(t, err, `element column "word" is already an input column`)
	_, err = NewExplode(in, mustExpr("tags"), "")
	wantErr(t, err, "empty element column name")

	e, err := NewExplode(in, mustExpr("tags"), "tag")
	if err != nil {
		t.Fatal(err)
	}
	if got := fieldNames(e.Schema()); !reflect.DeepEqual(got, []string{"word", "n", "tags", "tag"}) {
		t.Errorf("columns %v", got)
	}
	if f := e.Schema().Field(3); !arrow.TypeEqual(f.Type, utf8) || !f.Nullable {
		t.Errorf("element field %v", f)
	}

	d, err := e.WithDrop([]string{"tags", "n"})
	if err != nil {
		t.Fatal(err)
	}
	if got := fieldNames(d.Schema()); !reflect.DeepEqual(got, []string{"word", "tag"}) {
		t.Errorf("columns after drop %v", got)
	}
	_, err = e.WithDrop([]string{"nope"})
	wantErr(t, err, `dropped column "nope" is not an input column`)
}

func TestAggregateErrors(t *testing.T) {
	in := NewScan(words)
	for _, tc := range []struct {
		groupBy, aggs []string
		unknown       string
		want          []string
	}{
		{groupBy: []string{"nope"}, unknown: "nope", want: []string{"aggregate group-by key nope"}},
		{aggs: []string{"sum(nope) AS s"}, unknown: "nope", want: []string{"aggregate sum(nope) AS s"}},
		{groupBy: []string{"word"}, aggs: []string{"n"}, want: []string{"aggregate n: not an aggregate function"}},
		{aggs: []string{"sum(n) + 1"}, want: []string{"not an aggregate function"}},
		{aggs: []string{"sum(count(*))"}, want: []string{"cannot be nested"}},
		{groupBy: []string{"count(*)"}, want: []string{"aggregate group-by key count(*)", "only allowed in an Aggregate"}},
		{groupBy: []string{"word"}, aggs: []string{"count(*) AS word"}, want: []string{`duplicate output column "word"`}},
		{want: []string{"no grouping keys and no aggregates"}},
	} {
		_, err := NewAggregate(in, mustExprs(tc.groupBy...), mustExprs(tc.aggs...))
		wantErr(t, err, tc.want...)
		if tc.unknown != "" {
			wantUnknown(t, err, tc.unknown, "word", "n", "tags")
		}
	}
}

func TestAggregateSchema(t *testing.T) {
	a, err := NewAggregate(NewScan(words), mustExprs("word", "n AS k"), mustExprs("count(*) AS c", "sum(n)"))
	if err != nil {
		t.Fatal(err)
	}
	want := arrow.NewSchema([]arrow.Field{
		field("word", utf8, false),
		field("k", i64, true),
		field("c", i64, false), // count is never NULL
		field("sum(n)", i64, true),
	}, nil)
	if !a.Schema().Equal(want) {
		t.Errorf("schema\n%v\nwant\n%v", a.Schema(), want)
	}
	if got, want := a.String(), "Aggregate [word, n AS k] [count(*) AS c, sum(n)]"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestSortLimitErrors(t *testing.T) {
	in := NewScan(words)
	_, err := NewSort(in, []SortKey{{Expr: mustExpr("nope")}})
	wantUnknown(t, err, "nope", "word", "n", "tags")
	wantErr(t, err, "sort key nope")
	_, err = NewSort(in, []SortKey{{Expr: mustExpr("tags")}})
	wantTypeError(t, err)
	_, err = NewSort(in, nil)
	wantErr(t, err, "sort: no keys")
	_, err = NewLimit(in, -1)
	wantErr(t, err, "limit -1")
	if _, err := NewLimit(in, 0); err != nil {
		t.Errorf("limit 0: %v", err)
	}
	s, err := NewSort(in, []SortKey{{Expr: mustExpr("n"), Desc: true}, {Expr: mustExpr("word")}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.String(), "Sort [n DESC, word]"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestJoinErrors(t *testing.T) {
	u, o := NewScan(users), NewScan(orders)
	keys := func(srcs ...string) []expr.Expr { return mustExprs(srcs...) }
	_, err := NewJoin(u, o, InnerJoin, keys("nope"), keys("user_id"), nil)
	wantUnknown(t, err, "nope", "id", "name", "age")
	wantErr(t, err, "inner join left key nope")
	_, err = NewJoin(u, o, LeftJoin, keys("id"), keys("nope"), nil)
	wantUnknown(t, err, "nope", "id", "user_id", "amount", "note")
	wantErr(t, err, "left join right key nope")
	_, err = NewJoin(u, o, InnerJoin, keys("name"), keys("user_id"), nil)
	wantTypeError(t, err)
	wantErr(t, err, "name = user_id", "cannot be compared")
	_, err = NewJoin(u, o, InnerJoin, nil, nil, mustExpr("id = user_id"))
	wantErr(t, err, "cross joins are not supported yet")
	_, err = NewJoin(u, o, InnerJoin, keys("id"), keys("user_id", "id"), nil)
	wantErr(t, err, "1 left keys but 2 right keys")
	_, err = NewJoin(u, o, InnerJoin, keys("id"), keys("user_id"), mustExpr("amount + age"))
	wantTypeError(t, err)
	wantErr(t, err, "inner join condition")
	// The condition sees the renamed right columns, not the original names.
	_, err = NewJoin(u, o, InnerJoin, keys("id"), keys("user_id"), mustExpr("nope > 1"))
	wantUnknown(t, err, "nope", "id", "name", "age", "id_right", "user_id", "amount", "note")
	_, err = NewJoin(u, o, JoinType(42), keys("id"), keys("user_id"), nil)
	wantErr(t, err, "unknown join type 42")
	_, err = NewJoin(u, o, InnerJoin, keys("sum(id)"), keys("user_id"), nil)
	wantErr(t, err, "only allowed in an Aggregate")

	// A rename that collides again is refused rather than renamed twice.
	clash, err := NewProject(NewScan(orders), mustExprs("id", "user_id AS id_right"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewJoin(clash, u, InnerJoin, keys("id"), keys("id"), nil)
	wantErr(t, err, `duplicate output column "id_right"`, "renamed")

	if _, err := NewJoin(u, o, SemiJoin, keys("id"), keys("user_id"), mustExpr("amount > age AND id_right > id")); err != nil {
		t.Errorf("semi join condition over both sides: %v", err)
	}
}

func TestUnionErrors(t *testing.T) {
	_, err := NewUnion()
	wantErr(t, err, "union: no inputs")
	_, err = NewUnion(NewScan(words), NewScan(scores))
	wantErr(t, err, "column 1 (n)", "int64 in input 0", "float64 in input 1")
	_, err = NewUnion(NewScan(words), NewScan(words), NewScan(users))
	wantErr(t, err, "column 0 (word)", "input 2")
	short, err := NewProject(NewScan(lines), mustExprs("text", "count"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewUnion(NewScan(words), short)
	wantErr(t, err, "input 1 has 2 columns", "input 0 has 3")

	// Names come from the first input; a column is nullable if it is in any.
	nullable, err := NewProject(NewScan(lines), mustExprs("lower(text) AS t", "count", "labels"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := NewUnion(NewScan(words), nullable)
	if err != nil {
		t.Fatal(err)
	}
	if f := u.Schema().Field(0); f.Name != "word" || !f.Nullable {
		t.Errorf("first field %v, want nullable word", f)
	}
}

// TestWithChildren checks every node rebuilds over new children, re-analyzing:
// a child without a column the node uses is an error.
func TestWithChildren(t *testing.T) {
	w := NewScan(words)
	narrow, err := w.WithPushdown([]string{"word"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(n Node, err error) Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	nodes := []struct {
		n       Node
		unknown string // the column narrow lacks
	}{
		{mk(NewProject(w, mustExprs("n"))), "n"},
		{mk(NewFilter(w, mustExpr("n > 1"))), "n"},
		{mk(NewExplode(w, mustExpr("tags"), "tag")), "tags"},
		{mk(NewAggregate(w, mustExprs("n"), nil)), "n"},
		{mk(NewSort(w, []SortKey{{Expr: mustExpr("n")}})), "n"},
	}
	for _, tc := range nodes {
		n := tc.n
		same, err := n.WithChildren(n.Children())
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if same.String() != n.String() || !same.Schema().Equal(n.Schema()) {
			t.Errorf("%s rebuilt as %s", n, same)
		}
		_, err = n.WithChildren([]Node{narrow})
		wantUnknown(t, err, tc.unknown, "word")
		_, err = n.WithChildren(nil)
		wantErr(t, err, "got 0 children, want 1")
	}
	l := mk(NewLimit(w, 3))
	if _, err := l.WithChildren([]Node{narrow}); err != nil {
		t.Errorf("limit over a narrower input: %v", err)
	}
	j := mk(NewJoin(NewScan(users), NewScan(orders), InnerJoin, mustExprs("id"), mustExprs("user_id"), nil))
	_, err = j.WithChildren([]Node{NewScan(users)})
	wantErr(t, err, "got 1 children, want 2")
	_, err = j.WithChildren([]Node{NewScan(users), narrow})
	wantUnknown(t, err, "user_id", "word")
	_, err = w.WithChildren([]Node{w})
	wantErr(t, err, "got 1 children, want 0")
}

// TestAnalyze checks Analyze rebuilds a hand-assembled plan and reports what
// is wrong with a broken one.
func TestAnalyze(t *testing.T) {
	hand := &Project{
		Input: &Filter{Input: &Scan{Table: words}, Cond: mustExpr("n > 1")},
		Exprs: mustExprs("word", "n * 2 AS m"),
	}
	n, err := Analyze(hand)
	if err != nil {
		t.Fatal(err)
	}
	if got := fieldNames(n.Schema()); !reflect.DeepEqual(got, []string{"word", "m"}) {
		t.Errorf("columns %v", got)
	}
	broken := &Filter{Input: &Scan{Table: users}, Cond: mustExpr("word = \"a\"")}
	_, err = Analyze(broken)
	wantUnknown(t, err, "word", "id", "name", "age")
}

func TestExplain(t *testing.T) {
	j, err := NewJoin(NewScan(users), NewScan(orders), LeftJoin, mustExprs("id"), mustExprs("user_id"), mustExpr("amount > age"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewLimit(j, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := "Limit 5\n" +
		"  Join left [id = user_id] extra=(amount > age)\n" +
		"    Scan users [id, name, age]\n" +
		"    Scan orders [id, user_id, amount, note]\n"
	if got := Explain(l); got != want {
		t.Errorf("Explain:\n%s\nwant:\n%s", got, want)
	}
}
