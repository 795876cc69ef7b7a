package expr

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Volatile is implemented by expressions whose value is not determined by
// their inputs alone (current_timestamp(), rand()). Fold leaves an expression
// in place when it, or anything under it, reports Volatile() == true.
type Volatile interface {
	Volatile() bool
}

// Fold replaces every largest sub-expression that references no column and
// contains no aggregate, explode or volatile expression by the *Literal it
// evaluates to, keeping aliases. Errors from evaluating a constant (e.g. a
// type error in 1 + 'a') are returned.
//
// Constants are evaluated over a one-row record with no columns, with Go
// memory, so the literals do not hold on to any allocator.
func Fold(e Expr) (Expr, error) {
	switch x := e.(type) {
	case *Literal, *Column:
		return e, nil
	case *Alias:
		inner, err := Fold(x.Expr)
		if err != nil || inner == x.Expr {
			return e, err
		}
		return &Alias{Expr: inner, Name: x.Name}, nil
	}
	if isConstant(e) {
		return evalConstant(e)
	}
	kids := e.Children()
	if len(kids) == 0 {
		return e, nil
	}
	folded := make([]Expr, len(kids))
	changed := false
	for i, k := range kids {
		f, err := Fold(k)
		if err != nil {
			return nil, err
		}
		folded[i] = f
		changed = changed || f != k
	}
	if !changed {
		return e, nil
	}
	return e.WithChildren(folded), nil
}

// isConstant reports whether e can be evaluated without input rows.
func isConstant(e Expr) bool {
	constant := true
	Walk(e, func(n Expr) bool {
		switch x := n.(type) {
		case *Column, *AggFunc, *ExplodeExpr:
			constant = false
		case Volatile:
			if x.Volatile() {
				constant = false
			}
		}
		return constant
	})
	return constant
}

var emptySchema = arrow.NewSchema(nil, nil)

func evalConstant(e Expr) (*Literal, error) {
	rec := array.NewRecordBatch(emptySchema, nil, 1)
	defer rec.Release()
	ctx := NewContext(context.Background(), memory.DefaultAllocator)
	arr, err := e.Eval(ctx, rec)
	if err != nil {
		return nil, fmt.Errorf("fold %s: %w", e, err)
	}
	defer arr.Release()
	if arr.Len() != 1 {
		return nil, fmt.Errorf("fold %s: got %d values for one row", e, arr.Len())
	}
	s, err := ownedScalar(arr, 0)
	if err != nil {
		return nil, fmt.Errorf("fold %s: %w", e, err)
	}
	return &Literal{Value: s}, nil
}
