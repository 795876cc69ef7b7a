package offsetlog_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
	"github.com/sluicestream/sluice/offsetlog"
)

func batchID(n int64) batch.ID { return batch.ID(n) }

func entry(ts int64, offsets ...string) offsetlog.Entry {
	return offsetlog.Entry{
		Metadata: offsetlog.Metadata{BatchTimestampMs: ts, Conf: offsetlog.Conf{{"spark.sql.shuffle.partitions", "5"}}},
		Offsets:  raw(offsets...),
	}
}

func TestLog(t *testing.T) { metalogtest.RunStorages(t, testLog) }

func testLog(t *testing.T, st checkpoint.Storage) {
	ctx := t.Context()
	l := offsetlog.New(st)
	if _, _, err := l.Latest(ctx); !errors.Is(err, offsetlog.ErrEmpty) {
		t.Fatalf("Latest of a new log: %v, want ErrEmpty", err)
	}
	for i := range int64(12) {
		if err := l.Add(ctx, batch.ID(i), entry(100+i, fmt.Sprint(i), "-")); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := st.Read(ctx, "offsets/11")
	if want := "v1\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":111,\"conf\":{\"spark.sql.shuffle.partitions\":\"5\"}}\n11\n-"; string(data) != want {
		t.Fatalf("offsets/11 = %q, want %q", data, want)
	}
	id, e, err := l.Latest(ctx)
	if err != nil || id != 11 || !reflect.DeepEqual(e, entry(111, "11", "-")) {
		t.Fatalf("Latest = %d %+v, %v", id, e, err)
	}
	e, err = l.Get(ctx, 3)
	if err != nil || !reflect.DeepEqual(e, entry(103, "3", "-")) {
		t.Fatalf("Get(3) = %+v, %v", e, err)
	}
	if _, err := l.Get(ctx, 12); !errors.Is(err, checkpoint.ErrNotExist) {
		t.Fatalf("Get(12): %v, want ErrNotExist", err)
	}
	if err := l.Purge(ctx, 5); err != nil {
		t.Fatal(err)
	}
	ids, err := l.ListDense(ctx)
	if err != nil || !slices.Equal(ids, []batch.ID{7, 8, 9, 10, 11}) {
		t.Fatalf("after Purge(5): %v, %v; want the newest 5", ids, err)
	}
	if err := l.PurgeBefore(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if ids, _ := l.List(ctx); !slices.Equal(ids, []batch.ID{10, 11}) {
		t.Fatalf("after PurgeBefore(10): %v", ids)
	}
	if l.Path(10) != "offsets/10" {
		t.Fatalf("Path(10) = %q", l.Path(10))
	}
	if err := l.Add(ctx, 12, offsetlog.Entry{Offsets: []json.RawMessage{json.RawMessage("x")}}); err == nil {
		t.Fatal("Add of an entry that cannot be written succeeded")
	}
	if ids, _ := l.List(ctx); len(ids) != 2 {
		t.Fatalf("a failed Add left a file: %v", ids)
	}
}

func TestAddExisting(t *testing.T) {
	metalogtest.AddExisting(t, offsetlog.New(checkpoint.NewMem()), entry(1, "1"), entry(2, "2"))
}

func TestConcurrentAdd(t *testing.T) {
	metalogtest.RunStorages(t, func(t *testing.T, st checkpoint.Storage) {
		metalogtest.ConcurrentAdd(t, offsetlog.New(st), func(i int) offsetlog.Entry {
			return entry(int64(i), fmt.Sprint(i))
		})
	})
}
