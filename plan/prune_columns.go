package plan

import (
	"slices"

	"github.com/sluicestream/sluice/expr"
)

// pruneColumns is projection push-down: every node asks its children only for
// the columns it uses, so each Scan reads only those (in its own column
// order), unused select items and aggregates are dropped, and a Project left
// selecting exactly its input's columns disappears.
//
// Asking a node for a set of columns gets back a node whose output has at
// least those columns, under the same names and types; it may have others.
// Asking for all of a node's columns gets back exactly its schema, which is
// why the root keeps its schema. Union is the one positional node: its inputs
// are trimmed to exactly the needed positions, with a Project where needed.
func pruneColumns(n Node) (Node, error) {
	return prune(n, newColSet(fieldNames(n.Schema())...))
}

// colSet is a set of column names.
type colSet map[string]bool

func newColSet(names ...string) colSet {
	s := colSet{}
	s.add(names...)
	return s
}

func (s colSet) add(names ...string) {
	for _, n := range names {
		s[n] = true
	}
}

func (s colSet) addExprs(es ...expr.Expr) {
	for _, e := range es {
		if e != nil {
			s.add(expr.Columns(e)...)
		}
	}
}

// union returns a new set of s's names and the columns es use.
func (s colSet) union(es ...expr.Expr) colSet {
	out := s.clone()
	out.addExprs(es...)
	return out
}

// clone returns a copy of s.
func (s colSet) clone() colSet {
	out := make(colSet, len(s))
	for k := range s {
		out[k] = true
	}
	return out
}

// prune returns n rebuilt so that it outputs at least the columns in need.
func prune(n Node, need colSet) (Node, error) {
	switch n := n.(type) {
	case *Scan:
		return pruneScan(n, need)
	case *Project:
		return pruneProject(n, need)
	case *Filter:
		return pruneOne(n, need.union(n.Cond))
	case *Explode:
		return pruneExplode(n, need)
	case *Aggregate:
		return pruneAggregate(n, need)
	case *Sort:
		child := need.clone()
		for _, k := range n.Keys {
			child.addExprs(k.Expr)
		}
		return pruneOne(n, child)
	case *Limit:
		return pruneOne(n, need)
	case *Join:
		return pruneJoin(n, need)
	case *Union:
		return pruneUnion(n, need)
	}
	// A node this rule does not know: it keeps every column of its inputs.
	kids := n.Children()
	nk := make([]Node, len(kids))
	for i, k := range kids {
		var err error
		if nk[i], err = prune(k, newColSet(fieldNames(k.Schema())...)); err != nil {
			return nil, err
		}
	}
	return n.WithChildren(nk)
}

// pruneOne prunes the only child of n to childNeed and rebuilds n.
func pruneOne(n Node, childNeed colSet) (Node, error) {
	c, err := prune(n.Children()[0], childNeed)
	if err != nil {
		return nil, err
	}
	return n.WithChildren([]Node{c})
}

// pruneScan keeps the needed columns in the scan's order. A scan keeps at
// least one column, so a plan that needs none (count(*)) still sees rows.
func pruneScan(n *Scan, need colSet) (Node, error) {
	have := fieldNames(n.Schema())
	var cols []string
	for _, c := range have {
		if need[c] {
			cols = append(cols, c)
		}
	}
	switch {
	case len(cols) == len(have):
		return n, nil
	case len(cols) == 0:
		cols = have[:1]
	}
	return n.WithPushdown(cols, n.Filters)
}

// pruneProject drops unneeded items (keeping at least one), and the Project
// itself if what is left selects exactly its input's columns.
func pruneProject(n *Project, need colSet) (Node, error) {
	var kept []expr.Expr
	for _, e := range n.Exprs {
		if need[expr.OutputName(e)] {
			kept = append(kept, e)
		}
	}
	if len(kept) == 0 {
		kept = n.Exprs[:1]
	}
	child, err := prune(n.Input, newColSet().union(kept...))
	if err != nil {
		return nil, err
	}
	if selectsAll(kept, fieldNames(child.Schema())) {
		return child, nil
	}
	return NewProject(child, kept)
}

// selectsAll reports whether es are exactly the plain columns names, in order.
func selectsAll(es []expr.Expr, names []string) bool {
	if len(es) != len(names) {
		return false
	}
	for i, e := range es {
		c, ok := e.(*expr.Column)
		if !ok || c.Name != names[i] {
			return false
		}
	}
	return true
}

// pruneAggregate drops unneeded aggregates. Grouping keys all stay: they
// decide the groups. A global aggregate keeps at least one aggregate.
func pruneAggregate(n *Aggregate, need colSet) (Node, error) {
	var kept []expr.Expr
	for _, a := range n.Aggs {
		if need[expr.OutputName(a)] {
			kept = append(kept, a)
		}
	}
	if len(kept) == 0 && len(n.GroupBy) == 0 {
		kept = n.Aggs[:1]
	}
	child, err := prune(n.Input, newColSet().union(append(slices.Clone(n.GroupBy), kept...)...))
	if err != nil {
		return nil, err
	}
	return NewAggregate(child, n.GroupBy, kept)
}

// pruneJoin asks each side for its key columns, the condition's columns and
// the needed output columns. A right column renamed "<name>_right" is needed
// under that name, so the left column <name> must stay to keep the rename.
func pruneJoin(n *Join, need colSet) (Node, error) {
	j := newJoinSides(n)
	left, right := newColSet().union(n.LeftKeys...), newColSet().union(n.RightKeys...)
	used := need.clone()
	used.addExprs(n.Extra)
	for name := range used {
		if l, ok := j.left[name]; ok {
			left.add(l)
		} else if r, ok := j.right[name]; ok {
			right.add(r)
			if r != name {
				left.add(r)
			}
		}
	}
	l, err := prune(n.Left, left)
	if err != nil {
		return nil, err
	}
	r, err := prune(n.Right, right)
	if err != nil {
		return nil, err
	}
	return NewJoin(l, r, n.Type, n.LeftKeys, n.RightKeys, n.Extra)
}

// pruneUnion keeps the needed positions (at least one) of every input, each
// trimmed to exactly those columns.
func pruneUnion(n *Union, need colSet) (Node, error) {
	out := fieldNames(n.Schema())
	var pos []int
	for i, name := range out {
		if need[name] {
			pos = append(pos, i)
		}
	}
	if len(pos) == 0 {
		pos = []int{0}
	}
	nk := make([]Node, len(n.Inputs))
	for i, in := range n.Inputs {
		names := fieldNames(in.Schema())
		want := make([]string, len(pos))
		for j, p := range pos {
			want[j] = names[p]
		}
		c, err := prune(in, newColSet(want...))
		if err != nil {
			return nil, err
		}
		if nk[i], err = selectExactly(c, want); err != nil {
			return nil, err
		}
	}
	return n.WithChildren(nk)
}

// selectExactly returns n if its columns are names, in order, else a Project
// of them over n.
func selectExactly(n Node, names []string) (Node, error) {
	if slices.Equal(fieldNames(n.Schema()), names) {
		return n, nil
	}
	es := make([]expr.Expr, len(names))
	for i, name := range names {
		es[i] = expr.Col(name)
	}
	return NewProject(n, es)
}

// pruneExplode prunes the input to what is needed above plus the list's
// columns, and drops from the output the input columns only the list needed.
func pruneExplode(n *Explode, need colSet) (Node, error) {
	child := need.clone()
	delete(child, n.As)
	in, err := prune(n.Input, child.union(n.Expr))
	if err != nil {
		return nil, err
	}
	var drop []string
	for _, f := range fieldNames(in.Schema()) {
		if !need[f] {
			drop = append(drop, f)
		}
	}
	e, err := newExplode(in, n.Expr, n.As, nil)
	if err != nil {
		return nil, err
	}
	if len(drop) == 0 {
		return e, nil
	}
	return e.WithDrop(drop)
}
