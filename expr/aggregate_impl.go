package expr

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Aggregate types, partial states and accumulators.
//
// Result and partial-state types, for an argument of type x:
//
//	aggregate            result           state columns (one row per group)
//	count(*), count(x)   int64            count int64
//	count(DISTINCT x)    int64            values list<x> (distinct non-NULL values, first-seen order)
//	sum(x) integer x     int64 (wraps)    sum int64, NULL if no non-NULL input
//	sum(x) float x       float64          sum float64, NULL if no non-NULL input
//	avg(x)               float64          sum float64, count int64
//	min(x), max(x)       x                value x, NULL if no non-NULL input
//	first(x), last(x)    x                value x, set bool (a row, maybe NULL, was seen)
//
// The state is what a streaming aggregation keeps between micro-batches, so
// changing a row of this table changes the checkpoint format.
//
// Argument types: sum and avg take integers and floats; min and max also take
// dates, times, timestamps, durations, month intervals, decimal32/64,
// booleans, strings and binaries (large ones too); first and last take any of
// those and every other fixed-width type; count takes anything, count
// DISTINCT what min and max take plus the other fixed-width types except
// float16. An argument of type null (a bare NULL) gives NULL (count: 0).

// Type is the result type of the aggregate: int64 for count, float64 for avg,
// the argument's type otherwise (sum widens integers to int64 and floats to
// float64).
func (a *AggFunc) Type(s *arrow.Schema) (arrow.DataType, error) {
	acc, err := a.resolve(s)
	if err != nil {
		return nil, err
	}
	return acc.head().out, nil
}

// StateTypes returns the types of the partial-state columns.
func (a *AggFunc) StateTypes(s *arrow.Schema) ([]arrow.DataType, error) {
	acc, err := a.resolve(s)
	if err != nil {
		return nil, err
	}
	return append([]arrow.DataType(nil), acc.head().states...), nil
}

// NewAccumulator returns an empty accumulator for this aggregate over input
// schema s. Update takes the argument evaluated over the input batch (nothing
// for count(*)); the accumulator is not safe for concurrent use.
func (a *AggFunc) NewAccumulator(s *arrow.Schema) (GroupsAccumulator, error) {
	return a.resolve(s)
}

// resolve type-checks the aggregate against s and returns a new accumulator;
// the accumulator's head is also where Type and StateTypes come from, so the
// three cannot disagree.
func (a *AggFunc) resolve(s *arrow.Schema) (aggAccumulator, error) {
	name := a.String()
	if a.Arg == nil {
		if a.Kind != AggCount || a.Distinct {
			return nil, fmt.Errorf("%s: needs an argument", name)
		}
		return newCountAcc(name, nil), nil
	}
	if IsAggregate(a.Arg) {
		return nil, fmt.Errorf("%s: aggregate functions cannot be nested", name)
	}
	t, err := a.Arg.Type(s)
	if err != nil {
		return nil, err
	}
	if a.Distinct && a.Kind != AggCount && a.Kind != AggMin && a.Kind != AggMax {
		return nil, fmt.Errorf("%s: DISTINCT is supported for count, min and max only", name)
	}
	acc, msg := newAggAcc(name, a.Kind, a.Distinct, t)
	if msg != "" {
		return nil, &TypeError{Expr: name, Types: []arrow.DataType{t}, Msg: msg}
	}
	return acc, nil
}

// newAggAcc returns the accumulator for an aggregate of kind over an argument of
// type t, or a message saying why t does not fit. DISTINCT does not change
// min and max.
func newAggAcc(name string, kind AggKind, distinct bool, t arrow.DataType) (aggAccumulator, string) {
	isNull := t.ID() == arrow.NULL
	var acc aggAccumulator
	switch kind {
	case AggCount:
		if !distinct || isNull {
			return newCountAcc(name, t), ""
		}
		if acc = newDistinctAcc(name, t); acc == nil {
			return nil, "count(DISTINCT) does not support this type"
		}
	case AggSum:
		if isNull {
			return newNullAcc(name, []arrow.DataType{arrow.PrimitiveTypes.Int64}, arrow.PrimitiveTypes.Int64), ""
		}
		if acc = newSumAccFor(name, t); acc == nil {
			return nil, "sum needs a numeric argument"
		}
	case AggAvg:
		if isNull {
			return newNullAcc(name, avgStateTypes, arrow.PrimitiveTypes.Float64), ""
		}
		if acc = newAvgAccFor(name, t); acc == nil {
			return nil, "avg needs a numeric argument"
		}
	case AggMin, AggMax:
		if isNull {
			return newNullAcc(name, []arrow.DataType{t}, t), ""
		}
		if acc = newMinMaxAcc(name, t, kind == AggMax); acc == nil {
			return nil, string(kind) + " needs an orderable argument"
		}
	case AggFirst, AggLast:
		if isNull {
			return newNullAcc(name, []arrow.DataType{t, arrow.FixedWidthTypes.Boolean}, t), ""
		}
		if acc = newFirstLastAcc(name, t, kind == AggLast); acc == nil {
			return nil, string(kind) + " does not support this type"
		}
	default:
		return nil, fmt.Sprintf("unknown aggregate function %q", kind)
	}
	return acc, ""
}

// newSumAccFor returns sum over a numeric type t, or nil.
func newSumAccFor(name string, t arrow.DataType) aggAccumulator {
	i64, f64 := arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64
	switch t.ID() {
	case arrow.INT8:
		return newSumAcc[int8, int64](name, t, i64)
	case arrow.INT16:
		return newSumAcc[int16, int64](name, t, i64)
	case arrow.INT32:
		return newSumAcc[int32, int64](name, t, i64)
	case arrow.INT64:
		return newSumAcc[int64, int64](name, t, i64)
	case arrow.UINT8:
		return newSumAcc[uint8, int64](name, t, i64)
	case arrow.UINT16:
		return newSumAcc[uint16, int64](name, t, i64)
	case arrow.UINT32:
		return newSumAcc[uint32, int64](name, t, i64)
	case arrow.UINT64:
		return newSumAcc[uint64, int64](name, t, i64)
	case arrow.FLOAT32:
		return newSumAcc[float32, float64](name, t, f64)
	case arrow.FLOAT64:
		return newSumAcc[float64, float64](name, t, f64)
	}
	return nil
}

// newAvgAccFor returns avg over a numeric type t, or nil.
func newAvgAccFor(name string, t arrow.DataType) aggAccumulator {
	switch t.ID() {
	case arrow.INT8:
		return newAvgAcc[int8](name, t)
	case arrow.INT16:
		return newAvgAcc[int16](name, t)
	case arrow.INT32:
		return newAvgAcc[int32](name, t)
	case arrow.INT64:
		return newAvgAcc[int64](name, t)
	case arrow.UINT8:
		return newAvgAcc[uint8](name, t)
	case arrow.UINT16:
		return newAvgAcc[uint16](name, t)
	case arrow.UINT32:
		return newAvgAcc[uint32](name, t)
	case arrow.UINT64:
		return newAvgAcc[uint64](name, t)
	case arrow.FLOAT32:
		return newAvgAcc[float32](name, t)
	case arrow.FLOAT64:
		return newAvgAcc[float64](name, t)
	}
	return nil
}

// aggPhysicalType maps a type to the type whose layout and order its values
// share: dates, times, month intervals, timestamps, durations and the small
// decimals to the integer of their width (a decimal type has one scale, so
// its integers order as its values), strings to binaries. Other types map to
// themselves.
func aggPhysicalType(dt arrow.DataType) arrow.Type {
	switch id := dt.ID(); id {
	case arrow.DATE32, arrow.TIME32, arrow.INTERVAL_MONTHS, arrow.DECIMAL32:
		return arrow.INT32
	case arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION, arrow.DECIMAL64:
		return arrow.INT64
	case arrow.STRING, arrow.BINARY:
		return arrow.BINARY
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return arrow.LARGE_BINARY
	default:
		return id
	}
}

// aggFixedWidth returns the byte width of a fixed-width primitive type (numbers,
// temporal types, intervals, decimals), or 0 for any other type.
func aggFixedWidth(dt arrow.DataType) int {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64,
		arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64,
		arrow.TIMESTAMP, arrow.DURATION,
		arrow.INTERVAL_MONTHS, arrow.INTERVAL_DAY_TIME, arrow.INTERVAL_MONTH_DAY_NANO,
		arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256:
		return dt.(arrow.FixedWidthDataType).BitWidth() / 8
	}
	return 0
}
