package plan

import (
	"github.com/sluicestream/sluice/expr"
)

// joinSides maps the joined row's column names to the names of the left and
// right inputs' columns.
type joinSides struct {
	left, right map[string]string
}

func newJoinSides(n *Join) joinSides {
	ls, rs := n.Left.Schema(), n.Right.Schema()
	j := joinSides{left: map[string]string{}, right: map[string]string{}}
	for i := 0; i < n.joined.NumFields(); i++ {
		name := n.joined.Field(i).Name
		if i < ls.NumFields() {
			j.left[name] = ls.Field(i).Name
		} else {
			j.right[name] = rs.Field(i - ls.NumFields()).Name
		}
	}
	return j
}

// side says which inputs e's columns come from.
func (j joinSides) side(e expr.Expr) (left, right bool) {
	for _, c := range expr.Columns(e) {
		_, l := j.left[c]
		_, r := j.right[c]
		if !l && !r { // cannot happen for a resolved plan; push nowhere
			return true, true
		}
		left, right = left || l, right || r
	}
	return left, right
}

// pushAbove reports whether a conjunct of a Filter above the join that uses
// only one side's columns may move into that side's input: only if the join
// never NULL-extends that side's columns, or NULL-extended rows the filter
// would have removed would appear.
func pushAbove(t JoinType, left bool) bool {
	switch t {
	case InnerJoin:
		return true
	case LeftJoin, SemiJoin, AntiJoin:
		return left
	case RightJoin:
		return !left
	}
	return false // full
}

// pushFromCondition reports whether a conjunct of the join condition that
// uses only one side's columns may move into that side's input. It is the
// reverse of pushAbove: restricting a side whose unmatched rows the join
// keeps anyway (the left of a left join) would keep them, NULL-extended,
// instead of dropping them. A semi join keeps only matched left rows, so both
// sides are safe; an anti join keeps the unmatched ones, so only the right.
func pushFromCondition(t JoinType, left bool) bool {
	switch t {
	case InnerJoin, SemiJoin:
		return true
	case RightJoin:
		return left
	case LeftJoin, AntiJoin:
		return !left
	}
	return false // full
}

// pushJoin pushes conjuncts from above and from the join condition into the
// inputs where that is valid (see pushDownFilters).
func pushJoin(n *Join, preds []expr.Expr) (Node, error) {
	j := newJoinSides(n)
	var lp, rp, keep, extra []expr.Expr
	for _, p := range preds {
		l, r := j.side(p)
		switch {
		case l && !r && pushAbove(n.Type, true):
			lp = append(lp, renameColumns(p, j.left))
		case r && !l && pushAbove(n.Type, false):
			rp = append(rp, renameColumns(p, j.right))
		case l && r && n.Type == InnerJoin:
			extra = append(extra, p)
		default:
			keep = append(keep, p)
		}
	}
	var cond []expr.Expr
	for _, c := range dropTrue(conjuncts(n.Extra)) {
		if isVolatile(n.Extra) {
			cond = append(cond, c)
			continue
		}
		l, r := j.side(c)
		switch {
		case l && !r && pushFromCondition(n.Type, true):
			lp = append(lp, renameColumns(c, j.left))
		case r && !l && pushFromCondition(n.Type, false):
			rp = append(rp, renameColumns(c, j.right))
		default:
			cond = append(cond, c)
		}
	}
	left, err := pushDown(n.Left, lp)
	if err != nil {
		return nil, err
	}
	right, err := pushDown(n.Right, rp)
	if err != nil {
		return nil, err
	}
	out, err := NewJoin(left, right, n.Type, n.LeftKeys, n.RightKeys, conjoin(append(cond, extra...)))
	if err != nil {
		return nil, err
	}
	return withFilter(out, keep)
}
