package expr_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

func TestAggFirstLast(t *testing.T) {
	x := expr.Col("x")
	dec := &arrow.Decimal128Type{Precision: 10, Scale: 2}
	aggRunTable(t, []aggCase{
		{
			name: "first int64 keeps a leading NULL", agg: expr.First(x), typ: arrow.PrimitiveTypes.Int64, groups: 4,
			batches: []aggBatch{
				{x: `[null, 1, 2]`, g: []uint32{0, 0, 1}},
				{x: `[3, 4, null]`, g: []uint32{0, 1, 2}},
			},
			want: `[null, 2, null, null]`,
		},
		{
			name: "last int64 takes a trailing NULL", agg: expr.Last(x), typ: arrow.PrimitiveTypes.Int64, groups: 4,
			batches: []aggBatch{
				{x: `[1, 2, null]`, g: []uint32{0, 1, 1}},
				{x: `[3, 5]`, g: []uint32{0, 2}},
			},
			want: `[3, null, 5, null]`,
		},
		{
			name: "first string", agg: expr.First(x), typ: arrow.BinaryTypes.String, groups: 3,
			batches: []aggBatch{
				{x: `["b", "a"]`, g: []uint32{0, 0}},
				{x: `["c", null, "d"]`, g: []uint32{1, 2, 2}},
			},
			want: `["b", "c", null]`,
		},
		{
			name: "last string", agg: expr.Last(x), typ: arrow.BinaryTypes.LargeString, groups: 3,
			batches: []aggBatch{
				{x: `["short", "a much longer value"]`, g: []uint32{0, 0}},
				{x: `["c", "x", null]`, g: []uint32{1, 0, 1}},
			},
			want: `["x", null, null]`,
		},
		{
			name: "first bool", agg: expr.First(x), typ: arrow.FixedWidthTypes.Boolean, groups: 3,
			batches: []aggBatch{{x: `[false, true, null, true]`, g: []uint32{0, 0, 1, 1}}},
			want:    `[false, null, null]`,
		},
		{
			name: "last bool", agg: expr.Last(x), typ: arrow.FixedWidthTypes.Boolean, groups: 2,
			batches: []aggBatch{
				{x: `[false, true]`, g: []uint32{0, 1}},
				{x: `[true, false]`, g: []uint32{0, 1}},
			},
			want: `[true, false]`,
		},
		{
			name: "last decimal128", agg: expr.Last(x), typ: dec, groups: 2,
			batches: []aggBatch{{x: `["1.25", "-3.50", "2.00"]`, g: []uint32{0, 1, 0}}},
			want:    `["2.00", "-3.50"]`,
		},
		{
			name: "first float16 by width", agg: expr.First(x), typ: arrow.FixedWidthTypes.Float16, groups: 1,
			batches: []aggBatch{{x: `[1.5, 2]`, g: []uint32{0, 0}}},
			want:    `[1.5]`,
		},
		{
			name: "last(NULL)", agg: expr.Last(x), typ: arrow.Null, groups: 1,
			batches: []aggBatch{{x: `[null]`, g: []uint32{0}}},
			want:    `[null]`,
		},
	})
}
