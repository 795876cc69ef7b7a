package expr_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

func TestAggCountDistinct(t *testing.T) {
	x := expr.Col("x")
	cd := expr.CountDistinct(x)
	aggRunTable(t, []aggCase{
		{
			name: "int64 across batches", agg: cd, typ: arrow.PrimitiveTypes.Int64, groups: 4,
			batches: []aggBatch{
				{x: `[1, 1, 2, null, 5]`, g: []uint32{0, 0, 0, 1, 1}},
				{x: `[2, 3, 5, null]`, g: []uint32{0, 0, 1, 2}},
			},
			want: `[3, 1, 0, 0]`,
		},
		{
			name: "the same value in two groups", agg: cd, typ: arrow.PrimitiveTypes.Int32, groups: 2,
			batches: []aggBatch{{x: `[7, 7, 7]`, g: []uint32{0, 1, 1}}},
			want:    `[1, 1]`,
		},
		{
			name: "float64: NaNs are one value, -0 is 0", agg: cd, typ: arrow.PrimitiveTypes.Float64, groups: 2,
			batches: []aggBatch{
				{x: `["NaN", "NaN", 0, -0.0, 1]`, g: []uint32{0, 0, 0, 0, 1}},
				{x: `["NaN", 1, "Inf"]`, g: []uint32{0, 1, 1}},
			},
			want: `[2, 2]`,
		},
		{
			name: "float32", agg: cd, typ: arrow.PrimitiveTypes.Float32, groups: 1,
			batches: []aggBatch{{x: `["NaN", 1, 1, -0.0, 0]`, g: []uint32{0, 0, 0, 0, 0}}},
			want:    `[3]`,
		},
		{
			name: "string", agg: cd, typ: arrow.BinaryTypes.String, groups: 3,
			batches: []aggBatch{
				{x: `["a", "b", "a", "", null]`, g: []uint32{0, 0, 0, 1, 2}},
				{x: `["b", "c", ""]`, g: []uint32{0, 0, 1}},
			},
			want: `[3, 1, 0]`,
		},
		{
			name: "bool", agg: cd, typ: arrow.FixedWidthTypes.Boolean, groups: 2,
			batches: []aggBatch{{x: `[true, true, false, null]`, g: []uint32{0, 0, 0, 1}}},
			want:    `[2, 0]`,
		},
		{
			name: "decimal128", agg: cd, typ: &arrow.Decimal128Type{Precision: 5, Scale: 1}, groups: 1,
			batches: []aggBatch{{x: `["1.0", "1.0", "2.5"]`, g: []uint32{0, 0, 0}}},
			want:    `[2]`,
		},
		{
			name: "timestamp", agg: cd, typ: arrow.FixedWidthTypes.Timestamp_ms, groups: 1,
			batches: []aggBatch{{x: `[1, 1, 2, null]`, g: []uint32{0, 0, 0, 0}}},
			want:    `[2]`,
		},
		{
			name: "count(DISTINCT NULL)", agg: cd, typ: arrow.Null, groups: 1,
			batches: []aggBatch{{x: `[null, null]`, g: []uint32{0, 0}}},
			want:    `[0]`,
		},
	})
}
