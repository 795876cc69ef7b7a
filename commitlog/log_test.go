package commitlog_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/commitlog"
)

func TestLog(t *testing.T) {
	for _, s := range storages {
		t.Run(s.name, func(t *testing.T) { testLog(t, s.open(t)) })
	}
}

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
	ctx := t.Context()
	l := commitlog.New(checkpoint.NewMem())
	if err := l.Add(ctx, 4, commitlog.Entry{NextBatchWatermarkMs: 1}); err != nil {
		t.Fatal(err)
	}
	err := l.Add(ctx, 4, commitlog.Entry{NextBatchWatermarkMs: 2})
	var ale *commitlog.AlreadyLoggedError
	if !errors.As(err, &ale) || ale.ID != 4 || ale.Path != "commits/4" || !errors.Is(err, checkpoint.ErrExist) {
		t.Fatalf("Add of a committed batch: %v, want *AlreadyLoggedError wrapping ErrExist", err)
	}
	if e, _ := l.Get(ctx, 4); e.NextBatchWatermarkMs != 1 {
		t.Fatal("entry rewritten")
	}
}

func TestConcurrentAdd(t *testing.T) {
	for _, s := range storages {
		t.Run(s.name, func(t *testing.T) { testConcurrentAdd(t, commitlog.New(s.open(t))) })
	}
}

func testConcurrentAdd(t *testing.T, l *commitlog.Log) {
	ctx := t.Context()
	const writers = 8
	errs := make([]error, writers)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range writers {
		done.Go(func() {
			start.Wait()
			errs[i] = l.Add(ctx, 0, commitlog.Entry{NextBatchWatermarkMs: int64(i), Extra: fields("writer", fmt.Sprint(i))})
		})
	}
	start.Done()
	done.Wait()
	winner := -1
	for i, err := range errs {
		var ale *commitlog.AlreadyLoggedError
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
	want := commitlog.Entry{NextBatchWatermarkMs: int64(winner), Extra: fields("writer", fmt.Sprint(winner))}
	if winner < 0 || err != nil || !reflect.DeepEqual(e, want) {
		t.Fatalf("winner %d, entry %+v, %v", winner, e, err)
	}
}
