package plan

import (
	"github.com/sluicestream/sluice/expr"
)

// foldConstants runs expr.Fold over every expression of the plan. A filter
// whose condition folds to true disappears; one that folds to NULL becomes a
// filter on false (no row passes either way, and false is simpler for the
// filters pushed into a scan). Output names are kept: a folded select item
// whose text changes is aliased to its old name.
//
// An expression whose folding fails (a constant 1/0, a bad CAST) is left as
// it is: the error is the executor's to raise, and only if a row ever
// evaluates it; a CASE branch never taken must not fail the query here.
func foldConstants(n Node) (Node, error) {
	return transformUp(n, foldNode)
}

// fold is expr.Fold, or e itself where folding fails.
func fold(e expr.Expr) expr.Expr {
	f, err := expr.Fold(e)
	if err != nil {
		return e
	}
	return f
}

func foldNode(n Node) (Node, error) {
	switch n := n.(type) {
	case *Scan:
		return n.WithPushdown(n.Columns, foldConds(n.Filters))
	case *Project:
		return NewProject(n.Input, foldNamed(n.Exprs))
	case *Filter:
		c := foldCond(n.Cond)
		if isTrue(c) {
			return n.Input, nil
		}
		return NewFilter(n.Input, c)
	case *Explode:
		return newExplode(n.Input, fold(n.Expr), n.As, n.Drop)
	case *Aggregate:
		return NewAggregate(n.Input, foldNamed(n.GroupBy), foldAggs(n.Aggs))
	case *Sort:
		keys := make([]SortKey, len(n.Keys))
		for i, k := range n.Keys {
			keys[i] = SortKey{Expr: fold(k.Expr), Desc: k.Desc}
		}
		return NewSort(n.Input, keys)
	case *Join:
		extra := conjoin(foldConds(conjuncts(n.Extra)))
		return NewJoin(n.Left, n.Right, n.Type, foldAll(n.LeftKeys), foldAll(n.RightKeys), extra)
	}
	return n, nil // Limit, Union, nodes this rule does not know
}

// foldCond folds a condition; NULL becomes false.
func foldCond(e expr.Expr) expr.Expr {
	f := fold(e)
	if isNullLiteral(f) {
		return expr.Lit(false)
	}
	return f
}

// foldConds folds conjuncts, dropping those that become true.
func foldConds(es []expr.Expr) []expr.Expr {
	var out []expr.Expr
	for _, e := range es {
		if f := foldCond(e); !isTrue(f) {
			out = append(out, f)
		}
	}
	return out
}

// foldNamed folds expressions whose output names must not change.
func foldNamed(es []expr.Expr) []expr.Expr {
	out := make([]expr.Expr, len(es))
	for i, e := range es {
		out[i] = keepName(e, fold(e))
	}
	return out
}

// foldAggs folds the arguments of aggregates, keeping their output names.
// Only the argument: count(*) references no column, yet is no constant.
func foldAggs(aggs []expr.Expr) []expr.Expr {
	out := make([]expr.Expr, len(aggs))
	for i, a := range aggs {
		fn, ok := expr.Unalias(a).(*expr.AggFunc)
		if !ok || fn.Arg == nil {
			out[i] = a
			continue
		}
		out[i] = keepName(a, fn.WithChildren([]expr.Expr{fold(fn.Arg)}))
	}
	return out
}

// keepName returns folded, aliased to orig's output name if its own differs.
func keepName(orig, folded expr.Expr) expr.Expr {
	name := expr.OutputName(orig)
	if expr.OutputName(folded) == name {
		return folded
	}
	return expr.As(expr.Unalias(folded), name)
}

func foldAll(es []expr.Expr) []expr.Expr {
	out := make([]expr.Expr, len(es))
	for i, e := range es {
		out[i] = fold(e)
	}
	return out
}
