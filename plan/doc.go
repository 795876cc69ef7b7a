// Package plan holds Sluice's logical plans: trees of relational nodes (Scan,
// Project, Filter, Explode, Aggregate, Sort, Limit, Join, Union) that say what
// a query computes, not how.
//
// Nodes are built by constructors that analyze as they go: a constructor
// resolves every column its expressions reference against its input's schema,
// checks types, and fixes the node's output schema, so a plan that exists is a
// plan that type-checks. Errors name the node and expression; an unknown column
// lists the columns that exist.
//
//	scan := plan.NewScan(table)
//	f, err := plan.NewFilter(scan, expr.Gt(expr.Col("n"), expr.Lit(1)))
//	p, err := plan.NewProject(f, []expr.Expr{expr.Col("word")})
//	opt, err := plan.Optimize(p)   // constant folding, filter and projection push-down
//	fmt.Print(plan.Explain(opt))
//
// Nodes are immutable and safe to share between goroutines.
package plan
