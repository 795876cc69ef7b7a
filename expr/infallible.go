package expr

// Infallible reports whether evaluating e over any record it type-checks
// against cannot fail and gives each row a value that depends on that row
// alone. A filter may then evaluate e over rows an earlier conjunct already
// dropped, whole columns at a time, and keep exactly the rows it would have
// kept evaluating e over the survivors only.
//
// Only expressions known to qualify do: column references, literals,
// aliases, comparisons (a string compared with a date or timestamp that does
// not parse is NULL, not an error), AND, OR, NOT, IS [NOT] NULL, and
// arithmetic (integer overflow wraps, a zero divisor gives NULL). Anything
// else, including every function and volatile expression, is assumed
// fallible.
func Infallible(e Expr) bool {
	ok := true
	Walk(e, func(n Expr) bool {
		switch n.(type) {
		case *Column, *Literal, *Alias, *CompareExpr, *LogicExpr, *NotExpr,
			*IsNullExpr, *ArithExpr, *NegExpr:
		default:
			ok = false
		}
		return ok
	})
	return ok
}
