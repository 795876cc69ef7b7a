package expr

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ExplodeExpr marks a list expression whose elements become rows; it may only
// be the outermost expression of a Select item (possibly under an alias). The
// plan turns it into an Explode node.
type ExplodeExpr struct {
	List Expr
}

// Explode marks list for explosion: one output row per element.
func Explode(list Expr) *ExplodeExpr { return &ExplodeExpr{List: list} }

func (e *ExplodeExpr) String() string             { return fmt.Sprintf("explode(%s)", e.List) }
func (e *ExplodeExpr) Children() []Expr           { return []Expr{e.List} }
func (e *ExplodeExpr) WithChildren(c []Expr) Expr { return &ExplodeExpr{List: c[0]} }

// Type is the element type of the list.
func (e *ExplodeExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	t, err := e.List.Type(s)
	if err != nil {
		return nil, err
	}
	lt, ok := t.(arrow.ListLikeType)
	if !ok {
		return nil, &TypeError{Expr: e.String(), Types: []arrow.DataType{t}, Msg: "explode needs a list"}
	}
	return lt.Elem(), nil
}

// Eval is an error: explosion changes the number of rows and is done by the
// Explode operator.
func (e *ExplodeExpr) Eval(_ *Context, _ arrow.RecordBatch) (arrow.Array, error) {
	return nil, fmt.Errorf("%s must be the outermost expression of a select item", e)
}

// ExplodeList flattens a list array: values holds every element of every
// non-NULL list in order, and parents[i] is the row of list that element i
// came from. The caller releases values.
func ExplodeList(mem memory.Allocator, list arrow.Array) (values arrow.Array, parents []int32, err error) {
	return nil, nil, fmt.Errorf("explode: not implemented")
}
