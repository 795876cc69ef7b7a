package sluice

import (
	"time"

	"github.com/sluicestream/sluice/expr"
)

// Aggregate functions, for GroupBy(...).Agg(...).

// CountStar is count(*): the number of rows.
func CountStar() Column { return wrap(expr.CountStar()) }

// Count is count(c): the number of non-NULL values.
func Count(c Column) Column { return wrap(expr.Count(c.e)) }

// CountDistinct is count(DISTINCT c).
func CountDistinct(c Column) Column { return wrap(expr.CountDistinct(c.e)) }

// Sum is sum(c); NULL for a group with no non-NULL value.
func Sum(c Column) Column { return wrap(expr.Sum(c.e)) }

// Min is min(c).
func Min(c Column) Column { return wrap(expr.Min(c.e)) }

// Max is max(c).
func Max(c Column) Column { return wrap(expr.Max(c.e)) }

// Avg is avg(c), a float64.
func Avg(c Column) Column { return wrap(expr.Avg(c.e)) }

// First is first(c) in input order.
func First(c Column) Column { return wrap(expr.First(c.e)) }

// Last is last(c) in input order.
func Last(c Column) Column { return wrap(expr.Last(c.e)) }

// Generators.

// Explode emits one row per element of the list c; it must be a whole item
// of Select.
func Explode(c Column) Column { return wrap(expr.Explode(c.e)) }

// String functions; NULL in gives NULL out.

// Lower lower-cases a string.
func Lower(c Column) Column { return wrap(expr.Lower(c.e)) }

// Upper upper-cases a string.
func Upper(c Column) Column { return wrap(expr.Upper(c.e)) }

// Length is the number of characters of a string.
func Length(c Column) Column { return wrap(expr.Length(c.e)) }

// Trim removes leading and trailing spaces.
func Trim(c Column) Column { return wrap(expr.Trim(c.e)) }

// Substring is Spark's substring(c, pos, len): pos counts from 1, a negative
// pos from the end.
func Substring(c Column, pos, length int) Column {
	return wrap(expr.Substring(c.e, expr.Lit(int64(pos)), expr.Lit(int64(length))))
}

// Concat joins strings; NULL if any is NULL.
func Concat(cols ...Column) Column { return wrap(expr.Concat(exprsOf(cols)...)) }

// Split splits a string around matches of the regular expression sep into a
// list, as Spark's split.
func Split(c Column, sep string) Column { return wrap(expr.Split(c.e, sep)) }

// RegexpExtract returns group of the first match of pattern, or "".
func RegexpExtract(c Column, pattern string, group int) Column {
	return wrap(expr.RegexpExtract(c.e, pattern, group))
}

// Time functions.

// ToTimestamp parses a string (ISO-8601 by default, or the Go layout given)
// or converts epoch seconds to a UTC timestamp; unparseable values are NULL.
func ToTimestamp(c Column, layout ...string) Column { return wrap(expr.ToTimestamp(c.e, layout...)) }

// DateTrunc truncates a timestamp to unit: year, quarter, month, week, day,
// hour, minute or second.
func DateTrunc(unit string, c Column) Column { return wrap(expr.DateTrunc(unit, c.e)) }

// Window is Spark's window(ts, size[, slide[, startOffset]]) for tumbling
// windows (slide == size or 0): a struct column "window" with start and end.
func Window(ts Column, size time.Duration, slideAndOffset ...time.Duration) Column {
	slide, offset := size, time.Duration(0)
	if len(slideAndOffset) > 0 && slideAndOffset[0] > 0 {
		slide = slideAndOffset[0]
	}
	if len(slideAndOffset) > 1 {
		offset = slideAndOffset[1]
	}
	return wrap(expr.Window(ts.e, size, slide, offset))
}

// Conditionals.

// CaseWhen starts a CASE expression: CaseWhen(c1, v1).When(c2, v2).Otherwise(v).
type CaseWhen struct{ c *expr.CaseExpr }

// When starts CASE WHEN cond THEN value.
func When(cond Column, value any) CaseWhen { return CaseWhen{expr.When(cond.e, lit(value).e)} }

// When adds a branch.
func (w CaseWhen) When(cond Column, value any) CaseWhen {
	return CaseWhen{w.c.When(cond.e, lit(value).e)}
}

// Otherwise sets the ELSE value and finishes the expression.
func (w CaseWhen) Otherwise(value any) Column { return wrap(w.c.Else(lit(value).e)) }

// End finishes the expression with no ELSE (NULL).
func (w CaseWhen) End() Column { return wrap(w.c) }

// Coalesce is the first non-NULL value.
func Coalesce(cols ...Column) Column { return wrap(expr.Coalesce(exprsOf(cols)...)) }
