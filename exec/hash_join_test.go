package exec

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
)

// The join tests join left (id, k int32, name, v) with right (id, rk int64,
// name, w): id and name clash, so the right ones are id_right and
// name_right in the joined row. k against rk exercises the common-type cast.
var (
	htLeftSchema = arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "k", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	htRightSchema = arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "rk", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "w", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
)

var htJoinTypes = []plan.JoinType{plan.InnerJoin, plan.LeftJoin, plan.RightJoin, plan.FullJoin, plan.SemiJoin, plan.AntiJoin}

// htJoinKeys are the key configurations: column indices on each side.
var htJoinKeys = []struct {
	name        string
	left, right []int
}{
	{"int", []int{1}, []int{1}},
	{"string", []int{2}, []int{2}},
	{"int+string", []int{1, 2}, []int{1, 2}},
	{"id", []int{0}, []int{0}},
}

// htJoinExtra is an Extra condition and its row-at-a-time reference.
type htJoinExtra struct {
	name string
	e    expr.Expr
	ref  func(l, r []any) bool
}

var htExtras = []htJoinExtra{
	{"none", nil, nil},
	{"v<w", expr.Lt(expr.Col("v"), expr.Col("w")), func(l, r []any) bool {
		return l[3] != nil && r[3] != nil && l[3].(int64) < r[3].(int64)
	}},
	{"id<id_right", expr.Lt(expr.Col("id"), expr.Col("id_right")), func(l, r []any) bool {
		return l[0] != nil && r[0] != nil && l[0].(int64) < r[0].(int64)
	}},
}

// htReferenceJoin joins row at a time, nested loops.
func htReferenceJoin(typ plan.JoinType, left, right [][]any, lk, rk []int, extra func(l, r []any) bool) []string {
	match := func(l, r []any) bool {
		for i := range lk {
			if l[lk[i]] == nil || r[rk[i]] == nil || l[lk[i]] != r[rk[i]] {
				return false
			}
		}
		return extra == nil || extra(l, r)
	}
	nulls := func(n int) []any { return make([]any, n) }
	format := func(vals ...[]any) string {
		var parts []string
		for _, vs := range vals {
			for _, v := range vs {
				parts = append(parts, htFormat(v))
			}
		}
		return strings.Join(parts, "|")
	}
	var out []string
	rightMatched := make([]bool, len(right))
	for _, l := range left {
		found := false
		for j, r := range right {
			if !match(l, r) {
				continue
			}
			found, rightMatched[j] = true, true
			if typ != plan.SemiJoin && typ != plan.AntiJoin {
				out = append(out, format(l, r))
			}
		}
		switch {
		case typ == plan.SemiJoin && found, typ == plan.AntiJoin && !found:
			out = append(out, format(l))
		case (typ == plan.LeftJoin || typ == plan.FullJoin) && !found:
			out = append(out, format(l, nulls(len(htRightSchema.Fields()))))
		}
	}
	if typ == plan.RightJoin || typ == plan.FullJoin {
		for j, r := range right {
			if !rightMatched[j] {
				out = append(out, format(nulls(len(htLeftSchema.Fields())), r))
			}
		}
	}
	return out
}

// htRandomJoinRows returns n rows (id, key, name, value) with small key
// domains so keys repeat on both sides, and NULLs in every column.
func htRandomJoinRows(rng *rand.Rand, n int) [][]any {
	names := []string{"a", "b", "c", "a long name, longer than sixteen bytes"}
	rows := make([][]any, n)
	for i := range rows {
		r := []any{int64(rng.Intn(6)), int64(rng.Intn(5) - 1), names[rng.Intn(len(names))], int64(rng.Intn(20))}
		for c := range r {
			if rng.Intn(7) == 0 {
				r[c] = nil
			}
		}
		rows[i] = r
	}
	return rows
}

func htKeyExprs(s *arrow.Schema, cols []int) []expr.Expr {
	out := make([]expr.Expr, len(cols))
	for i, c := range cols {
		out[i] = expr.Col(s.Field(c).Name)
	}
	return out
}

// htJoinOp builds the hash join operator through plan.NewJoin.
func htJoinOp(t testing.TB, left, right Operator, typ plan.JoinType, lk, rk []expr.Expr, extra expr.Expr) Operator {
	t.Helper()
	n, err := plan.NewJoin(&htNode{schema: left.Schema()}, &htNode{schema: right.Schema()}, typ, lk, rk, extra)
	if err != nil {
		t.Fatal(err)
	}
	op, err := newHashJoin(left, right, n)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func TestHashJoinRandom(t *testing.T) {
	for seed := int64(1); seed <= 8; seed++ {
		rng := rand.New(rand.NewSource(seed))
		sizes := []int{0, 1, 5, 40, 150}
		left := htRandomJoinRows(rng, sizes[rng.Intn(len(sizes))])
		right := htRandomJoinRows(rng, sizes[rng.Intn(len(sizes))])
		for _, keys := range htJoinKeys {
			for _, extra := range htExtras {
				for _, typ := range htJoinTypes {
					name := fmt.Sprintf("seed%d/%s/%s/%s", seed, keys.name, extra.name, typ)
					t.Run(name, func(t *testing.T) {
						mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
						defer mem.AssertSize(t, 0)
						ls := htSourceOf(t, mem, htLeftSchema, left, 1+rng.Intn(60))
						defer ls.release()
						rs := htSourceOf(t, mem, htRightSchema, right, 1+rng.Intn(60))
						defer rs.release()
						op := htJoinOp(t, ls, rs, typ, htKeyExprs(htLeftSchema, keys.left), htKeyExprs(htRightSchema, keys.right), extra.e)
						tc := NewTaskContext(mem)
						tc.BatchSize = 1 + rng.Intn(100)
						want := htReferenceJoin(typ, left, right, keys.left, keys.right, extra.ref)
						htEqual(t, htRun(t, op, tc), want)
					})
				}
			}
		}
	}
}

func TestHashJoinKnown(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	left := [][]any{
		{int64(1), int64(1), "a", int64(5)},
		{int64(2), int64(1), "b", int64(50)},
		{int64(3), nil, "c", int64(5)},
		{int64(4), int64(9), "d", int64(5)},
	}
	right := [][]any{
		{int64(10), int64(1), "x", int64(10)},
		{int64(11), int64(1), "y", int64(20)},
		{int64(12), nil, "z", int64(30)},
		{int64(13), int64(7), "w", int64(40)},
	}
	ls := htSourceOf(t, mem, htLeftSchema, left, 3)
	defer ls.release()
	rs := htSourceOf(t, mem, htRightSchema, right, 3)
	defer rs.release()
	k, rk := []expr.Expr{expr.Col("k")}, []expr.Expr{expr.Col("rk")}
	vw := expr.Lt(expr.Col("v"), expr.Col("w"))
	for _, c := range []struct {
		typ   plan.JoinType
		extra expr.Expr
		want  []string
	}{
		{plan.InnerJoin, nil, []string{
			`1|1|"a"|5|10|1|"x"|10`, `1|1|"a"|5|11|1|"y"|20`,
			`2|1|"b"|50|10|1|"x"|10`, `2|1|"b"|50|11|1|"y"|20`,
		}},
		{plan.LeftJoin, vw, []string{
			`1|1|"a"|5|10|1|"x"|10`, `1|1|"a"|5|11|1|"y"|20`,
			`2|1|"b"|50|NULL|NULL|NULL|NULL`, `3|NULL|"c"|5|NULL|NULL|NULL|NULL`, `4|9|"d"|5|NULL|NULL|NULL|NULL`,
		}},
		{plan.RightJoin, nil, []string{
			`1|1|"a"|5|10|1|"x"|10`, `1|1|"a"|5|11|1|"y"|20`,
			`2|1|"b"|50|10|1|"x"|10`, `2|1|"b"|50|11|1|"y"|20`,
			`NULL|NULL|NULL|NULL|12|NULL|"z"|30`, `NULL|NULL|NULL|NULL|13|7|"w"|40`,
		}},
		{plan.FullJoin, vw, []string{
			`1|1|"a"|5|10|1|"x"|10`, `1|1|"a"|5|11|1|"y"|20`,
			`2|1|"b"|50|NULL|NULL|NULL|NULL`, `3|NULL|"c"|5|NULL|NULL|NULL|NULL`, `4|9|"d"|5|NULL|NULL|NULL|NULL`,
			`NULL|NULL|NULL|NULL|12|NULL|"z"|30`, `NULL|NULL|NULL|NULL|13|7|"w"|40`,
		}},
		{plan.SemiJoin, vw, []string{`1|1|"a"|5`}},
		{plan.AntiJoin, vw, []string{`2|1|"b"|50`, `3|NULL|"c"|5`, `4|9|"d"|5`}},
	} {
		t.Run(c.typ.String(), func(t *testing.T) {
			op := htJoinOp(t, ls, rs, c.typ, k, rk, c.extra)
			htEqual(t, htRun(t, op, NewTaskContext(mem)), c.want)
		})
	}
}

func TestHashJoinSchema(t *testing.T) {
	ls, rs := &htSource{schema: htLeftSchema}, &htSource{schema: htRightSchema}
	k, rk := []expr.Expr{expr.Col("k")}, []expr.Expr{expr.Col("rk")}
	op := htJoinOp(t, ls, rs, plan.FullJoin, k, rk, expr.Lt(expr.Col("v"), expr.Col("w")))
	var names []string
	for _, f := range op.Schema().Fields() {
		names = append(names, f.Name)
	}
	if got, want := strings.Join(names, ","), "id,k,name,v,id_right,rk,name_right,w"; got != want {
		t.Errorf("columns %s, want %s", got, want)
	}
	if got, want := op.String(), "HashJoin full [k = rk] extra=v < w"; got != want && !strings.HasPrefix(got, "HashJoin full [k = rk] extra=") {
		t.Errorf("String() = %q, want %q", got, want)
	}
	semi := htJoinOp(t, ls, rs, plan.SemiJoin, k, rk, nil)
	if semi.Schema().NumFields() != htLeftSchema.NumFields() {
		t.Errorf("semi join has %d columns, want the left %d", semi.Schema().NumFields(), htLeftSchema.NumFields())
	}
}

func TestHashJoinNullTypedKey(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ls := htSourceOf(t, mem, htLeftSchema, [][]any{{int64(1), int64(1), "a", int64(1)}}, 1)
	defer ls.release()
	rs := htSourceOf(t, mem, htRightSchema, [][]any{{int64(2), int64(1), "a", int64(2)}}, 1)
	defer rs.release()
	lk, rk := []expr.Expr{expr.Lit(nil)}, []expr.Expr{expr.Col("rk")}
	htEqual(t, htRun(t, htJoinOp(t, ls, rs, plan.InnerJoin, lk, rk, nil), NewTaskContext(mem)), nil)
	htEqual(t, htRun(t, htJoinOp(t, ls, rs, plan.FullJoin, lk, rk, nil), NewTaskContext(mem)), []string{
		`1|1|"a"|1|NULL|NULL|NULL|NULL`, `NULL|NULL|NULL|NULL|2|1|"a"|2`,
	})
	htEqual(t, htRun(t, htJoinOp(t, ls, rs, plan.AntiJoin, lk, rk, nil), NewTaskContext(mem)), []string{`1|1|"a"|1`})
}

func TestHashJoinReaderLifecycle(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewSource(5))
	ls := htSourceOf(t, mem, htLeftSchema, htRandomJoinRows(rng, 200), 50)
	defer ls.release()
	rs := htSourceOf(t, mem, htRightSchema, htRandomJoinRows(rng, 200), 50)
	defer rs.release()
	op := htJoinOp(t, ls, rs, plan.FullJoin, []expr.Expr{expr.Col("k")}, []expr.Expr{expr.Col("rk")}, nil)
	tc := NewTaskContext(mem)
	tc.BatchSize = 8
	ctx := context.Background()
	for stop := 0; stop < 3; stop++ {
		r, err := op.Execute(ctx, tc)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < stop; i++ {
			rec, err := r.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			rec.Release()
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestHashJoinMixedKeyTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ls := arrow.NewSchema([]arrow.Field{{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	rs := arrow.NewSchema([]arrow.Field{{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true}, {Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true}}, nil)
	left := htSourceOf(t, mem, ls, [][]any{{int64(1), "a"}, {int64(2), "b"}, {nil, "c"}, {int64(3), nil}}, 2)
	defer left.release()
	right := htSourceOf(t, mem, rs, [][]any{{1.0, "a"}, {2.5, "b"}, {3.0, "x"}, {nil, "c"}, {1.0, "a"}}, 2)
	defer right.release()
	// int64 = float64 compares as float64.
	op := htJoinOp(t, left, right, plan.InnerJoin, []expr.Expr{expr.Col("i")}, []expr.Expr{expr.Col("f")}, nil)
	htEqual(t, htRun(t, op, NewTaskContext(mem)), []string{`1|"a"|1|"a"`, `1|"a"|1|"a"`, `3|NULL|3|"x"`})
	// string = large_string compares as large_string.
	op = htJoinOp(t, left, right, plan.SemiJoin, []expr.Expr{expr.Col("s")}, []expr.Expr{expr.Col("ls")}, nil)
	htEqual(t, htRun(t, op, NewTaskContext(mem)), []string{`1|"a"`, `2|"b"`, `NULL|"c"`})
	// Both at once: the generic multi-column path.
	op = htJoinOp(t, left, right, plan.LeftJoin, []expr.Expr{expr.Col("i"), expr.Col("s")}, []expr.Expr{expr.Col("f"), expr.Col("ls")}, nil)
	htEqual(t, htRun(t, op, NewTaskContext(mem)), []string{
		`1|"a"|1|"a"`, `1|"a"|1|"a"`, `2|"b"|NULL|NULL`, `NULL|"c"|NULL|NULL`, `3|NULL|NULL|NULL`,
	})
}
