package exec

import (
	"context"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestLimit(t *testing.T) {
	for _, tt := range []struct {
		n     int64
		sizes []int64
		nexts int // reads of the input
	}{
		{0, nil, 0},
		{2, []int64{2}, 1},
		{3, []int64{3}, 1}, // closes at the record boundary without reading on
		{5, []int64{3, 2}, 3},
		{6, []int64{3, 3}, 3},
		{100, []int64{3, 3}, 4},
	} {
		mem := checkedMem(t)
		s := schemaOf("a", arrow.PrimitiveTypes.Int64)
		rec := recordOf(t, mem, s, `[{"a": 1}, {"a": null}, {"a": 3}, {"a": 4}, {"a": 5}, {"a": 6}]`)
		empty := recordOf(t, mem, s, `[]`)
		src := newSource(t, s, sliceOf(t, rec, 0, 3), empty, sliceOf(t, rec, 3, 6))
		op, err := newLimit(src, tt.n)
		if err != nil {
			t.Fatal(err)
		}
		r, err := op.Execute(context.Background(), NewTaskContext(mem))
		if err != nil {
			t.Fatal(err)
		}
		var got []arrow.RecordBatch
		for {
			rec, err := r.Next(context.Background())
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, rec)
		}
		if tt.n <= 6 {
			// The input is closed once the limit is reached, before Close.
			src.assertClosed(t)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		want := []string{"1", "(null)", "3", "4", "5", "6"}[:min(tt.n, 6)]
		wantRows(t, got, want...)
		if s := sizesOf(got); len(s) != len(tt.sizes) {
			t.Errorf("limit %d: record sizes %v, want %v", tt.n, s, tt.sizes)
		}
		if n := src.nexts(); n != tt.nexts {
			t.Errorf("limit %d: %d reads of the input, want %d", tt.n, n, tt.nexts)
		}
		for _, g := range got {
			g.Release()
		}
	}
}

func TestLimitNegative(t *testing.T) {
	if _, err := newLimit(newSource(t, schemaOf()), -1); err == nil {
		t.Error("negative limit accepted")
	}
}
