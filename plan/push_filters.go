package plan

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

// pushDownFilters moves every filter conjunct as close to the scans as it can
// go without changing the result:
//
//   - through a Project, when the conjunct uses only columns the projection
//     passes through unchanged (possibly renamed);
//   - through Sort, always, and through Explode when it does not use the
//     element column;
//   - through Aggregate, when it uses only grouping columns that are plain
//     input columns (it then removes whole groups);
//   - into every input of a Union, renamed by position;
//   - through a Join into the side whose columns it uses, where that side is
//     preserved (inner: both; left, semi, anti: left; right: right); a
//     conjunct over both sides of an inner join joins its condition. The
//     join condition itself is split the same way: an inner join pushes
//     single-side conjuncts to that side, an outer join only those over the
//     side it may leave unmatched, a semi join both, an anti join the right;
//   - into a Scan's Filters, leaving no Filter above it.
//
// Limit stops every conjunct: filtering before a limit is not filtering
// after it. So does a volatile condition (expr.Volatile, e.g. rand()): a
// Filter holding one stays where it is, with every conjunct from above it, so
// it sees the same rows, and a join condition holding one is not split.
func pushDownFilters(n Node) (Node, error) {
	return pushDown(n, nil)
}

// pushDown returns a plan equivalent to n filtered by preds (conjuncts over
// n's output columns), with the same schema as n, each conjunct pushed as far
// as it goes.
func pushDown(n Node, preds []expr.Expr) (Node, error) {
	preds = dropTrue(preds)
	switch n := n.(type) {
	case *Filter:
		if isVolatile(n.Cond) {
			return pushThrough(n, preds, nil)
		}
		return pushDown(n.Input, append(conjuncts(n.Cond), preds...))
	case *Scan:
		if len(preds) == 0 {
			return n, nil
		}
		return n.WithPushdown(n.Columns, appendUnique(append([]expr.Expr(nil), n.Filters...), preds...))
	case *Project:
		return pushThrough(n, preds, passThrough(n.Exprs))
	case *Aggregate:
		if len(n.GroupBy) == 0 {
			// A global aggregate yields a row even for no input.
			return pushThrough(n, preds, nil)
		}
		return pushThrough(n, preds, passThrough(n.GroupBy))
	case *Sort:
		return pushThrough(n, preds, identity(n.Schema().Fields()))
	case *Explode:
		// The input's columns pass through; the element column does not.
		return pushThrough(n, preds, identity(n.Input.Schema().Fields()))
	case *Union:
		return pushUnion(n, preds)
	case *Join:
		return pushJoin(n, preds)
	}
	// Limit, and any node this rule does not know: stop here.
	return pushThrough(n, preds, nil)
}

// pushThrough pushes the conjuncts of preds covered by m (output column name
// to the name of the child's column it passes through) into the only child
// of n, renamed, and keeps the rest in a Filter above n. A nil m pushes none.
// The child is optimised either way.
func pushThrough(n Node, preds []expr.Expr, m map[string]string) (Node, error) {
	var down, keep []expr.Expr
	for _, p := range preds {
		if m != nil && coveredBy(p, m) {
			down = append(down, renameColumns(p, m))
		} else {
			keep = append(keep, p)
		}
	}
	kids := n.Children()
	nk := make([]Node, len(kids))
	for i, k := range kids {
		var err error
		var ps []expr.Expr
		if i == 0 {
			ps = down
		}
		if nk[i], err = pushDown(k, ps); err != nil {
			return nil, err
		}
	}
	out, err := n.WithChildren(nk)
	if err != nil {
		return nil, err
	}
	return withFilter(out, keep)
}

// identity maps every field's name to itself.
func identity(fields []arrow.Field) map[string]string {
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		m[f.Name] = f.Name
	}
	return m
}

// withFilter puts the AND of preds above n, if there are any.
func withFilter(n Node, preds []expr.Expr) (Node, error) {
	if len(preds) == 0 {
		return n, nil
	}
	return NewFilter(n, conjoin(preds))
}

// passThrough maps the output name of every expression that is a plain
// column (possibly aliased) to that column's name.
func passThrough(es []expr.Expr) map[string]string {
	m := map[string]string{}
	for _, e := range es {
		if c, ok := expr.Unalias(e).(*expr.Column); ok {
			m[expr.OutputName(e)] = c.Name
		}
	}
	return m
}

// pushUnion pushes every conjunct into every input, renaming columns by
// position: the union's names are its first input's.
func pushUnion(n *Union, preds []expr.Expr) (Node, error) {
	out := n.Schema()
	nk := make([]Node, len(n.Inputs))
	for i, in := range n.Inputs {
		s := in.Schema()
		m := map[string]string{}
		for c := out.NumFields() - 1; c >= 0; c-- { // first occurrence wins
			m[out.Field(c).Name] = s.Field(c).Name
		}
		ps := make([]expr.Expr, len(preds))
		for j, p := range preds {
			ps[j] = renameColumns(p, m)
		}
		var err error
		if nk[i], err = pushDown(in, ps); err != nil {
			return nil, err
		}
	}
	return n.WithChildren(nk)
}
