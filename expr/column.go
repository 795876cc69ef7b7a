package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// Column references an input column by name.
type Column struct {
	Name string
}

// Col returns a reference to the column named name.
func Col(name string) *Column { return &Column{Name: name} }

func (c *Column) String() string             { return c.Name }
func (c *Column) Children() []Expr           { return nil }
func (c *Column) WithChildren(_ []Expr) Expr { return c }
func (c *Column) Type(s *arrow.Schema) (arrow.DataType, error) {
	i, err := c.index(s)
	if err != nil {
		return nil, err
	}
	return s.Field(i).Type, nil
}

func (c *Column) index(s *arrow.Schema) (int, error) {
	idx := s.FieldIndices(c.Name)
	if len(idx) == 0 {
		names := make([]string, s.NumFields())
		for i := range names {
			names[i] = s.Field(i).Name
		}
		return 0, &UnknownColumnError{Name: c.Name, Available: names}
	}
	return idx[0], nil
}

// Eval returns the column itself, with one more reference for the caller.
func (c *Column) Eval(_ *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	i, err := c.index(rec.Schema())
	if err != nil {
		return nil, err
	}
	col := rec.Column(i)
	col.Retain()
	return col, nil
}

// Alias names the output of an expression.
type Alias struct {
	Expr Expr
	Name string
}

// As names the output of e.
func As(e Expr, name string) *Alias { return &Alias{Expr: e, Name: name} }

func (a *Alias) String() string   { return a.Expr.String() + " AS " + a.Name }
func (a *Alias) Children() []Expr { return []Expr{a.Expr} }
func (a *Alias) WithChildren(c []Expr) Expr {
	return &Alias{Expr: c[0], Name: a.Name}
}
func (a *Alias) Type(s *arrow.Schema) (arrow.DataType, error) { return a.Expr.Type(s) }
func (a *Alias) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	return a.Expr.Eval(ctx, rec)
}

// Unalias returns the expression under any aliases.
func Unalias(e Expr) Expr {
	for {
		a, ok := e.(*Alias)
		if !ok {
			return e
		}
		e = a.Expr
	}
}
