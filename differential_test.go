package sluice_test

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice"
)

// The differential test runs random queries through the engine and through a
// deliberately simple row-at-a-time reference written here, and requires the
// same multiset of rows. Values in the reference are nil (NULL), int64,
// float64, string or bool.

type row map[string]any

type refTable struct {
	cols  []string
	types []arrow.DataType
	rows  []row
}

// refExpr is a generated expression: its engine form and its reference
// evaluation.
type refExpr struct {
	col  sluice.Column
	eval func(row) any
	text string
}

type gen struct {
	r *rand.Rand
}

func (g *gen) table(cols []string, types []arrow.DataType) *refTable {
	t := &refTable{cols: cols, types: types}
	n := g.r.IntN(40)
	for i := 0; i < n; i++ {
		rw := row{}
		for j, c := range cols {
			if g.r.IntN(7) == 0 {
				rw[c] = nil
				continue
			}
			switch types[j].ID() {
			case arrow.INT64:
				rw[c] = int64(g.r.IntN(11) - 5)
			case arrow.FLOAT64:
				rw[c] = float64(g.r.IntN(9)-4) * 1.25
			case arrow.STRING:
				rw[c] = []string{"x", "y", "z", "xy", ""}[g.r.IntN(5)]
			}
		}
		t.rows = append(t.rows, rw)
	}
	return t
}

// records builds the table as Arrow records, split at random points.
func (t *refTable) records(mem memory.Allocator, r *rand.Rand) (*arrow.Schema, []arrow.RecordBatch) {
	fields := make([]arrow.Field, len(t.cols))
	for i, c := range t.cols {
		fields[i] = arrow.Field{Name: c, Type: t.types[i], Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	var recs []arrow.RecordBatch
	for start := 0; start < len(t.rows); {
		end := min(len(t.rows), start+1+r.IntN(16))
		b := array.NewRecordBuilder(mem, schema)
		for _, rw := range t.rows[start:end] {
			for j, c := range t.cols {
				fb := b.Field(j)
				v := rw[c]
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
				}
			}
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
		start = end
	}
	return schema, recs
}

func (g *gen) intExpr(cols []string, depth int) refExpr {
	if depth <= 0 || g.r.IntN(3) == 0 {
		if g.r.IntN(4) == 0 {
			v := int64(g.r.IntN(7) - 3)
			return refExpr{sluice.Lit(v), func(row) any { return v }, fmt.Sprint(v)}
		}
		c := cols[g.r.IntN(len(cols))]
		return refExpr{sluice.Col(c), func(rw row) any { return rw[c] }, c}
	}
	l, r := g.intExpr(cols, depth-1), g.intExpr(cols, depth-1)
	type op struct {
		name string
		col  func(a, b sluice.Column) sluice.Column
		f    func(a, b int64) (int64, bool)
	}
	ops := []op{
		{"+", func(a, b sluice.Column) sluice.Column { return a.Add(b) }, func(a, b int64) (int64, bool) { return a + b, true }},
		{"-", func(a, b sluice.Column) sluice.Column { return a.Sub(b) }, func(a, b int64) (int64, bool) { return a - b, true }},
		{"*", func(a, b sluice.Column) sluice.Column { return a.Mul(b) }, func(a, b int64) (int64, bool) { return a * b, true }},
		{"%", func(a, b sluice.Column) sluice.Column { return a.Mod(b) }, func(a, b int64) (int64, bool) {
			if b == 0 {
				return 0, false // Spark: modulo by zero is NULL
			}
			return a % b, true
		}},
	}
	o := ops[g.r.IntN(len(ops))]
	return refExpr{o.col(l.col, r.col), func(rw row) any {
		a, b := l.eval(rw), r.eval(rw)
		if a == nil || b == nil {
			return nil
		}
		v, ok := o.f(a.(int64), b.(int64))
		if !ok {
			return nil
		}
		return v
	}, "(" + l.text + " " + o.name + " " + r.text + ")"}
}

func (g *gen) floatExpr(intCols []string, floatCol string) refExpr {
	if g.r.IntN(2) == 0 {
		l, r := g.intExpr(intCols, 1), g.intExpr(intCols, 1)
		return refExpr{l.col.Div(r.col), func(rw row) any {
			a, b := l.eval(rw), r.eval(rw)
			if a == nil || b == nil || b.(int64) == 0 {
				return nil // Spark: division by zero is NULL
			}
			return float64(a.(int64)) / float64(b.(int64))
		}, "(" + l.text + " / " + r.text + ")"}
	}
	c := floatCol
	return refExpr{sluice.Col(c).Add(sluice.Lit(0.5)), func(rw row) any {
		if rw[c] == nil {
			return nil
		}
		return rw[c].(float64) + 0.5
	}, "(" + c + " + 0.5)"}
}

func cmpResult(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

func compareValues(a, b any) int {
	switch x := a.(type) {
	case int64:
		y := b.(int64)
		return cmpOrdered(x, y)
	case float64:
		return cmpOrdered(x, b.(float64))
	case string:
		return strings.Compare(x, b.(string))
	}
	panic(fmt.Sprintf("compare %T", a))
}

func cmpOrdered[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (g *gen) boolExpr(intCols []string, strCol string, depth int) refExpr {
	if depth > 0 && g.r.IntN(2) == 0 {
		l, r := g.boolExpr(intCols, strCol, depth-1), g.boolExpr(intCols, strCol, depth-1)
		switch g.r.IntN(3) {
		case 0:
			return refExpr{l.col.And(r.col), func(rw row) any { return and3(l.eval(rw), r.eval(rw)) }, "(" + l.text + " AND " + r.text + ")"}
		case 1:
			return refExpr{l.col.Or(r.col), func(rw row) any { return or3(l.eval(rw), r.eval(rw)) }, "(" + l.text + " OR " + r.text + ")"}
		default:
			return refExpr{sluice.Not(l.col), func(rw row) any {
				v := l.eval(rw)
				if v == nil {
					return nil
				}
				return !v.(bool)
			}, "NOT " + l.text}
		}
	}
	ops := []string{"=", "!=", "<", "<=", ">", ">="}
	op := ops[g.r.IntN(len(ops))]
	var l, r refExpr
	switch g.r.IntN(4) {
	case 0:
		c := strCol
		if g.r.IntN(3) == 0 {
			return refExpr{sluice.Col(c).IsNull(), func(rw row) any { return rw[c] == nil }, c + " IS NULL"}
		}
		s := []string{"x", "y", "xy", ""}[g.r.IntN(4)]
		l = refExpr{sluice.Col(c), func(rw row) any { return rw[c] }, c}
		r = refExpr{sluice.Lit(s), func(row) any { return s }, fmt.Sprintf("%q", s)}
	case 1:
		x := g.intExpr(intCols, 0)
		vals := []any{int64(g.r.IntN(5) - 2), int64(g.r.IntN(5) - 2)}
		return refExpr{x.col.IsIn(vals...), func(rw row) any {
			v := x.eval(rw)
			if v == nil {
				return nil
			}
			for _, w := range vals {
				if v == w {
					return true
				}
			}
			return false
		}, fmt.Sprintf("%s IN %v", x.text, vals)}
	default:
		l, r = g.intExpr(intCols, 1), g.intExpr(intCols, 1)
	}
	col := map[string]func(a, b sluice.Column) sluice.Column{
		"=": func(a, b sluice.Column) sluice.Column { return a.Eq(b) }, "!=": func(a, b sluice.Column) sluice.Column { return a.NotEq(b) },
		"<": func(a, b sluice.Column) sluice.Column { return a.Lt(b) }, "<=": func(a, b sluice.Column) sluice.Column { return a.Le(b) },
		">": func(a, b sluice.Column) sluice.Column { return a.Gt(b) }, ">=": func(a, b sluice.Column) sluice.Column { return a.Ge(b) },
	}[op]
	return refExpr{col(l.col, r.col), func(rw row) any {
		a, b := l.eval(rw), r.eval(rw)
		if a == nil || b == nil {
			return nil
		}
		return cmpResult(op, compareValues(a, b))
	}, "(" + l.text + " " + op + " " + r.text + ")"}
}

func and3(a, b any) any {
	if a == false || b == false {
		return false
	}
	if a == nil || b == nil {
		return nil
	}
	return true
}

func or3(a, b any) any {
	if a == true || b == true {
		return true
	}
	if a == nil || b == nil {
		return nil
	}
	return false
}
