package benchdata

import (
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestEvents checks the events are a fixed sequence, each length a prefix
// of the next, and that the records hold them in order.
func TestEvents(t *testing.T) {
	short, long := EventColumns(100), EventColumns(1000)
	if !slices.Equal(short.User, long.User[:100]) || !slices.Equal(short.Amount, long.Amount[:100]) || !slices.Equal(short.Kind, long.Kind[:100]) {
		t.Fatal("100 events are not a prefix of 1000")
	}
	for i, a := range long.Amount {
		if a < 0 || a >= 100 || !slices.Contains(EventKinds, long.Kind[i]) || long.ID[i] != int64(i) {
			t.Fatalf("event %d: id %d, kind %q, amount %v", i, long.ID[i], long.Kind[i], a)
		}
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := EventRecords(mem, long, 300)
	if len(recs) != 4 || recs[3].NumRows() != 100 {
		t.Fatalf("%d records, the last of %d rows; want 4, the last of 100", len(recs), recs[len(recs)-1].NumRows())
	}
	for k, r := range recs {
		ids, amounts := r.Column(0).(*array.Int64), r.Column(3).(*array.Float64)
		for i := range int(r.NumRows()) {
			if ids.Value(i) != int64(k*300+i) || amounts.Value(i) != long.Amount[k*300+i] {
				t.Fatalf("record %d row %d: id %d amount %v", k, i, ids.Value(i), amounts.Value(i))
			}
		}
		r.Release()
	}
}
