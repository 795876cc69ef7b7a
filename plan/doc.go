// Package plan holds Sluice's logical plans: trees of relational nodes (Scan,
// Project, Filter, Explode, Aggregate, Sort, Limit, Join, Union) that say what
// a query computes, not how.
//
// Nodes are built by constructors that analyze as they go: a constructor
// resolves every column its expressions reference against its input's schema,
// checks types, and fixes the node's output schema, so a plan that exists is a
// plan that type-checks. Errors name the node and expression; an unknown column
// is an *expr.UnknownColumnError listing the columns that exist, a type
// mismatch an *expr.TypeError, both wrapped with that context.
//
//	scan := plan.NewScan(table)
//	f, err := plan.NewFilter(scan, expr.Gt(expr.Col("n"), expr.Lit(1)))
//	p, err := plan.NewProject(f, []expr.Expr{expr.Col("word")})
//	opt, err := plan.Optimize(p)   // constant folding, filter and projection push-down
//	fmt.Print(plan.Explain(opt))   // Scan words [word] filters=[(n > 1)]
//
// WithChildren rebuilds a node with its constructor, and Analyze rebuilds a
// whole tree bottom-up, so a rewrite that swaps inputs gets a plan that is
// checked again.
//
// Optimize applies, in order, constant folding (fold_constants.go), filter
// push-down (push_filters.go, push_join.go) and projection push-down
// (prune_columns.go). Every rule keeps the output schema exactly, which
// Optimize verifies. Filters pushed into a Scan are applied by the scan
// operator, and may use columns the scan does not output.
//
// Explain renders a plan as an indented tree, one node per line, for EXPLAIN
// and for the golden files in testdata/.
//
// Nodes are immutable and safe to share between goroutines.
package plan
