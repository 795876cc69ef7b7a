package expr_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

func TestAggCount(t *testing.T) {
	i64, str := arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String
	aggRunTable(t, []aggCase{
		{
			name: "count(*) counts rows, NULLs too", agg: expr.CountStar(), typ: i64, groups: 4,
			batches: []aggBatch{
				{x: `[1, null, 3]`, g: []uint32{0, 1, 0}},
				{x: `[null, null]`, g: []uint32{1, 2}},
				{x: `[]`, g: []uint32{}},
			},
			want: `[2, 2, 1, 0]`,
		},
		{
			name: "count(x) skips NULLs", agg: expr.Count(expr.Col("x")), typ: i64, groups: 4,
			batches: []aggBatch{
				{x: `[1, null, 3]`, g: []uint32{0, 1, 0}},
				{x: `[null, null, 7]`, g: []uint32{1, 2, 1}},
			},
			want: `[2, 1, 0, 0]`,
		},
		{
			name: "count(x) over strings, all-NULL batch", agg: expr.Count(expr.Col("x")), typ: str, groups: 2,
			batches: []aggBatch{
				{x: `["a", "b", ""]`, g: []uint32{0, 0, 1}},
				{x: `[null, null]`, g: []uint32{0, 1}},
			},
			want: `[2, 1]`,
		},
		{
			name: "count(NULL)", agg: expr.Count(expr.Col("x")), typ: arrow.Null, groups: 2,
			batches: []aggBatch{{x: `[null, null]`, g: []uint32{0, 1}}},
			want:    `[0, 0]`,
		},
	})
}
