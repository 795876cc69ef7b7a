// Package expr holds Sluice's expressions: column references, literals,
// arithmetic, comparisons, boolean logic with SQL's three-valued semantics,
// CAST, CASE, string and time functions, window bucketing, and aggregate
// functions with their vectorised accumulators.
//
// An Expr is evaluated over a whole Arrow record batch at once and returns one
// array with a value per row:
//
//	e := expr.Gt(expr.Col("price"), expr.Lit(int64(10)))
//	t, err := e.Type(rec.Schema())          // arrow.FixedWidthTypes.Boolean
//	arr, err := e.Eval(expr.NewContext(ctx, mem), rec)
//	defer arr.Release()
//
// Expressions are immutable values, safe to share between goroutines. Type
// errors name the expression and the types involved. Aggregate functions are
// Exprs only so they can be aliased and printed; evaluating one directly is an
// error, the aggregation operator drives their GroupsAccumulator instead.
package expr
