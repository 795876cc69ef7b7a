package commitlog_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/commitlog"
	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
)

func TestLog(t *testing.T) { metalogtest.RunStorages(t, testLog) }

func testLog(t *testing.T, st checkpoint.Storage) {
	ctx := t.Context()
	l := commitlog.New(st)
	if _, _, err := l.Latest(ctx); !errors.Is(err, commitlog.ErrEmpty) {
		t.Fatalf("Latest of a new log: %v, want ErrEmpty", err)
	}
	for i := range int64(12) {
		if err := l.Add(ctx, batch.ID(i), commitlog.Entry{NextBatchWatermarkMs: 1000 * i}); err != nil {
			t.Fatal(err)
		}
	}
	if data, _ := st.Read(ctx, "commits/11"); string(data) != "v1\n{\"nextBatchWatermarkMs\":11000}" {
		t.Fatalf("commits/11 = %q", data)
	}
	id, e, err := l.Latest(ctx)
	if err != nil || id != 11 || e.NextBatchWatermarkMs != 11000 {
		t.Fatalf("Latest = %d %+v, %v", id, e, err)
	}
	if _, err := l.Get(ctx, 12); !errors.Is(err, checkpoint.ErrNotExist) {
		t.Fatalf("Get(12): %v, want ErrNotExist", err)
	}
	if err := l.Purge(ctx, 4); err != nil {
		t.Fatal(err)
	}
	ids, err := l.ListDense(ctx)
	if err != nil || !slices.Equal(ids, []batch.ID{8, 9, 10, 11}) {
		t.Fatalf("after Purge(4): %v, %v; want the newest 4", ids, err)
	}
	if err := l.PurgeBefore(ctx, 11); err != nil {
		t.Fatal(err)
	}
	if ids, _ := l.List(ctx); !slices.Equal(ids, []batch.ID{11}) {
		t.Fatalf("after PurgeBefore(11): %v", ids)
	}
	if l.Path(3) != "commits/3" {
		t.Fatalf("Path(3) = %q", l.Path(3))
	}
}

func TestAddExisting(t *testing.T) {
	l := commitlog.New(checkpoint.NewMem())
	metalogtest.AddExisting(t, l, commitlog.Entry{NextBatchWatermarkMs: 1}, commitlog.Entry{NextBatchWatermarkMs: 2})
}

func TestConcurrentAdd(t *testing.T) {
	metalogtest.RunStorages(t, func(t *testing.T, st checkpoint.Storage) {
		metalogtest.ConcurrentAdd(t, commitlog.New(st), func(i int) commitlog.Entry {
			return commitlog.Entry{NextBatchWatermarkMs: int64(i), Extra: metalogtest.Fields("writer", fmt.Sprint(i))}
		})
	})
}
