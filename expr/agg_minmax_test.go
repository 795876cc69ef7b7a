package expr_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

func TestAggMinMax(t *testing.T) {
	x := expr.Col("x")
	ts := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	aggRunTable(t, []aggCase{
		{
			name: "min int64", agg: expr.Min(x), typ: arrow.PrimitiveTypes.Int64, groups: 4,
			batches: []aggBatch{
				{x: `[5, null, 3, null]`, g: []uint32{0, 1, 0, 2}},
				{x: `[-9223372036854775808, null, 4]`, g: []uint32{1, 2, 0}},
			},
			want: `[3, -9223372036854775808, null, null]`,
		},
		{
			name: "max int64", agg: expr.Max(x), typ: arrow.PrimitiveTypes.Int64, groups: 3,
			batches: []aggBatch{
				{x: `[5, null, 3]`, g: []uint32{0, 1, 0}},
				{x: `[9223372036854775807, 7]`, g: []uint32{1, 0}},
			},
			want: `[7, 9223372036854775807, null]`,
		},
		{
			name: "max uint8", agg: expr.Max(x), typ: arrow.PrimitiveTypes.Uint8, groups: 1,
			batches: []aggBatch{{x: `[1, 255, 0]`, g: []uint32{0, 0, 0}}},
			want:    `[255]`,
		},
		{
			name: "max float64: NaN is greatest", agg: expr.Max(x), typ: arrow.PrimitiveTypes.Float64, groups: 3,
			batches: []aggBatch{
				{x: `[1, "NaN", "Inf", -2]`, g: []uint32{0, 0, 1, 2}},
				{x: `[3, 1e300, null]`, g: []uint32{0, 1, 2}},
			},
			want: `["NaN", "Inf", -2]`,
		},
		{
			name: "min float32: NaN loses", agg: expr.Min(x), typ: arrow.PrimitiveTypes.Float32, groups: 3,
			batches: []aggBatch{
				{x: `["NaN", 2, "NaN", "-Inf"]`, g: []uint32{0, 0, 1, 2}},
				{x: `[1.5, 0]`, g: []uint32{0, 2}},
			},
			want: `[1.5, "NaN", "-Inf"]`,
		},
		{
			name: "min string", agg: expr.Min(x), typ: arrow.BinaryTypes.String, groups: 4,
			batches: []aggBatch{
				{x: `["pear", null, "apple", "b"]`, g: []uint32{0, 1, 0, 3}},
				{x: `["apples", "", null]`, g: []uint32{0, 3, 2}},
			},
			want: `["apple", null, null, ""]`,
		},
		{
			name: "max string grows its slot", agg: expr.Max(x), typ: arrow.BinaryTypes.String, groups: 2,
			batches: []aggBatch{
				{x: `["a", "zz", "b"]`, g: []uint32{0, 1, 0}},
				{x: `["bbbbbbbbbbbbbbbbbbbb", "z"]`, g: []uint32{0, 1}},
				{x: `["c"]`, g: []uint32{0}},
			},
			want: `["c", "zz"]`,
		},
		{
			name: "max large_string", agg: expr.Max(x), typ: arrow.BinaryTypes.LargeString, groups: 2,
			batches: []aggBatch{{x: `["x", "xy", null]`, g: []uint32{0, 0, 1}}},
			want:    `["xy", null]`,
		},
		{
			name: "min bool is AND", agg: expr.Min(x), typ: arrow.FixedWidthTypes.Boolean, groups: 4,
			batches: []aggBatch{
				{x: `[true, true, false, null]`, g: []uint32{0, 1, 1, 2}},
				{x: `[true, null]`, g: []uint32{0, 3}},
			},
			want: `[true, false, null, null]`,
		},
		{
			name: "max bool is OR", agg: expr.Max(x), typ: arrow.FixedWidthTypes.Boolean, groups: 3,
			batches: []aggBatch{{x: `[false, false, true, null]`, g: []uint32{0, 1, 1, 2}}},
			want:    `[false, true, null]`,
		},
		{
			name: "min date32", agg: expr.Min(x), typ: arrow.FixedWidthTypes.Date32, groups: 2,
			batches: []aggBatch{{x: `[19000, 18000, null]`, g: []uint32{0, 0, 1}}},
			want:    `[18000, null]`,
		},
		{
			name: "max timestamp", agg: expr.Max(x), typ: ts, groups: 2,
			batches: []aggBatch{
				{x: `[1000, -5]`, g: []uint32{0, 1}},
				{x: `[2000, null]`, g: []uint32{0, 1}},
			},
			want: `[2000, -5]`,
		},
		{
			name: "max(DISTINCT x) is max(x)", agg: &expr.AggFunc{Kind: expr.AggMax, Arg: x, Distinct: true},
			typ: arrow.PrimitiveTypes.Int32, groups: 1,
			batches: []aggBatch{{x: `[1, 3, 3]`, g: []uint32{0, 0, 0}}},
			want:    `[3]`,
		},
		{
			name: "min(NULL)", agg: expr.Min(x), typ: arrow.Null, groups: 2,
			batches: []aggBatch{{x: `[null]`, g: []uint32{0}}},
			want:    `[null, null]`,
		},
	})
}
