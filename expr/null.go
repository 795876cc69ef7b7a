package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var _ Expr = (*IsNullExpr)(nil)

// IsNullExpr is x IS NULL, or x IS NOT NULL when Negated. It is never NULL.
type IsNullExpr struct {
	X       Expr
	Negated bool
}

// IsNull is x IS NULL.
func IsNull(x Expr) *IsNullExpr { return &IsNullExpr{X: x} }

// IsNotNull is x IS NOT NULL.
func IsNotNull(x Expr) *IsNullExpr { return &IsNullExpr{X: x, Negated: true} }

func (e *IsNullExpr) String() string {
	if e.Negated {
		return "(" + e.X.String() + " IS NOT NULL)"
	}
	return "(" + e.X.String() + " IS NULL)"
}
func (e *IsNullExpr) Children() []Expr { return []Expr{e.X} }
func (e *IsNullExpr) WithChildren(c []Expr) Expr {
	return &IsNullExpr{X: c[0], Negated: e.Negated}
}

func (e *IsNullExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	if _, err := e.X.Type(s); err != nil {
		return nil, err
	}
	return arrow.FixedWidthTypes.Boolean, nil
}

func (e *IsNullExpr) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	d, err := evalDatum(ctx, e.X, rec)
	if err != nil {
		return nil, err
	}
	defer d.Release()
	n := int(rec.NumRows())
	var buf *memory.Buffer
	switch v := d.(type) {
	case *compute.ScalarDatum:
		buf, _ = vecBitmap(ctx.Mem, n, v.Value.IsValid() == e.Negated)
	case *compute.ArrayDatum:
		arr := v.MakeArray()
		defer arr.Release()
		buf = nullBits(ctx.Mem, arr, e.Negated)
	}
	return vecArray(arrow.FixedWidthTypes.Boolean, n, nil, buf), nil
}

// nullBits returns a bitmap with a bit set per NULL of arr, or per non-NULL
// when valid is true.
func nullBits(mem memory.Allocator, arr arrow.Array, valid bool) *memory.Buffer {
	n := arr.Len()
	src, off := vecValidity(arr)
	switch {
	case isNullType(arr.DataType()):
		buf, _ := vecBitmap(mem, n, !valid)
		return buf
	case src == nil:
		buf, _ := vecBitmap(mem, n, valid)
		return buf
	}
	buf, bits := vecBitmap(mem, n, false)
	if valid {
		bitutil.CopyBitmap(src, off, n, bits, 0)
	} else {
		bitutil.InvertBitmap(src, off, n, bits, 0)
	}
	return buf
}
