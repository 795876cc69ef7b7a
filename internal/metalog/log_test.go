package metalog_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/metalog"
	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
)

func TestAddGet(t *testing.T) {
	ctx := t.Context()
	st := checkpoint.NewMem()
	l := metalog.New(st, "offsets", 1)
	if err := l.Add(ctx, 7, []byte("{}\n0")); err != nil {
		t.Fatal(err)
	}
	raw, err := st.Read(ctx, "offsets/7")
	if err != nil || string(raw) != "v1\n{}\n0" {
		t.Fatalf("offsets/7 = %q, %v; want %q", raw, err, "v1\n{}\n0")
	}
	rec, err := l.Get(ctx, 7)
	if err != nil || rec.Version != 1 || string(rec.Body) != "{}\n0" || rec.Path != "offsets/7" || rec.BodyOffset != 3 {
		t.Fatalf("Get(7) = %+v, %v", rec, err)
	}
	_, err = l.Get(ctx, 8)
	if !errors.Is(err, checkpoint.ErrNotExist) {
		t.Fatalf("Get(8) of a missing entry: %v, want ErrNotExist", err)
	}
	var ce *checkpoint.CorruptionError
	if errors.As(err, &ce) {
		t.Fatalf("a missing entry is not corruption: %v", err)
	}
	if err := l.Add(ctx, -1, nil); err == nil {
		t.Fatal("Add(-1) succeeded")
	}
}

func TestAddExisting(t *testing.T) {
	ctx := t.Context()
	st := checkpoint.NewMem()
	l := metalog.New(st, "commits", 1)
	if err := l.Add(ctx, 3, []byte("first")); err != nil {
		t.Fatal(err)
	}
	err := l.Add(ctx, 3, []byte("second"))
	var ale *metalog.AlreadyLoggedError
	if !errors.As(err, &ale) || ale.ID != 3 || ale.Path != "commits/3" {
		t.Fatalf("second Add: %v, want *AlreadyLoggedError for commits/3", err)
	}
	if !errors.Is(err, checkpoint.ErrExist) {
		t.Errorf("AlreadyLoggedError does not wrap ErrExist: %v", err)
	}
	if got := err.Error(); got != "commits/3: batch 3 already logged" {
		t.Errorf("message %q", got)
	}
	rec, _ := l.Get(ctx, 3)
	if string(rec.Body) != "first" {
		t.Errorf("entry rewritten: %q", rec.Body)
	}
}

func TestConcurrentAdd(t *testing.T) {
	metalogtest.RunStorages(t, func(t *testing.T, st checkpoint.Storage) {
		l := metalog.New(st, "offsets", 1)
		for round := range batch.ID(5) {
			testConcurrentAdd(t, l, round)
		}
	})
}

func testConcurrentAdd(t *testing.T, l *metalog.Log, id batch.ID) {
	ctx := t.Context()
	winner := metalogtest.RaceAdds(t, 8, func(i int) error {
		return l.Add(ctx, id, fmt.Appendf(nil, "writer %d", i))
	})
	rec, err := l.Get(ctx, id)
	if err != nil || string(rec.Body) != fmt.Sprintf("writer %d", winner) {
		t.Fatalf("entry %q, %v; want writer %d's", rec.Body, err, winner)
	}
}

func TestListIgnoresOtherNames(t *testing.T) {
	ctx := t.Context()
	st := checkpoint.NewMem()
	for _, name := range []string{"0", "1", "2", "9", "10", "11", ".1.crc", "2.compact", "007", "+7", "-1", "x", "99999999999999999999", "sub/5"} {
		if err := st.Create(ctx, "offsets/"+name, []byte("v1\n{}")); err != nil {
			t.Fatal(err)
		}
	}
	l := metalog.New(st, "offsets", 1)
	ids, err := l.List(ctx)
	if want := []batch.ID{0, 1, 2, 9, 10, 11}; err != nil || !slices.Equal(ids, want) {
		t.Fatalf("List = %v, %v; want %v (numeric order, entries only)", ids, err, want)
	}
	last, err := l.Latest(ctx)
	if err != nil || last != 11 {
		t.Fatalf("Latest = %d, %v; want 11", last, err)
	}
}

func TestLatestEmpty(t *testing.T) {
	_, err := metalog.New(checkpoint.NewMem(), "commits", 1).Latest(t.Context())
	if !errors.Is(err, metalog.ErrEmpty) {
		t.Fatalf("Latest of an empty log: %v, want ErrEmpty", err)
	}
}

func addIDs(t *testing.T, l *metalog.Log, ids ...batch.ID) {
	t.Helper()
	for _, id := range ids {
		if err := l.Add(t.Context(), id, []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
}

func wantIDs(t *testing.T, l *metalog.Log, want ...batch.ID) {
	t.Helper()
	ids, err := l.List(t.Context())
	if err != nil || !slices.Equal(ids, want) {
		t.Fatalf("List = %v, %v; want %v", ids, err, want)
	}
}

func TestPurgeKeepsNewest(t *testing.T) {
	ctx := t.Context()
	for _, keep := range []int{1, 3, 10, 12} {
		l := metalog.New(checkpoint.NewMem(), "offsets", 1)
		for id := range batch.ID(10) {
			addIDs(t, l, id)
		}
		if err := l.Purge(ctx, keep); err != nil {
			t.Fatal(err)
		}
		ids, _ := l.List(ctx)
		want := []batch.ID{}
		for id := batch.ID(max(0, 10-keep)); id < 10; id++ {
			want = append(want, id)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("Purge(%d) left %v, want %v", keep, ids, want)
		}
	}
	l := metalog.New(checkpoint.NewMem(), "offsets", 1)
	addIDs(t, l, 1, 2, 4, 8, 9)
	if err := l.Purge(ctx, 3); err != nil {
		t.Fatal(err)
	}
	wantIDs(t, l, 4, 8, 9) // the newest entries present, not ids >= latest-2
	for _, keep := range []int{0, -1} {
		if err := l.Purge(ctx, keep); err == nil {
			t.Errorf("Purge(%d) succeeded", keep)
		}
	}
	wantIDs(t, l, 4, 8, 9)
}

func TestPurgeDefaultRetention(t *testing.T) {
	l := metalog.New(checkpoint.NewMem(), "commits", 1)
	for id := range batch.ID(metalog.DefaultMinBatchesToRetain + 5) {
		addIDs(t, l, id)
	}
	if err := l.Purge(t.Context(), metalog.DefaultMinBatchesToRetain); err != nil {
		t.Fatal(err)
	}
	ids, _ := l.List(t.Context())
	if len(ids) != 100 || ids[0] != 5 {
		t.Fatalf("kept %d entries from %d, want 100 from 5", len(ids), ids[0])
	}
}

func TestPurgeBefore(t *testing.T) {
	l := metalog.New(checkpoint.NewMem(), "offsets", 1)
	addIDs(t, l, 0, 1, 2, 3, 4, 5)
	if err := l.PurgeBefore(t.Context(), 3); err != nil {
		t.Fatal(err)
	}
	wantIDs(t, l, 3, 4, 5)
	if err := l.PurgeBefore(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	wantIDs(t, l, 3, 4, 5)
}

// TestPurgeOldestFirst checks that a purge cut short by an error leaves the
// newest entries and no gap.
func TestPurgeOldestFirst(t *testing.T) {
	ctx := t.Context()
	mem := checkpoint.NewMem()
	st := &deleteLimit{Storage: mem, left: 2}
	l := metalog.New(st, "offsets", 1)
	addIDs(t, l, 0, 1, 2, 3, 4, 5)
	err := l.Purge(ctx, 1)
	metalogtest.WantIOError(t, err)
	ids, _ := l.List(ctx)
	if !slices.Equal(ids, []batch.ID{2, 3, 4, 5}) {
		t.Fatalf("after an interrupted purge: %v, want 2..5", ids)
	}
	if err := metalog.CheckDense("offsets", ids); err != nil {
		t.Fatal(err)
	}
}

// deleteLimit fails Delete after left successful calls.
type deleteLimit struct {
	checkpoint.Storage
	mu   sync.Mutex
	left int
}

func (d *deleteLimit) Delete(ctx context.Context, p string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.left == 0 {
		return fmt.Errorf("delete %s: %w", p, metalogtest.ErrInjected)
	}
	d.left--
	return d.Storage.Delete(ctx, p)
}

func TestGaps(t *testing.T) {
	for _, c := range []struct {
		ids  []batch.ID
		gaps string
	}{
		{nil, "[]"},
		{[]batch.ID{5}, "[]"},
		{[]batch.ID{5, 6, 7}, "[]"}, // 0..4 purged: not a gap
		{[]batch.ID{1, 2, 4}, "[3]"},
		{[]batch.ID{0, 2, 5}, "[1 3..4]"},
		{[]batch.ID{0, 1 << 60}, fmt.Sprintf("[1..%d]", 1<<60-1)},
	} {
		if got := fmt.Sprint(metalog.Gaps(c.ids)); got != c.gaps && !(got == "[]" && c.gaps == "[]") {
			t.Errorf("Gaps(%v) = %s, want %s", c.ids, got, c.gaps)
		}
		err := metalog.CheckDense("offsets", c.ids)
		if (err == nil) != (c.gaps == "[]") {
			t.Errorf("CheckDense(%v) = %v", c.ids, err)
		}
	}
}

func TestCorruptGap(t *testing.T) {
	ctx := t.Context()
	l := metalog.New(checkpoint.NewMem(), "offsets", 1)
	addIDs(t, l, 3, 4, 5, 7, 8)
	ids, err := l.ListDense(ctx)
	ce := metalogtest.WantCorrupt(t, err, "offsets/6", "missing", "5 and 7")
	if ce.Offset != -1 {
		t.Errorf("offset %d, want -1", ce.Offset)
	}
	if !slices.Equal(ids, []batch.ID{3, 4, 5, 7, 8}) {
		t.Errorf("ListDense returned %v with its error, want the ids present", ids)
	}
	// Purged ids at the start are not a gap.
	l = metalog.New(checkpoint.NewMem(), "offsets", 1)
	addIDs(t, l, 3, 4, 5)
	if _, err := l.ListDense(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestIOErrorIsNotCorruption(t *testing.T) {
	ctx := t.Context()
	mem := checkpoint.NewMem()
	addIDs(t, metalog.New(mem, "offsets", 1), 0, 1)
	for _, op := range []string{"Read", "List", "Create", "Delete"} {
		l := metalog.New(metalogtest.Failing(mem, op), "offsets", 1)
		var err error
		switch op {
		case "Read":
			_, err = l.Get(ctx, 1)
		case "List":
			_, err = l.Latest(ctx)
		case "Create":
			err = l.Add(ctx, 2, []byte("{}"))
			var ale *metalog.AlreadyLoggedError
			if errors.As(err, &ale) {
				t.Fatalf("I/O error reported as already logged: %v", err)
			}
		case "Delete":
			err = l.Purge(ctx, 1)
		}
		t.Run(op, func(t *testing.T) { metalogtest.WantIOError(t, err) })
	}
}
