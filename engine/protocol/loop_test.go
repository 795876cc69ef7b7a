package protocol

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sluicestream/sluice/batch"
)

func ids(v ...batch.ID) []batch.ID { return v }

func TestNext(t *testing.T) {
	for _, c := range []struct {
		name string
		p    Progress
		want Step
	}{
		{"first batch", Progress{Committed: NoBatch, MaxUncommitted: Async},
			Step{Start: true, Next: 0, WaitFor: NoBatch}},
		{"async: one in flight, another may start", Progress{Committed: 3, Started: ids(4), MaxUncommitted: Async},
			Step{Start: true, Next: 5, WaitFor: NoBatch}},
		{"async: two in flight, wait", Progress{Committed: 3, Started: ids(4, 5), MaxUncommitted: Async},
			Step{Start: false, Next: 6, WaitFor: 4}},
		{"async: oldest done, commit it", Progress{Committed: 3, Started: ids(4, 5), Done: ids(4), MaxUncommitted: Async},
			Step{Commit: ids(4), Start: false, Next: 6, WaitFor: 4}},
		{"async: newer done first waits for the older", Progress{Committed: 3, Started: ids(4, 5), Done: ids(5), MaxUncommitted: Async},
			Step{Start: false, Next: 6, WaitFor: 4}},
		{"async: both done, commit in order", Progress{Committed: 3, Started: ids(4, 5), Done: ids(5, 4), MaxUncommitted: Async},
			Step{Commit: ids(4, 5), Start: false, Next: 6, WaitFor: 4}},
		{"sync: one in flight, wait", Progress{Committed: 3, Started: ids(4), MaxUncommitted: Sync},
			Step{Start: false, Next: 5, WaitFor: 4}},
		{"sync: done, commit", Progress{Committed: 3, Started: ids(4), Done: ids(4), MaxUncommitted: Sync},
			Step{Commit: ids(4), Start: false, Next: 5, WaitFor: 4}},
		{"sync: committed, start", Progress{Committed: 4, MaxUncommitted: Sync},
			Step{Start: true, Next: 5, WaitFor: NoBatch}},
		{"after re-running a gapped log", Progress{Committed: 2, Started: ids(4), Done: ids(4), MaxUncommitted: Async},
			Step{Commit: ids(4), Start: true, Next: 5, WaitFor: NoBatch}},
		{"after re-running three", Progress{Committed: 0, Started: ids(1, 2, 3), Done: ids(1, 2), MaxUncommitted: Async},
			Step{Commit: ids(1, 2), Start: false, Next: 4, WaitFor: 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Next(c.p)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Commit, c.want.Commit) || got.Start != c.want.Start ||
				got.Next != c.want.Next || got.WaitFor != c.want.WaitFor {
				t.Errorf("Next = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestNextRefuses(t *testing.T) {
	for _, c := range []struct {
		name string
		p    Progress
	}{
		{"no room at all", Progress{Committed: NoBatch}},
		{"committed below NoBatch", Progress{Committed: -2, MaxUncommitted: 1}},
		{"started not after the commit", Progress{Committed: 4, Started: ids(4), MaxUncommitted: 2}},
		{"started out of order", Progress{Committed: 1, Started: ids(3, 2), MaxUncommitted: 2}},
		{"started twice", Progress{Committed: 1, Started: ids(2, 2), MaxUncommitted: 2}},
		{"done but not started", Progress{Committed: 1, Started: ids(2), Done: ids(3), MaxUncommitted: 2}},
		{"done but committed", Progress{Committed: 1, Started: ids(2), Done: ids(1), MaxUncommitted: 2}},
		{"done twice", Progress{Committed: 1, Started: ids(2), Done: ids(2, 2), MaxUncommitted: 2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Next(c.p)
			if !errors.Is(err, ErrInvalidProgress) {
				t.Errorf("Next = %+v, %v; want ErrInvalidProgress", s, err)
			}
		})
	}
}

// disk is the checkpoint a simulated run leaves: the ids of its log entries.
type disk struct {
	offsets, commits map[batch.ID]bool
}

// TestLoopCrashRecover runs the loop Next drives against a simulated
// checkpoint, with batches finishing in random order, logs purged beyond a
// random retention and a crash at a random point. Recovering what is on disk
// must give a clean decision that re-runs exactly the batches that were
// started and not committed — at most MaxUncommitted of them — and the loop
// itself must never leave more than MaxUncommitted batches uncommitted or
// write a commit out of order.
func TestLoopCrashRecover(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for run := 0; run < 3000; run++ {
		maxU := Sync + r.IntN(Async)
		retain := batch.ID(1 + r.IntN(3))
		d := disk{offsets: map[batch.ID]bool{}, commits: map[batch.ID]bool{}}
		p := Progress{Committed: NoBatch, MaxUncommitted: maxU}
		steps := r.IntN(40)
		for i := 0; i < steps; i++ {
			s, err := Next(p)
			if err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
			switch ev := r.IntN(3); {
			case ev == 0 && s.Start: // log the next batch's offsets
				if d.offsets[s.Next] || s.Next != p.Committed+1+batch.ID(len(p.Started)) {
					t.Fatalf("run %d: started batch %d out of turn (%+v)", run, s.Next, p)
				}
				d.offsets[s.Next] = true
				p.Started = append(p.Started, s.Next)
			case ev == 1 && len(p.Done) < len(p.Started): // some started batch finishes
				var pending []batch.ID
				for _, id := range p.Started {
					if !slices.Contains(p.Done, id) {
						pending = append(pending, id)
					}
				}
				p.Done = append(p.Done, pending[r.IntN(len(pending))])
			case ev == 2 && len(s.Commit) > 0: // write the commits, purging after each
				for _, id := range s.Commit {
					if id != p.Committed+1 {
						t.Fatalf("run %d: commit %d after %d", run, id, p.Committed)
					}
					d.commits[id] = true
					p.Committed = id
					p.Started = p.Started[1:]
					p.Done = slices.DeleteFunc(p.Done, func(x batch.ID) bool { return x == id })
					if !purge(d, id-retain+1, r.IntN(10) == 0) {
						i = steps // crashed in the middle of the purge
						break
					}
				}
			}
			if len(p.Started) > maxU {
				t.Fatalf("run %d: %d uncommitted, max %d", run, len(p.Started), maxU)
			}
		}
		checkRecovery(t, run, d, p)
	}
}

// purge deletes offsets, then commits, below keep; crash stops it between
// the two logs and makes it return false.
func purge(d disk, keep batch.ID, crash bool) bool {
	for id := range d.offsets {
		if id < keep {
			delete(d.offsets, id)
		}
	}
	if crash {
		return false
	}
	for id := range d.commits {
		if id < keep {
			delete(d.commits, id)
		}
	}
	return true
}

func checkRecovery(t *testing.T, run int, d disk, p Progress) {
	t.Helper()
	var s LogState
	for id := range d.offsets {
		s.Offsets = append(s.Offsets, OffsetEntry{ID: id})
	}
	for id := range d.commits {
		s.Commits = append(s.Commits, CommitEntry{ID: id})
	}
	dec, err := Recover(s)
	if err != nil {
		t.Fatalf("run %d: Recover(%+v): %v", run, s, err)
	}
	var rerun []batch.ID
	for _, r := range dec.Rerun {
		rerun = append(rerun, r.ID)
	}
	if dec.Committed != p.Committed || !slices.Equal(rerun, p.Started) {
		t.Fatalf("run %d: recovered\n%vwant commit %d and re-runs %v", run, dec, p.Committed, p.Started)
	}
	if dec.TooManyUncommitted || len(dec.Gaps) > 0 || len(dec.MissingCommits) > 0 {
		t.Fatalf("run %d: irregular decision for a checkpoint Sluice wrote:\n%v", run, dec)
	}
	want := Resume
	switch {
	case len(p.Started) > 0:
		want = Rerun
	case p.Committed == NoBatch:
		want = Fresh
	}
	if dec.Kind != want {
		t.Fatalf("run %d: %v, want %v", run, dec.Kind, want)
	}
}
