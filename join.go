package sluice

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
)

// joinTypes maps Spark's join type names to plan join types.
var joinTypes = map[string]plan.JoinType{
	"inner": plan.InnerJoin, "": plan.InnerJoin,
	"left": plan.LeftJoin, "left_outer": plan.LeftJoin, "leftouter": plan.LeftJoin,
	"right": plan.RightJoin, "right_outer": plan.RightJoin, "rightouter": plan.RightJoin,
	"full": plan.FullJoin, "outer": plan.FullJoin, "full_outer": plan.FullJoin, "fullouter": plan.FullJoin,
	"semi": plan.SemiJoin, "left_semi": plan.SemiJoin, "leftsemi": plan.SemiJoin,
	"anti": plan.AntiJoin, "left_anti": plan.AntiJoin, "leftanti": plan.AntiJoin,
}

func parseJoinType(how string) (plan.JoinType, error) {
	t, ok := joinTypes[strings.ToLower(how)]
	if !ok {
		return 0, fmt.Errorf("unknown join type %q; use inner, left, right, full, semi or anti", how)
	}
	return t, nil
}

// JoinUsing joins with other on equality of the named columns, which both
// sides have; the result has each of them once (for right and full joins
// the value from whichever side has one), as Spark's join(other, Seq(cols)).
func (df *DataFrame) JoinUsing(other *DataFrame, cols []string, how string) *DataFrame {
	if other.err != nil {
		return other
	}
	return df.derive("join", func(left plan.Node) (plan.Node, error) {
		t, err := parseJoinType(how)
		if err != nil {
			return nil, err
		}
		if len(cols) == 0 {
			return nil, fmt.Errorf("join using needs at least one column")
		}
		lk := make([]expr.Expr, len(cols))
		rk := make([]expr.Expr, len(cols))
		for i, c := range cols {
			lk[i], rk[i] = expr.Col(c), expr.Col(c)
		}
		j, err := plan.NewJoin(left, other.node, t, lk, rk, nil)
		if err != nil {
			return nil, err
		}
		if t == plan.SemiJoin || t == plan.AntiJoin {
			return j, nil
		}
		return usingProject(j, left.Schema(), cols, t)
	})
}

// usingProject keeps one copy of each USING column: first the keys, then the
// other left columns, then the other right columns, as Spark orders them.
func usingProject(j plan.Node, left *arrow.Schema, cols []string, t plan.JoinType) (plan.Node, error) {
	using := map[string]bool{}
	var exprs []expr.Expr
	for _, c := range cols {
		using[c] = true
		var k expr.Expr = expr.Col(c)
		switch t {
		case plan.RightJoin:
			k = expr.Col(c + "_right")
		case plan.FullJoin:
			k = expr.Coalesce(expr.Col(c), expr.Col(c+"_right"))
		}
		exprs = append(exprs, expr.As(k, c))
	}
	out := j.Schema()
	for i := 0; i < out.NumFields(); i++ {
		name := out.Field(i).Name
		if i < left.NumFields() {
			if !using[name] {
				exprs = append(exprs, expr.Col(name))
			}
			continue
		}
		if base, ok := strings.CutSuffix(name, "_right"); ok && using[base] {
			continue
		}
		exprs = append(exprs, expr.Col(name))
	}
	return plan.NewProject(j, exprs)
}

// Join joins with other on a condition. Each conjunct of on that is an
// equality between an expression over this DataFrame's columns and one over
// other's becomes a hash-join key; the rest is checked on the joined row,
// where a column of other whose name this DataFrame also has is called
// "<name>_right". how is inner, left, right, full, semi or anti.
func (df *DataFrame) Join(other *DataFrame, on Column, how string) *DataFrame {
	if other.err != nil {
		return other
	}
	return df.derive("join", func(left plan.Node) (plan.Node, error) {
		t, err := parseJoinType(how)
		if err != nil {
			return nil, err
		}
		lk, rk, extra := splitJoinCondition(on.e, left.Schema(), other.node.Schema())
		if len(lk) == 0 {
			return nil, fmt.Errorf("join condition %s has no equality between a column of each side; only equi-joins are supported", on.e)
		}
		return plan.NewJoin(left, other.node, t, lk, rk, extra)
	})
}

// splitJoinCondition sorts the conjuncts of cond into key pairs and the rest.
func splitJoinCondition(cond expr.Expr, left, right *arrow.Schema) (lk, rk []expr.Expr, extra expr.Expr) {
	for _, c := range conjuncts(cond) {
		if l, r, ok := equalityOperands(c); ok {
			switch {
			case resolvesIn(l, left, false) && resolvesIn(r, right, true):
				lk, rk = append(lk, l), append(rk, stripRight(r, right))
				continue
			case resolvesIn(r, left, false) && resolvesIn(l, right, true):
				lk, rk = append(lk, r), append(rk, stripRight(l, right))
				continue
			}
		}
		if extra == nil {
			extra = c
		} else {
			extra = expr.And(extra, c)
		}
	}
	return lk, rk, extra
}

func conjuncts(e expr.Expr) []expr.Expr {
	if l, r, ok := expr.AndOperands(e); ok {
		return append(conjuncts(l), conjuncts(r)...)
	}
	return []expr.Expr{e}
}

func equalityOperands(e expr.Expr) (l, r expr.Expr, ok bool) {
	return expr.EqOperands(e)
}

// resolvesIn reports whether every column e references is a column of s; for
// the right side, "<name>_right" counts as s's column name.
func resolvesIn(e expr.Expr, s *arrow.Schema, right bool) bool {
	cols := expr.Columns(e)
	if len(cols) == 0 {
		return false
	}
	for _, c := range cols {
		if len(s.FieldIndices(c)) > 0 {
			continue
		}
		if base, ok := strings.CutSuffix(c, "_right"); right && ok && len(s.FieldIndices(base)) > 0 {
			continue
		}
		return false
	}
	return true
}

// stripRight rewrites "<name>_right" references to the right side's own name.
func stripRight(e expr.Expr, s *arrow.Schema) expr.Expr {
	out, _ := expr.Transform(e, func(n expr.Expr) (expr.Expr, error) {
		if c, ok := n.(*expr.Column); ok && len(s.FieldIndices(c.Name)) == 0 {
			if base, ok := strings.CutSuffix(c.Name, "_right"); ok {
				return expr.Col(base), nil
			}
		}
		return n, nil
	})
	return out
}
