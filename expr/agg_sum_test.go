package expr_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

func TestAggSum(t *testing.T) {
	x := expr.Col("x")
	aggRunTable(t, []aggCase{
		{
			name: "int64 with NULLs and an all-NULL group", agg: expr.Sum(x), typ: arrow.PrimitiveTypes.Int64, groups: 4,
			batches: []aggBatch{
				{x: `[1, null, 3, null]`, g: []uint32{0, 1, 0, 2}},
				{x: `[10, null, -4]`, g: []uint32{1, 2, 0}},
			},
			want: `[0, 10, null, null]`,
		},
		{
			name: "int8 widens to int64", agg: expr.Sum(x), typ: arrow.PrimitiveTypes.Int8, groups: 1,
			batches: []aggBatch{{x: `[127, 127, 127]`, g: []uint32{0, 0, 0}}},
			want:    `[381]`,
		},
		{
			name: "uint32", agg: expr.Sum(x), typ: arrow.PrimitiveTypes.Uint32, groups: 2,
			batches: []aggBatch{{x: `[4294967295, 1, null]`, g: []uint32{0, 0, 1}}},
			want:    `[4294967296, null]`,
		},
		{
			name: "int64 wraps on overflow", agg: expr.Sum(x), typ: arrow.PrimitiveTypes.Int64, groups: 1,
			batches: []aggBatch{{x: `[9223372036854775807, 1]`, g: []uint32{0, 0}}},
			want:    `[-9223372036854775808]`,
		},
		{
			name: "float32 widens to float64", agg: expr.Sum(x), typ: arrow.PrimitiveTypes.Float32, groups: 3,
			batches: []aggBatch{
				{x: `[0.5, null, 1.5]`, g: []uint32{0, 2, 0}},
				{x: `[0.25]`, g: []uint32{1}},
			},
			want: `[2, 0.25, null]`,
		},
		{
			name: "float64 NaN and infinities", agg: expr.Sum(x), typ: arrow.PrimitiveTypes.Float64, groups: 3,
			batches: []aggBatch{{x: `["NaN", 1, "Inf", 2, "-Inf", "Inf"]`, g: []uint32{0, 0, 1, 1, 2, 2}}},
			want:    `["NaN", "Inf", "NaN"]`,
		},
		{
			name: "sum(NULL)", agg: expr.Sum(x), typ: arrow.Null, groups: 2,
			batches: []aggBatch{{x: `[null]`, g: []uint32{1}}},
			want:    `[null, null]`,
		},
	})
}
