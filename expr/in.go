package expr

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

var _ Expr = (*InExpr)(nil)

// InExpr is x IN (list...) with SQL semantics: true when x equals an element;
// NULL when x is NULL, or when nothing matches and the list holds a NULL;
// false otherwise. x and the elements are compared as their common type (see
// CompareExpr).
type InExpr struct {
	X    Expr
	List []Expr
}

// In returns x IN (list...).
func In(x Expr, list ...Expr) *InExpr { return &InExpr{X: x, List: list} }

func (e *InExpr) String() string {
	items := make([]string, len(e.List))
	for i, l := range e.List {
		items[i] = l.String()
	}
	return "(" + e.X.String() + " IN (" + strings.Join(items, ", ") + "))"
}

func (e *InExpr) Children() []Expr { return append([]Expr{e.X}, e.List...) }
func (e *InExpr) WithChildren(c []Expr) Expr {
	return &InExpr{X: c[0], List: append([]Expr(nil), c[1:]...)}
}

func (e *InExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	if _, err := e.operandType(s); err != nil {
		return nil, err
	}
	return arrow.FixedWidthTypes.Boolean, nil
}

// operandType is the type x and every element are compared as.
func (e *InExpr) operandType(s *arrow.Schema) (arrow.DataType, error) {
	ts, err := childTypes(s, e.Children()...)
	if err != nil {
		return nil, err
	}
	if len(e.List) == 0 {
		return nil, &TypeError{Expr: e.String(), Types: ts, Msg: "IN needs at least one value"}
	}
	ct := ts[0]
	for _, t := range ts[1:] {
		var ok bool
		if ct, ok = comparisonType(ct, t); !ok {
			break
		}
	}
	if ct == nil || !isComparableType(ct) {
		return nil, &TypeError{Expr: e.String(), Types: ts, Msg: "IN values are not comparable with the operand"}
	}
	return ct, nil
}

func (e *InExpr) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	ct, err := e.operandType(rec.Schema())
	if err != nil {
		return nil, err
	}
	n := int(rec.NumRows())
	if isNullType(ct) {
		return array.MakeArrayOfNull(ctx.Mem, arrow.FixedWidthTypes.Boolean, n), nil
	}
	if ct.ID() == arrow.BOOL {
		ct = arrow.PrimitiveTypes.Int8 // is_in in arrow v18.8 mishandles sliced booleans
	}
	if vals, ok := e.literalList(); ok {
		if _, xLit := Unalias(e.X).(*Literal); !xLit {
			return e.evalSet(ctx, rec, ct, vals)
		}
	}
	return e.evalOr(ctx, rec, ct)
}

// literalList returns the list's values when every element is a literal.
func (e *InExpr) literalList() ([]scalar.Scalar, bool) {
	out := make([]scalar.Scalar, len(e.List))
	for i, l := range e.List {
		lit, ok := Unalias(l).(*Literal)
		if !ok {
			return nil, false
		}
		out[i] = lit.Value
	}
	return out, true
}

// evalSet looks x up in a hash set of the literal values (arrow's is_in),
// once per batch.
func (e *InExpr) evalSet(ctx *Context, rec arrow.RecordBatch, ct arrow.DataType, vals []scalar.Scalar) (arrow.Array, error) {
	b := array.NewBuilder(ctx.Mem, ct)
	defer b.Release()
	for _, v := range vals {
		c, err := castScalar(ctx, v, ct)
		if err != nil {
			return nil, err
		}
		if err := scalar.Append(b, c); err != nil {
			return nil, err
		}
	}
	set := b.NewArray()
	defer set.Release()
	x, err := evalArrayAs(ctx, e.X, rec, ct)
	if err != nil {
		return nil, err
	}
	defer x.Release()
	opts := &compute.SetOptions{ValueSet: compute.NewDatumWithoutOwning(set), NullBehavior: compute.NullMatchingInconclusive}
	d, err := callFunction(ctx, "is_in", opts, compute.NewDatumWithoutOwning(x))
	if err != nil {
		return nil, err
	}
	return datumToArray(ctx, d, int(rec.NumRows()))
}

// evalOr computes x = v1 OR x = v2 OR ... with three-valued OR, which is
// exactly IN's NULL semantics; used when an element is not a constant.
func (e *InExpr) evalOr(ctx *Context, rec arrow.RecordBatch, ct arrow.DataType) (arrow.Array, error) {
	x, err := evalAs(ctx, e.X, rec, ct)
	if err != nil {
		return nil, err
	}
	defer x.Release()
	var acc compute.Datum
	defer func() { releaseDatums(acc) }()
	for _, item := range e.List {
		v, err := evalAs(ctx, item, rec, ct)
		if err != nil {
			return nil, err
		}
		eq, err := callFunction(ctx, "equal", nil, x, v)
		v.Release()
		if err != nil {
			return nil, err
		}
		if acc == nil {
			acc = eq
			continue
		}
		next, err := callFunction(ctx, "or_kleene", nil, acc, eq)
		eq.Release()
		if err != nil {
			return nil, err
		}
		acc.Release()
		acc = next
	}
	d := acc
	acc = nil
	return datumToArray(ctx, d, int(rec.NumRows()))
}
