package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

var (
	_ Expr = (*LogicExpr)(nil)
	_ Expr = (*NotExpr)(nil)
)

// LogicOp is AND or OR.
type LogicOp string

// The binary logical operators.
const (
	LogicAnd LogicOp = "AND"
	LogicOr  LogicOp = "OR"
)

// LogicExpr is AND or OR with SQL's three-valued logic: false AND NULL is
// false, true OR NULL is true, and otherwise a NULL operand gives NULL.
type LogicExpr struct {
	Op   LogicOp
	L, R Expr
}

// And is l AND r.
func And(l, r Expr) *LogicExpr { return &LogicExpr{Op: LogicAnd, L: l, R: r} }

// Or is l OR r.
func Or(l, r Expr) *LogicExpr { return &LogicExpr{Op: LogicOr, L: l, R: r} }

func (e *LogicExpr) String() string {
	return "(" + e.L.String() + " " + string(e.Op) + " " + e.R.String() + ")"
}
func (e *LogicExpr) Children() []Expr { return []Expr{e.L, e.R} }
func (e *LogicExpr) WithChildren(c []Expr) Expr {
	return &LogicExpr{Op: e.Op, L: c[0], R: c[1]}
}

func (e *LogicExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	ts, err := childTypes(s, e.L, e.R)
	if err != nil {
		return nil, err
	}
	if !isBoolOrNull(ts[0]) || !isBoolOrNull(ts[1]) {
		return nil, &TypeError{Expr: e.String(), Types: ts, Msg: string(e.Op) + " needs boolean operands"}
	}
	return arrow.FixedWidthTypes.Boolean, nil
}

func isBoolOrNull(dt arrow.DataType) bool { return dt.ID() == arrow.BOOL || isNullType(dt) }

func (e *LogicExpr) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	if _, err := e.Type(rec.Schema()); err != nil {
		return nil, err
	}
	fn := "and_kleene"
	if e.Op == LogicOr {
		fn = "or_kleene"
	}
	bt := arrow.FixedWidthTypes.Boolean
	l, err := evalAs(ctx, e.L, rec, bt)
	if err != nil {
		return nil, err
	}
	defer l.Release()
	r, err := evalAs(ctx, e.R, rec, bt)
	if err != nil {
		return nil, err
	}
	defer r.Release()
	if out, ok := logicArrays(ctx.Mem, e.Op, l, r); ok {
		return out, nil
	}
	d, err := callFunction(ctx, fn, nil, l, r)
	if err != nil {
		return nil, err
	}
	return datumToArray(ctx, d, int(rec.NumRows()))
}

// NotExpr is NOT x; NOT NULL is NULL.
type NotExpr struct {
	X Expr
}

// Not is NOT x.
func Not(x Expr) *NotExpr { return &NotExpr{X: x} }

func (e *NotExpr) String() string             { return "(NOT " + e.X.String() + ")" }
func (e *NotExpr) Children() []Expr           { return []Expr{e.X} }
func (e *NotExpr) WithChildren(c []Expr) Expr { return &NotExpr{X: c[0]} }

func (e *NotExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	t, err := e.X.Type(s)
	if err != nil {
		return nil, err
	}
	if !isBoolOrNull(t) {
		return nil, &TypeError{Expr: e.String(), Types: []arrow.DataType{t}, Msg: "NOT needs a boolean operand"}
	}
	return arrow.FixedWidthTypes.Boolean, nil
}

func (e *NotExpr) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	if _, err := e.Type(rec.Schema()); err != nil {
		return nil, err
	}
	// Not arrow's "not" kernel: in v18.8 it misaligns the validity of sliced
	// input.
	x, err := evalArrayAs(ctx, e.X, rec, arrow.FixedWidthTypes.Boolean)
	if err != nil {
		return nil, err
	}
	defer x.Release()
	n := x.Len()
	buf, bits := vecBitmap(ctx.Mem, n, false)
	bitutil.InvertBitmap(x.Data().Buffers()[1].Bytes(), x.Data().Offset(), n, bits, 0)
	return vecArray(arrow.FixedWidthTypes.Boolean, n, vecCopyValidity(ctx.Mem, x), buf), nil
}
