package offsetlog_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/offsetlog"
)

func batchID(n int64) batch.ID { return batch.ID(n) }

func entry(ts int64, offsets ...string) offsetlog.Entry {
	return offsetlog.Entry{
		Metadata: offsetlog.Metadata{BatchTimestampMs: ts, Conf: offsetlog.Conf{{"spark.sql.shuffle.partitions", "5"}}},
		Offsets:  raw(offsets...),
	}
}

func TestLog(t *testing.T) {
	for _, s := range storages {
		t.Run(s.name, func(t *testing.T) { testLog(t, s.open(t)) })
	}
}

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
	ctx := t.Context()
	l := offsetlog.New(checkpoint.NewMem())
	if err := l.Add(ctx, 4, entry(1, "1")); err != nil {
		t.Fatal(err)
	}
	err := l.Add(ctx, 4, entry(2, "2"))
	var ale *offsetlog.AlreadyLoggedError
	if !errors.As(err, &ale) || ale.ID != 4 || !errors.Is(err, checkpoint.ErrExist) {
		t.Fatalf("Add of a logged batch: %v, want *AlreadyLoggedError wrapping ErrExist", err)
	}
	if e, _ := l.Get(ctx, 4); e.Metadata.BatchTimestampMs != 1 {
		t.Fatal("entry rewritten")
	}
}

func TestConcurrentAdd(t *testing.T) {
	for _, s := range storages {
		t.Run(s.name, func(t *testing.T) { testConcurrentAdd(t, offsetlog.New(s.open(t))) })
	}
}

func testConcurrentAdd(t *testing.T, l *offsetlog.Log) {
	ctx := t.Context()
	const writers = 8
	errs := make([]error, writers)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range writers {
		done.Go(func() {
			start.Wait()
			errs[i] = l.Add(ctx, 0, entry(int64(i), fmt.Sprint(i)))
		})
	}
	start.Done()
	done.Wait()
	winner := -1
	for i, err := range errs {
		var ale *offsetlog.AlreadyLoggedError
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("writers %d and %d both won", winner, i)
		case err == nil:
			winner = i
		case !errors.As(err, &ale):
			t.Fatalf("writer %d: %v, want *AlreadyLoggedError", i, err)
		}
	}
	e, err := l.Get(ctx, 0)
	if winner < 0 || err != nil || !reflect.DeepEqual(e, entry(int64(winner), fmt.Sprint(winner))) {
		t.Fatalf("winner %d, entry %+v, %v", winner, e, err)
	}
}
