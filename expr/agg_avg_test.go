package expr_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

func TestAggAvg(t *testing.T) {
	x := expr.Col("x")
	aggRunTable(t, []aggCase{
		{
			name: "int32", agg: expr.Avg(x), typ: arrow.PrimitiveTypes.Int32, groups: 4,
			batches: []aggBatch{
				{x: `[1, null, 2, null]`, g: []uint32{0, 1, 0, 2}},
				{x: `[10, null, 4]`, g: []uint32{1, 2, 0}},
			},
			want: `[2.3333333333333335, 10, null, null]`,
		},
		{
			name: "float64", agg: expr.Avg(x), typ: arrow.PrimitiveTypes.Float64, groups: 2,
			batches: []aggBatch{
				{x: `[0.5, 1.5]`, g: []uint32{0, 0}},
				{x: `["NaN", 1]`, g: []uint32{1, 0}},
			},
			want: `[1, "NaN"]`,
		},
		{
			name: "uint64", agg: expr.Avg(x), typ: arrow.PrimitiveTypes.Uint64, groups: 1,
			batches: []aggBatch{{x: `[18446744073709551615, 1]`, g: []uint32{0, 0}}},
			want:    `[9223372036854775808]`,
		},
		{
			name: "avg(NULL)", agg: expr.Avg(x), typ: arrow.Null, groups: 1,
			batches: []aggBatch{{x: `[null]`, g: []uint32{0}}},
			want:    `[null]`,
		},
	})
}
