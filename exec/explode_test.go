package exec

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

var (
	listSchema    = schemaOf("id", arrow.PrimitiveTypes.Int64, "l", arrow.ListOf(arrow.PrimitiveTypes.Int64))
	explodeSchema = schemaOf("id", arrow.PrimitiveTypes.Int64, "l", arrow.ListOf(arrow.PrimitiveTypes.Int64), "e", arrow.PrimitiveTypes.Int64)
)

const listRows = `[
	{"id": 1, "l": [10, 20]}, {"id": 2, "l": null}, {"id": 3, "l": []},
	{"id": null, "l": [null, 30]}, {"id": 5, "l": [50]}]`

func TestExplode(t *testing.T) {
	for _, tt := range []struct {
		name      string
		batchSize int
		slice     [2]int64
		want      []string
		sizes     []int64
	}{{
		name:  "whole",
		slice: [2]int64{0, 5},
		want:  []string{"1,[10,20],10", "1,[10,20],20", "(null),[null,30],(null)", "(null),[null,30],30", "5,[50],50"},
		sizes: []int64{5},
	}, {
		name:      "chunked",
		batchSize: 2,
		slice:     [2]int64{0, 5},
		want:      []string{"1,[10,20],10", "1,[10,20],20", "(null),[null,30],(null)", "(null),[null,30],30", "5,[50],50"},
		sizes:     []int64{2, 2, 1},
	}, {
		name:  "sliced",
		slice: [2]int64{1, 4},
		want:  []string{"(null),[null,30],(null)", "(null),[null,30],30"},
		sizes: []int64{2},
	}, {
		name:  "nothing to explode",
		slice: [2]int64{1, 3},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedMem(t)
			rec := recordOf(t, mem, listSchema, listRows)
			empty := recordOf(t, mem, listSchema, `[]`)
			src := newSource(t, listSchema, empty, sliceOf(t, rec, tt.slice[0], tt.slice[1]), empty)
			op, err := newExplode(src, expr.Col("l"), "e", explodeSchema)
			if err != nil {
				t.Fatal(err)
			}
			recs := mustRun(t, op, mem, tt.batchSize)
			wantRows(t, recs, tt.want...)
			if got := sizesOf(recs); len(got) != len(tt.sizes) {
				t.Errorf("record sizes %v, want %v", got, tt.sizes)
			}
			src.assertClosed(t)
		})
	}
}

func TestExplodeOneElementEachIsZeroCopy(t *testing.T) {
	mem := checkedMem(t)
	rec := recordOf(t, mem, listSchema, `[{"id": 1, "l": [10]}, {"id": 2, "l": [20]}, {"id": 3, "l": [30]}]`)
	src := newSource(t, listSchema, rec)
	op, err := newExplode(src, expr.Col("l"), "e", explodeSchema)
	if err != nil {
		t.Fatal(err)
	}
	recs := mustRun(t, op, mem, 2)
	wantRows(t, recs, "1,[10],10", "2,[20],20", "3,[30],30")
	if got, want := recs[1].Column(0).Data().Buffers()[1], rec.Column(0).Data().Buffers()[1]; got != want {
		t.Error("input column copied")
	}
}

func TestExplodeErrors(t *testing.T) {
	src := newSource(t, listSchema)
	if _, err := newExplode(src, expr.Col("id"), "e", schemaOf("id", arrow.PrimitiveTypes.Int64, "l", arrow.ListOf(arrow.PrimitiveTypes.Int64), "e", arrow.PrimitiveTypes.Int64)); err == nil {
		t.Error("explode of an int64 accepted")
	}
	if _, err := newExplode(src, expr.Col("l"), "e", schemaOf("id", arrow.PrimitiveTypes.Int64, "l", arrow.ListOf(arrow.PrimitiveTypes.Int64), "e", arrow.BinaryTypes.String)); err == nil {
		t.Error("wrong element type accepted")
	}
	if _, err := newExplode(src, expr.Col("l"), "e", listSchema); err == nil {
		t.Error("schema without the element column accepted")
	}
}
