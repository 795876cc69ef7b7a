package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

var _ Expr = (*CompareExpr)(nil)

// CmpOp is a comparison operator.
type CmpOp string

// The comparison operators.
const (
	CmpEq    CmpOp = "="
	CmpNotEq CmpOp = "<>"
	CmpLt    CmpOp = "<"
	CmpLtEq  CmpOp = "<="
	CmpGt    CmpOp = ">"
	CmpGtEq  CmpOp = ">="
)

// CompareExpr compares two operands of comparable types: numbers (promoted to
// their CommonType), strings, binary, booleans, dates and timestamps. A string
// compared with a date or timestamp is cast to it first, as Spark does. A NULL
// operand gives NULL.
type CompareExpr struct {
	Op   CmpOp
	L, R Expr
}

// Eq is l = r.
func Eq(l, r Expr) *CompareExpr { return &CompareExpr{Op: CmpEq, L: l, R: r} }

// NotEq is l <> r.
func NotEq(l, r Expr) *CompareExpr { return &CompareExpr{Op: CmpNotEq, L: l, R: r} }

// Lt is l < r.
func Lt(l, r Expr) *CompareExpr { return &CompareExpr{Op: CmpLt, L: l, R: r} }

// LtEq is l <= r.
func LtEq(l, r Expr) *CompareExpr { return &CompareExpr{Op: CmpLtEq, L: l, R: r} }

// Gt is l > r.
func Gt(l, r Expr) *CompareExpr { return &CompareExpr{Op: CmpGt, L: l, R: r} }

// GtEq is l >= r.
func GtEq(l, r Expr) *CompareExpr { return &CompareExpr{Op: CmpGtEq, L: l, R: r} }

func (e *CompareExpr) String() string {
	return "(" + e.L.String() + " " + string(e.Op) + " " + e.R.String() + ")"
}
func (e *CompareExpr) Children() []Expr { return []Expr{e.L, e.R} }
func (e *CompareExpr) WithChildren(c []Expr) Expr {
	return &CompareExpr{Op: e.Op, L: c[0], R: c[1]}
}

func (e *CompareExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	if _, err := e.operandType(s); err != nil {
		return nil, err
	}
	return arrow.FixedWidthTypes.Boolean, nil
}

// operandType is the type both sides are compared as.
func (e *CompareExpr) operandType(s *arrow.Schema) (arrow.DataType, error) {
	ts, err := childTypes(s, e.L, e.R)
	if err != nil {
		return nil, err
	}
	ct, ok := comparisonType(ts[0], ts[1])
	if !ok || !isComparableType(ct) {
		return nil, &TypeError{Expr: e.String(), Types: ts, Msg: "operands of " + string(e.Op) + " are not comparable"}
	}
	return ct, nil
}

// isComparableType reports whether values of dt can be compared for order.
func isComparableType(dt arrow.DataType) bool {
	switch {
	case IsNumeric(dt), IsStringLike(dt), IsBinary(dt), isNullType(dt):
		return true
	}
	switch dt.ID() {
	case arrow.BOOL, arrow.DATE32, arrow.TIMESTAMP:
		return true
	}
	return false
}

var cmpFuncs = map[CmpOp]string{
	CmpEq:    "equal",
	CmpNotEq: "not_equal",
	CmpLt:    "less",
	CmpLtEq:  "less_equal",
	CmpGt:    "greater",
	CmpGtEq:  "greater_equal",
}

func (e *CompareExpr) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	ct, err := e.operandType(rec.Schema())
	if err != nil {
		return nil, err
	}
	n := int(rec.NumRows())
	if isNullType(ct) {
		return array.MakeArrayOfNull(ctx.Mem, arrow.FixedWidthTypes.Boolean, n), nil
	}
	return compareEval(ctx, e.Op, e.L, e.R, ct, rec)
}

// compareEval evaluates both sides as type ct and compares them: an array
// with a constant in this package's own loops, anything else with arrow's
// comparison kernels.
func compareEval(ctx *Context, op CmpOp, l, r Expr, ct arrow.DataType, rec arrow.RecordBatch) (arrow.Array, error) {
	if ct.ID() == arrow.BOOL {
		ct = arrow.PrimitiveTypes.Int8 // arrow has no ordering kernels for booleans
	}
	ld, err := evalAs(ctx, l, rec, ct)
	if err != nil {
		return nil, err
	}
	defer ld.Release()
	rd, err := evalAs(ctx, r, rec, ct)
	if err != nil {
		return nil, err
	}
	defer rd.Release()
	if out, ok := compareWithScalar(ctx.Mem, op, ld, rd); ok {
		return out, nil
	}
	d, err := callFunction(ctx, cmpFuncs[op], nil, ld, rd)
	if err != nil {
		return nil, err
	}
	return datumToArray(ctx, d, int(rec.NumRows()))
}
