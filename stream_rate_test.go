package sluice_test

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluicestream/sluice"
	"github.com/sluicestream/sluice/batch"
	sinkmem "github.com/sluicestream/sluice/sink/memory"
)

// TestStreamRate runs the rate source end to end for a while: the values
// the sink got are 0, 1, … with none missing or repeated, whatever batches
// the wall clock cut them into.
func TestStreamRate(t *testing.T) {
	table := tableName(t, "rate")
	s, _ := streamSession(t, table)
	q := start(t, s.ReadStream().Format("rate").Option("rowsPerSecond", "500").Load().
		Select(sluice.Col("value")).
		WriteStream().Format("memory").QueryName(table).CheckpointLocation(t.TempDir()))
	// The rate source always has more: no ProcessAllAvailable, just a
	// while of batches, then Stop.
	time.Sleep(400 * time.Millisecond)
	q.Stop()
	if err := q.Err(); err != nil {
		t.Fatal(err)
	}
	_, recs, ok := sinkmem.Table(table)
	if !ok {
		t.Fatal("no table")
	}
	defer batch.Release(recs)
	seen := map[int64]bool{}
	for _, rec := range recs {
		vals := rec.Column(0).(*array.Int64)
		for i := range vals.Len() {
			v := vals.Value(i)
			if seen[v] {
				t.Fatalf("value %d written twice", v)
			}
			seen[v] = true
		}
	}
	if len(seen) == 0 {
		t.Fatal("no rows in 400 ms at 500 rows/s")
	}
	for v := range int64(len(seen)) {
		if !seen[v] {
			t.Fatalf("%d values, but %d is missing", len(seen), v)
		}
	}
	if len(q.RecentProgress()) == 0 {
		t.Error("no progress")
	}
}
