package sluice

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

// Column is an expression over a DataFrame's columns, as in Spark's Column:
// built with Col, Lit and the functions of this package, combined with its
// methods. Columns are immutable values.
type Column struct {
	e    expr.Expr
	desc bool // sort order, for OrderBy
}

// Col refers to the column named name.
func Col(name string) Column { return Column{e: expr.Col(name)} }

// Lit is a constant: nil, bool, an integer or float kind, string, []byte or
// time.Time.
func Lit(v any) Column { return Column{e: expr.Lit(v)} }

// ColumnOf wraps an expression built with package expr.
func ColumnOf(e expr.Expr) Column { return Column{e: e} }

// Expr returns the column's expression.
func (c Column) Expr() expr.Expr { return c.e }

func (c Column) String() string { return c.e.String() }

// lit turns a Go value into a Column unless it already is one.
func lit(v any) Column {
	if c, ok := v.(Column); ok {
		return c
	}
	return Lit(v)
}

func wrap(e expr.Expr) Column { return Column{e: e} }

func exprsOf(cols []Column) []expr.Expr {
	out := make([]expr.Expr, len(cols))
	for i, c := range cols {
		out[i] = c.e
	}
	return out
}

// As names the column.
func (c Column) As(name string) Column { return Column{e: expr.As(c.e, name), desc: c.desc} }

// Alias is As.
func (c Column) Alias(name string) Column { return c.As(name) }

// Desc sorts by this column in descending order (NULLs last).
func (c Column) Desc() Column { return Column{e: c.e, desc: true} }

// Asc sorts by this column in ascending order (NULLs first), the default.
func (c Column) Asc() Column { return Column{e: c.e} }

// Arithmetic; other may be a Column or a Go value.

func (c Column) Add(other any) Column { return wrap(expr.Add(c.e, lit(other).e)) }
func (c Column) Sub(other any) Column { return wrap(expr.Sub(c.e, lit(other).e)) }
func (c Column) Mul(other any) Column { return wrap(expr.Mul(c.e, lit(other).e)) }
func (c Column) Div(other any) Column { return wrap(expr.Div(c.e, lit(other).e)) }
func (c Column) Mod(other any) Column { return wrap(expr.Mod(c.e, lit(other).e)) }

// Comparisons; NULL when either side is NULL.

func (c Column) Eq(other any) Column    { return wrap(expr.Eq(c.e, lit(other).e)) }
func (c Column) NotEq(other any) Column { return wrap(expr.NotEq(c.e, lit(other).e)) }
func (c Column) Lt(other any) Column    { return wrap(expr.Lt(c.e, lit(other).e)) }
func (c Column) Le(other any) Column    { return wrap(expr.LtEq(c.e, lit(other).e)) }
func (c Column) Gt(other any) Column    { return wrap(expr.Gt(c.e, lit(other).e)) }
func (c Column) Ge(other any) Column    { return wrap(expr.GtEq(c.e, lit(other).e)) }

// Boolean logic with SQL's three-valued semantics.

func (c Column) And(other Column) Column { return wrap(expr.And(c.e, other.e)) }
func (c Column) Or(other Column) Column  { return wrap(expr.Or(c.e, other.e)) }

// Not negates a boolean column.
func Not(c Column) Column { return wrap(expr.Not(c.e)) }

// IsNull is true where c is NULL.
func (c Column) IsNull() Column { return wrap(expr.IsNull(c.e)) }

// IsNotNull is true where c is not NULL.
func (c Column) IsNotNull() Column { return wrap(expr.IsNotNull(c.e)) }

// IsIn is SQL's c IN (values...).
func (c Column) IsIn(values ...any) Column {
	list := make([]expr.Expr, len(values))
	for i, v := range values {
		list[i] = lit(v).e
	}
	return wrap(expr.In(c.e, list...))
}

// Like matches SQL LIKE patterns (% any run, _ one character).
func (c Column) Like(pattern string) Column { return wrap(expr.Like(c.e, pattern)) }

// Cast converts to another Arrow type.
func (c Column) Cast(to arrow.DataType) Column { return wrap(expr.Cast(c.e, to)) }
