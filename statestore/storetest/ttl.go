package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sluicestream/sluice/statestore"
)

// clock is a fake clock for TTL tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// testTTL follows entries through their expiry with a fake clock: an entry
// expires TTL after its last Put, is never returned once expired, is removed
// at the next commit (counted as evicted) and stays expired after a restore
// from storage; a store opened without a TTL sees what was not yet removed.
func testTTL(t *testing.T, f Factory) {
	const ttl = 10 * time.Second
	e := newEnv(t, f)
	p := e.provider()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clk := &clock{now: t0}
	at := func(d time.Duration) statestore.OpenOptions {
		clk.set(t0.Add(d))
		return statestore.OpenOptions{TTL: ttl, Now: clk.Now}
	}
	h := newHistory(e, testID)
	commit := func(v int64, o statestore.OpenOptions, update func(s statestore.Store)) statestore.Store {
		t.Helper()
		s := mustOpen(t, p, testID, v, o)
		update(s)
		snap := mustCommit(t, s)
		m, err := snap.Upload(context.Background(), e.st, h.prev)
		if err != nil {
			t.Fatalf("Upload of version %d: %v", v+1, err)
		}
		h.prev = m
		if err := snap.Release(); err != nil {
			t.Fatal(err)
		}
		return s
	}

	// Version 1: a put at 0 s, b at 4 s.
	commit(0, at(0), func(s statestore.Store) {
		mustPut(t, s, "a", "A")
		clk.set(t0.Add(4 * time.Second))
		mustPut(t, s, "b", "B")
	})
	// Version 2, at 8 s: nothing expired yet; c put at 8 s.
	s := commit(1, at(8*time.Second), func(s statestore.Store) {
		checkState(t, s, model{"a": "A", "b": "B"}, "version 1 at 8 s")
		mustPut(t, s, "c", "C")
	})
	checkEvicted(t, s, 0, 3, "version 2")
	// Version 3, at 11 s: a (0 s) has expired; b is put again (11 s).
	s = commit(2, at(11*time.Second), func(s statestore.Store) {
		checkState(t, s, model{"b": "B", "c": "C"}, "version 2 at 11 s")
		mustPut(t, s, "b", "B2")
		checkState(t, s, model{"b": "B2", "c": "C"}, "version 2 at 11 s, b put again")
	})
	checkEvicted(t, s, 1, 2, "version 3")

	for _, q := range []statestore.Provider{p, e.provider()} {
		checkAt := func(v int64, d time.Duration, want model, what string) {
			t.Helper()
			s := mustOpen(t, q, testID, v, at(d))
			defer s.Abort()
			checkState(t, s, want, what)
		}
		checkAt(3, 17*time.Second, model{"b": "B2", "c": "C"}, "version 3 at 17 s")
		checkAt(3, 19*time.Second, model{"b": "B2"}, "version 3 at 19 s (c put at 8 s)")
		checkAt(3, 21*time.Second, model{}, "version 3 at 21 s (b put at 11 s)")
		checkAt(2, 9*time.Second, model{"a": "A", "b": "B", "c": "C"}, "version 2 at 9 s")
		checkAt(2, 10*time.Second, model{"b": "B", "c": "C"}, "version 2 at 10 s (a put at 0 s)")
		// Without a TTL nothing expires, but a was removed at version 3.
		for v, want := range map[int64]model{2: {"a": "A", "b": "B", "c": "C"}, 3: {"b": "B2", "c": "C"}} {
			s := mustOpen(t, q, testID, v, statestore.OpenOptions{})
			checkState(t, s, want, "without TTL, version "+itoa(v))
			s.Abort()
		}
	}

	// Version 4 at 30 s: everything has expired and is evicted.
	s = commit(3, at(30*time.Second), func(s statestore.Store) {
		checkState(t, s, model{}, "version 3 at 30 s")
	})
	checkEvicted(t, s, 2, 0, "version 4")
	s = mustOpen(t, e.provider(), testID, 4, statestore.OpenOptions{})
	defer s.Abort()
	checkState(t, s, model{}, "version 4 without TTL, fresh provider")
}

func checkEvicted(t *testing.T, s statestore.Store, evicted, total int64, what string) {
	t.Helper()
	m := s.Metrics()
	if m.NumRowsEvicted != evicted || m.NumRowsTotal != total {
		t.Fatalf("%s: Metrics NumRowsEvicted = %d, NumRowsTotal = %d; want %d, %d", what, m.NumRowsEvicted, m.NumRowsTotal, evicted, total)
	}
	if m.NumRowsRemoved < evicted {
		t.Fatalf("%s: Metrics NumRowsRemoved = %d < NumRowsEvicted = %d; removals include evictions", what, m.NumRowsRemoved, evicted)
	}
}
