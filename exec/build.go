package exec

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/plan"
)

// Build plans n physically: one operator per logical node, children first.
// n should already be optimized (plan.Optimize); Build makes no choices of
// its own beyond the operator for each node kind.
func Build(n plan.Node) (Operator, error) {
	kids := make([]Operator, len(n.Children()))
	for i, c := range n.Children() {
		op, err := Build(c)
		if err != nil {
			return nil, err
		}
		kids[i] = op
	}
	op, err := build(n, kids)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", n, err)
	}
	return op, nil
}

// build returns the operator for n over its already built children.
func build(n plan.Node, kids []Operator) (Operator, error) {
	switch n := n.(type) {
	case *plan.Scan:
		return newScan(n.Table, n.Columns, n.Filters, n.Schema())
	case *plan.Project:
		return newProject(kids[0], n.Exprs, n.Schema())
	case *plan.Filter:
		return newFilter(kids[0], n.Cond)
	case *plan.Explode:
		return newExplode(kids[0], n.Expr, n.As, n.Schema())
	case *plan.Aggregate:
		return newHashAggregate(kids[0], n)
	case *plan.Sort:
		return newSort(kids[0], n.Keys)
	case *plan.Limit:
		return newLimit(kids[0], n.N)
	case *plan.Join:
		return newHashJoin(kids[0], kids[1], n)
	case *plan.Union:
		return newUnion(kids, n.Schema())
	}
	return nil, fmt.Errorf("no physical operator for %T", n)
}

// Explain renders the operator tree, one operator per line, each child
// indented two spaces below its parent.
func Explain(op Operator) string {
	var b strings.Builder
	explain(&b, op, 0)
	return b.String()
}

func explain(b *strings.Builder, op Operator, depth int) {
	b.WriteString(strings.Repeat("  ", depth))
	b.WriteString(op.String())
	b.WriteByte('\n')
	for _, c := range op.Children() {
		explain(b, c, depth+1)
	}
}

// Run executes op and drains its reader, returning every record in order; the
// caller releases them. On error nothing is returned and everything read is
// released.
func Run(ctx context.Context, op Operator, tc *TaskContext) ([]arrow.RecordBatch, error) {
	r, err := op.Execute(ctx, tc)
	if err != nil {
		return nil, err
	}
	return batch.ReadAll(ctx, r)
}
