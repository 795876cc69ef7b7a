package expr

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var (
	_ Expr = (*ArithExpr)(nil)
	_ Expr = (*NegExpr)(nil)
)

// ArithOp is a binary arithmetic operator.
type ArithOp string

// The arithmetic operators.
const (
	OpAdd ArithOp = "+"
	OpSub ArithOp = "-"
	OpMul ArithOp = "*"
	OpDiv ArithOp = "/"
	OpMod ArithOp = "%"
)

// ArithExpr is a binary arithmetic expression with Spark's non-ANSI
// semantics: operands are promoted to their CommonType; integer overflow
// wraps; / always divides as float64; division or modulo by zero is NULL; a
// NULL operand gives NULL. The sign of x % y follows x, as in Java.
type ArithExpr struct {
	Op   ArithOp
	L, R Expr
}

// Add is l + r.
func Add(l, r Expr) *ArithExpr { return &ArithExpr{Op: OpAdd, L: l, R: r} }

// Sub is l - r.
func Sub(l, r Expr) *ArithExpr { return &ArithExpr{Op: OpSub, L: l, R: r} }

// Mul is l * r.
func Mul(l, r Expr) *ArithExpr { return &ArithExpr{Op: OpMul, L: l, R: r} }

// Div is l / r, always a float64.
func Div(l, r Expr) *ArithExpr { return &ArithExpr{Op: OpDiv, L: l, R: r} }

// Mod is l % r, the remainder of truncated division.
func Mod(l, r Expr) *ArithExpr { return &ArithExpr{Op: OpMod, L: l, R: r} }

func (e *ArithExpr) String() string {
	return "(" + e.L.String() + " " + string(e.Op) + " " + e.R.String() + ")"
}
func (e *ArithExpr) Children() []Expr { return []Expr{e.L, e.R} }
func (e *ArithExpr) WithChildren(c []Expr) Expr {
	return &ArithExpr{Op: e.Op, L: c[0], R: c[1]}
}

func (e *ArithExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	_, res, err := e.types(s)
	return res, err
}

// types returns the type the operands are computed in and the result type.
func (e *ArithExpr) types(s *arrow.Schema) (operand, result arrow.DataType, err error) {
	ts, err := childTypes(s, e.L, e.R)
	if err != nil {
		return nil, nil, err
	}
	ct, ok := CommonType(ts[0], ts[1])
	if !ok || !(IsNumeric(ct) || isNullType(ct)) {
		return nil, nil, &TypeError{Expr: e.String(), Types: ts, Msg: "operator " + string(e.Op) + " needs numeric operands"}
	}
	switch {
	case e.Op == OpDiv:
		return arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Float64, nil
	case isNullType(ct):
		return arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int64, nil
	}
	return ct, ct, nil
}

var arithFuncs = map[ArithOp]string{
	OpAdd: "add_unchecked",
	OpSub: "subtract_unchecked",
	OpMul: "multiply_unchecked",
}

func (e *ArithExpr) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	ot, rt, err := e.types(rec.Schema())
	if err != nil {
		return nil, err
	}
	l, err := evalAs(ctx, e.L, rec, ot)
	if err != nil {
		return nil, err
	}
	defer l.Release()
	r, err := evalAs(ctx, e.R, rec, ot)
	if err != nil {
		return nil, err
	}
	defer r.Release()
	n := int(rec.NumRows())
	if fn, ok := arithFuncs[e.Op]; ok {
		if out, ok := arithNumbers(ctx.Mem, e.Op, ot, l, r, n); ok {
			return out, nil
		}
		d, err := callFunction(ctx, fn, nil, l, r)
		if err != nil {
			return nil, err
		}
		return datumToArray(ctx, d, n)
	}
	if isNullScalar(l) || isNullScalar(r) {
		return array.MakeArrayOfNull(ctx.Mem, rt, n), nil
	}
	if e.Op == OpDiv {
		return divide(ctx.Mem, l, r, n), nil
	}
	return modulo(ctx.Mem, rt, l, r, n), nil
}

// isNullScalar reports whether d is a NULL scalar.
func isNullScalar(d compute.Datum) bool {
	sd, ok := d.(*compute.ScalarDatum)
	return ok && !sd.Value.IsValid()
}

// side is the typed view of an operand used inside loops.
type side[T arrow.FixedWidthType] struct {
	vals []T
	step int    // 1 for an array, 0 for a scalar
	bits []byte // validity, nil when all valid
	off  int
}

// sideOf views a datum of Go type T; a scalar must be valid.
func sideOf[T arrow.FixedWidthType](datum compute.Datum) side[T] {
	if sd, ok := datum.(*compute.ScalarDatum); ok {
		return side[T]{vals: []T{vecScalar[T](sd.Value)}}
	}
	d := datum.(*compute.ArrayDatum).Value
	sd := side[T]{step: 1, off: d.Offset()}
	if d.Len() > 0 {
		sd.vals = arrow.GetData[T](d.Buffers()[1].Bytes())[d.Offset() : d.Offset()+d.Len()]
	}
	if b := d.Buffers()[0]; b != nil && d.NullN() != 0 { // -1: not counted yet
		sd.bits = b.Bytes()
	}
	return sd
}

func (s side[T]) at(i int) T { return s.vals[i*s.step] }
func (s side[T]) valid(i int) bool {
	return s.bits == nil || bitutil.BitIsSet(s.bits, s.off+i)
}

func divide(mem memory.Allocator, l, r compute.Datum, n int) arrow.Array {
	a, b := sideOf[float64](l), sideOf[float64](r)
	valid, bits := vecBitmap(mem, n, false)
	buf, out := vecAlloc[float64](mem, n)
	for i := 0; i < n; i++ {
		y := b.at(i)
		if y == 0 || !a.valid(i) || !b.valid(i) {
			continue
		}
		out[i] = a.at(i) / y
		bitutil.SetBit(bits, i)
	}
	return vecArray(arrow.PrimitiveTypes.Float64, n, valid, buf)
}

func modulo(mem memory.Allocator, dt arrow.DataType, l, r compute.Datum, n int) arrow.Array {
	switch dt.ID() {
	case arrow.INT8:
		return modInts[int8](mem, dt, l, r, n)
	case arrow.INT16:
		return modInts[int16](mem, dt, l, r, n)
	case arrow.INT32:
		return modInts[int32](mem, dt, l, r, n)
	case arrow.INT64:
		return modInts[int64](mem, dt, l, r, n)
	case arrow.UINT8:
		return modInts[uint8](mem, dt, l, r, n)
	case arrow.UINT16:
		return modInts[uint16](mem, dt, l, r, n)
	case arrow.UINT32:
		return modInts[uint32](mem, dt, l, r, n)
	case arrow.UINT64:
		return modInts[uint64](mem, dt, l, r, n)
	case arrow.FLOAT32:
		return modFloats[float32](mem, dt, l, r, n)
	}
	return modFloats[float64](mem, dt, l, r, n)
}

func modInts[T integerT](mem memory.Allocator, dt arrow.DataType, l, r compute.Datum, n int) arrow.Array {
	a, b := sideOf[T](l), sideOf[T](r)
	valid, bits := vecBitmap(mem, n, false)
	buf, out := vecAlloc[T](mem, n)
	for i := 0; i < n; i++ {
		y := b.at(i)
		if y == 0 || !a.valid(i) || !b.valid(i) {
			continue
		}
		out[i] = a.at(i) % y // MinInt % -1 is 0 in Go, as in Java
		bitutil.SetBit(bits, i)
	}
	return vecArray(dt, n, valid, buf)
}

func modFloats[T floatT](mem memory.Allocator, dt arrow.DataType, l, r compute.Datum, n int) arrow.Array {
	a, b := sideOf[T](l), sideOf[T](r)
	valid, bits := vecBitmap(mem, n, false)
	buf, out := vecAlloc[T](mem, n)
	for i := 0; i < n; i++ {
		y := b.at(i)
		if y == 0 || !a.valid(i) || !b.valid(i) {
			continue
		}
		out[i] = T(math.Mod(float64(a.at(i)), float64(y)))
		bitutil.SetBit(bits, i)
	}
	return vecArray(dt, n, valid, buf)
}

// NegExpr is unary minus; integer overflow wraps (-MinInt64 is MinInt64).
type NegExpr struct {
	X Expr
}

// Neg is -x.
func Neg(x Expr) *NegExpr { return &NegExpr{X: x} }

func (e *NegExpr) String() string             { return "(- " + e.X.String() + ")" }
func (e *NegExpr) Children() []Expr           { return []Expr{e.X} }
func (e *NegExpr) WithChildren(c []Expr) Expr { return &NegExpr{X: c[0]} }

func (e *NegExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	t, err := e.X.Type(s)
	if err != nil {
		return nil, err
	}
	switch {
	case isNullType(t):
		return arrow.PrimitiveTypes.Int64, nil
	case !IsNumeric(t) || arrow.IsUnsignedInteger(t.ID()):
		return nil, &TypeError{Expr: e.String(), Types: []arrow.DataType{t}, Msg: "negation needs a signed numeric operand"}
	}
	return t, nil
}

func (e *NegExpr) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	t, err := e.Type(rec.Schema())
	if err != nil {
		return nil, err
	}
	x, err := evalAs(ctx, e.X, rec, t)
	if err != nil {
		return nil, err
	}
	defer x.Release()
	d, err := callFunction(ctx, "negate_unchecked", nil, x)
	if err != nil {
		return nil, err
	}
	return datumToArray(ctx, d, int(rec.NumRows()))
}
