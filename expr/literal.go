package expr

import (
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Literal is a constant. A typed NULL is a Literal whose Value is not valid.
type Literal struct {
	Value scalar.Scalar
}

// Lit returns a literal for a Go value: nil (NULL of type null), bool, the
// integer and float kinds, string, []byte, time.Time (timestamp, microseconds,
// UTC), arrow.Date32, or a scalar.Scalar. Go int becomes int64.
func Lit(v any) *Literal {
	switch x := v.(type) {
	case scalar.Scalar:
		return &Literal{Value: x}
	case int:
		return &Literal{Value: scalar.NewInt64Scalar(int64(x))}
	case time.Time:
		return &Literal{Value: scalar.NewTimestampScalar(arrow.Timestamp(x.UnixMicro()), &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"})}
	}
	return &Literal{Value: scalar.MakeScalar(v)}
}

// Null returns a NULL literal of type dt.
func Null(dt arrow.DataType) *Literal { return &Literal{Value: scalar.MakeNullScalar(dt)} }

func (l *Literal) String() string {
	if !l.Value.IsValid() {
		return "NULL"
	}
	switch v := l.Value.(type) {
	case *scalar.String:
		return strconv.Quote(v.String())
	case *scalar.Boolean:
		if v.Value {
			return "true"
		}
		return "false"
	}
	return fmt.Sprint(l.Value)
}

func (l *Literal) Children() []Expr                             { return nil }
func (l *Literal) WithChildren(_ []Expr) Expr                   { return l }
func (l *Literal) Type(_ *arrow.Schema) (arrow.DataType, error) { return l.Value.DataType(), nil }

// Eval broadcasts the constant to one value per row.
func (l *Literal) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	return scalar.MakeArrayFromScalar(l.Value, int(rec.NumRows()), ctx.Mem)
}
