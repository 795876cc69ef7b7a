package expr_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

func TestAggFuncTypes(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32},
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "ts", Type: arrow.FixedWidthTypes.Timestamp_us},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "d", Type: &arrow.Decimal128Type{Precision: 9, Scale: 2}},
	}, nil)
	i64, f64, boolean := arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64, arrow.FixedWidthTypes.Boolean
	for _, c := range []struct {
		agg    *expr.AggFunc
		out    arrow.DataType
		states []arrow.DataType
	}{
		{expr.CountStar(), i64, []arrow.DataType{i64}},
		{expr.Count(expr.Col("s")), i64, []arrow.DataType{i64}},
		{expr.CountDistinct(expr.Col("s")), i64, []arrow.DataType{arrow.ListOf(arrow.BinaryTypes.String)}},
		{expr.Sum(expr.Col("i8")), i64, []arrow.DataType{i64}},
		{expr.Sum(expr.Col("u64")), i64, []arrow.DataType{i64}},
		{expr.Sum(expr.Col("f32")), f64, []arrow.DataType{f64}},
		{expr.Avg(expr.Col("i8")), f64, []arrow.DataType{f64, i64}},
		{expr.Min(expr.Col("s")), arrow.BinaryTypes.String, []arrow.DataType{arrow.BinaryTypes.String}},
		{expr.Max(expr.Col("ts")), arrow.FixedWidthTypes.Timestamp_us, []arrow.DataType{arrow.FixedWidthTypes.Timestamp_us}},
		{expr.Max(expr.Col("b")), boolean, []arrow.DataType{boolean}},
		{expr.First(expr.Col("f32")), arrow.PrimitiveTypes.Float32, []arrow.DataType{arrow.PrimitiveTypes.Float32, boolean}},
		{expr.Last(expr.Col("d")), s.Field(6).Type, []arrow.DataType{s.Field(6).Type, boolean}},
		{expr.Sum(expr.Lit(nil)), i64, []arrow.DataType{i64}},
		{expr.Max(expr.Lit(nil)), arrow.Null, []arrow.DataType{arrow.Null}},
	} {
		t.Run(c.agg.String(), func(t *testing.T) {
			out, err := c.agg.Type(s)
			if err != nil {
				t.Fatal(err)
			}
			if !arrow.TypeEqual(out, c.out) {
				t.Errorf("Type = %s, want %s", out, c.out)
			}
			states, err := c.agg.StateTypes(s)
			if err != nil {
				t.Fatal(err)
			}
			if len(states) != len(c.states) {
				t.Fatalf("StateTypes = %v, want %v", states, c.states)
			}
			for i := range states {
				if !arrow.TypeEqual(states[i], c.states[i]) {
					t.Errorf("StateTypes = %v, want %v", states, c.states)
				}
			}
		})
	}
}

func TestAggFuncTypeErrors(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "ts", Type: arrow.FixedWidthTypes.Timestamp_us},
		{Name: "d", Type: &arrow.Decimal128Type{Precision: 9, Scale: 2}},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)},
		{Name: "h", Type: arrow.FixedWidthTypes.Float16},
	}, nil)
	for _, c := range []struct {
		agg  *expr.AggFunc
		want string // in the message
	}{
		{expr.Sum(expr.Col("s")), "sum needs a numeric argument"},
		{expr.Avg(expr.Col("ts")), "avg needs a numeric argument"},
		{expr.Max(expr.Col("d")), "max needs an orderable argument"},
		{expr.Min(expr.Col("l")), "min needs an orderable argument"},
		{expr.First(expr.Col("l")), "first does not support"},
		{expr.CountDistinct(expr.Col("h")), "count(DISTINCT) does not support"},
	} {
		t.Run(c.agg.String(), func(t *testing.T) {
			_, err := c.agg.Type(s)
			var te *expr.TypeError
			if !errors.As(err, &te) {
				t.Fatalf("Type error = %v, want a *TypeError", err)
			}
			if te.Expr != c.agg.String() || len(te.Types) != 1 || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q (expr %q, types %v), want one naming %s and containing %q", err, te.Expr, te.Types, c.agg, c.want)
			}
			if _, err := c.agg.StateTypes(s); err == nil {
				t.Error("StateTypes: no error")
			}
			if _, err := c.agg.NewAccumulator(s); err == nil {
				t.Error("NewAccumulator: no error")
			}
		})
	}
}

func TestAggFuncOtherErrors(t *testing.T) {
	s := aggSchema(arrow.PrimitiveTypes.Int64)
	var unknown *expr.UnknownColumnError
	if _, err := expr.Sum(expr.Col("nope")).Type(s); !errors.As(err, &unknown) {
		t.Errorf("unknown column: %v", err)
	}
	for _, a := range []*expr.AggFunc{
		{Kind: expr.AggSum},                                     // no argument
		{Kind: expr.AggCount, Distinct: true},                   // count(DISTINCT *)
		expr.Sum(expr.Sum(expr.Col("x"))),                       // nested
		{Kind: expr.AggSum, Arg: expr.Col("x"), Distinct: true}, // not supported
		{Kind: "median", Arg: expr.Col("x")},
	} {
		if _, err := a.NewAccumulator(s); err == nil {
			t.Errorf("%s: no error", a)
		}
	}
}

func TestAggAccumulatorRejectsBadInput(t *testing.T) {
	s := aggSchema(arrow.PrimitiveTypes.Int64)
	mem := newAggMem()
	defer mem.AssertSize(t, 0)
	acc := aggNew(t, expr.Sum(expr.Col("x")), s)
	defer acc.Release()
	x := aggFromJSON(t, mem, arrow.PrimitiveTypes.Int32, `[1, 2]`)
	defer x.Release()
	if err := acc.Update([]arrow.Array{x}, []uint32{0, 0}, 1); err == nil {
		t.Error("int32 values for an int64 sum: no error")
	}
	y := aggFromJSON(t, mem, arrow.PrimitiveTypes.Int64, `[1, 2]`)
	defer y.Release()
	if err := acc.Update([]arrow.Array{y}, []uint32{0}, 1); err == nil {
		t.Error("2 values for 1 group index: no error")
	}
	if err := acc.Update(nil, nil, 1); err == nil {
		t.Error("no values: no error")
	}
	if err := acc.Merge([]arrow.Array{y, y}, []uint32{0, 0}, 1); err == nil {
		t.Error("2 state columns for sum: no error")
	}
}
