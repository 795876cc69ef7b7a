package plan

import (
	"fmt"
)

// rule is one rewrite of the optimiser. A rule returns a plan with the same
// output schema (names, types, nullability, order) as its input.
type rule struct {
	name  string
	apply func(Node) (Node, error)
}

// rules run once each, in this order: folding first, so a condition that
// folds to true disappears before push-down looks at it; filters next, so
// projection push-down sees where every filter ended up.
var rules = []rule{
	{"fold constants", foldConstants},
	{"push down filters", pushDownFilters},
	{"prune columns", pruneColumns},
}

// Optimize rewrites n into an equivalent plan that should run faster: constant
// folding, filter push-down (through projections, sorts, explodes, unions,
// aggregations on grouping columns and joins, into the scan), and projection
// push-down (each scan reads only the columns the plan uses). The result has
// exactly n's output schema; n itself is not modified.
func Optimize(n Node) (Node, error) {
	out, err := Analyze(n)
	if err != nil {
		return nil, err
	}
	want := out.Schema()
	for _, r := range rules {
		if out, err = r.apply(out); err != nil {
			return nil, fmt.Errorf("optimize: %s: %w", r.name, err)
		}
		if !out.Schema().Equal(want) {
			// A broken rule, not bad input: say which one and how.
			return nil, fmt.Errorf("optimize: %s changed the output schema from %v to %v", r.name, want, out.Schema())
		}
	}
	return out, nil
}

// transformUp rebuilds n bottom-up: the children first, then fn on the node
// rebuilt over them.
func transformUp(n Node, fn func(Node) (Node, error)) (Node, error) {
	kids := n.Children()
	if len(kids) > 0 {
		nk := make([]Node, len(kids))
		changed := false
		for i, k := range kids {
			c, err := transformUp(k, fn)
			if err != nil {
				return nil, err
			}
			nk[i] = c
			changed = changed || c != k
		}
		if changed {
			var err error
			if n, err = n.WithChildren(nk); err != nil {
				return nil, err
			}
		}
	}
	return fn(n)
}
