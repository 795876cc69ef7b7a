package protocol

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sluicestream/sluice/batch"
)

// offs builds offset entries whose metadata is derived from the id, so a test
// can tell which entry a value came from: watermark id*1000, timestamp
// id*1000+1.
func offs(ids ...batch.ID) []OffsetEntry {
	out := make([]OffsetEntry, len(ids))
	for i, id := range ids {
		out[i] = OffsetEntry{ID: id, WatermarkMs: int64(id) * 1000, TimestampMs: int64(id)*1000 + 1}
	}
	return out
}

// commits builds commit entries with nextBatchWatermarkMs (id+1)*1000.
func commits(ids ...batch.ID) []CommitEntry {
	out := make([]CommitEntry, len(ids))
	for i, id := range ids {
		out[i] = CommitEntry{ID: id, NextWatermarkMs: int64(id+1) * 1000}
	}
	return out
}

func replay(id, from batch.ID) Replay {
	return Replay{ID: id, From: from, WatermarkMs: int64(id) * 1000, TimestampMs: int64(id)*1000 + 1}
}

func TestRecover(t *testing.T) {
	for _, c := range []struct {
		name string
		s    LogState
		want Decision
	}{
		{"fresh", LogState{},
			Decision{Kind: Fresh, FirstBatch: 0, StartFrom: NoBatch, Committed: NoBatch}},
		{"committed up to 4", LogState{Offsets: offs(0, 1, 2, 3, 4), Commits: commits(0, 1, 2, 3, 4)},
			Decision{Kind: Resume, FirstBatch: 5, StartFrom: 4, Committed: 4, WatermarkMs: 5000}},
		{"one uncommitted", LogState{Offsets: offs(0, 1, 2, 3), Commits: commits(0, 1, 2)},
			Decision{Kind: Rerun, FirstBatch: 3, StartFrom: 2, Committed: 2, WatermarkMs: 3000,
				Rerun: []Replay{replay(3, 2)}}},
		{"two uncommitted", LogState{Offsets: offs(0, 1, 2, 3, 4), Commits: commits(0, 1, 2)},
			Decision{Kind: Rerun, FirstBatch: 3, StartFrom: 2, Committed: 2, WatermarkMs: 3000,
				Rerun: []Replay{replay(3, 2), replay(4, 3)}}},
		{"three uncommitted is flagged", LogState{Offsets: offs(0, 1, 2, 3), Commits: commits(0)},
			Decision{Kind: Rerun, FirstBatch: 1, StartFrom: 0, Committed: 0, WatermarkMs: 1000,
				Rerun: []Replay{replay(1, 0), replay(2, 1), replay(3, 2)}, TooManyUncommitted: true}},
		{"nothing committed", LogState{Offsets: offs(0, 1)},
			Decision{Kind: Rerun, FirstBatch: 0, StartFrom: NoBatch, Committed: NoBatch, WatermarkMs: 0,
				Rerun: []Replay{replay(0, NoBatch), replay(1, 0)}}},
		{"spark gap fixture", LogState{Offsets: offs(1, 2, 4), Commits: commits(0, 1, 2)},
			Decision{Kind: Rerun, FirstBatch: 4, StartFrom: 2, Committed: 2, WatermarkMs: 4000,
				Rerun: []Replay{replay(4, 2)}, Gaps: []Span{{3, 3}}, StaleCommits: []batch.ID{0}}},
		{"spark async gaps 0 2 5, commits 0 2", LogState{Offsets: offs(0, 2, 5), Commits: commits(0, 2)},
			Decision{Kind: Rerun, FirstBatch: 5, StartFrom: 2, Committed: 2, WatermarkMs: 5000,
				Rerun: []Replay{replay(5, 2)}, Gaps: []Span{{3, 4}}}},
		{"missing middle commit", LogState{Offsets: offs(0, 1, 2), Commits: commits(1, 2)},
			Decision{Kind: Resume, FirstBatch: 3, StartFrom: 2, Committed: 2, WatermarkMs: 3000,
				MissingCommits: []batch.ID{0}}},
		{"purge-truncated resume", LogState{Offsets: offs(7, 8, 9), Commits: commits(7, 8, 9)},
			Decision{Kind: Resume, FirstBatch: 10, StartFrom: 9, Committed: 9, WatermarkMs: 10000}},
		{"purge-truncated rerun", LogState{Offsets: offs(8, 9, 10), Commits: commits(8)},
			Decision{Kind: Rerun, FirstBatch: 9, StartFrom: 8, Committed: 8, WatermarkMs: 9000,
				Rerun: []Replay{replay(9, 8), replay(10, 9)}}},
		{"purge stopped between the logs", LogState{Offsets: offs(5, 6), Commits: commits(3, 4, 5, 6)},
			Decision{Kind: Resume, FirstBatch: 7, StartFrom: 6, Committed: 6, WatermarkMs: 7000,
				StaleCommits: []batch.ID{3, 4}}},
		{"input order does not matter", LogState{Offsets: offs(4, 2, 3), Commits: commits(3, 2)},
			Decision{Kind: Rerun, FirstBatch: 4, StartFrom: 3, Committed: 3, WatermarkMs: 4000,
				Rerun: []Replay{replay(4, 3)}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Recover(c.s)
			if err != nil {
				t.Fatalf("Recover: %v", err)
			}
			if !equalDecision(got, c.want) {
				t.Errorf("Recover =\n%v\nwant\n%v", got, c.want)
			}
		})
	}
}

func TestRecoverWatermarkOnResume(t *testing.T) {
	for _, c := range []struct {
		name           string
		offWM, nextWM  int64
		wantWatermark  int64
		wantFirstBatch batch.ID
	}{
		{"commit ahead of the offsets' watermark", 100, 200, 200, 3},
		{"commit without nextBatchWatermarkMs", 100, 0, 100, 3},
		{"equal", 100, 100, 100, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := Recover(LogState{
				Offsets: []OffsetEntry{{ID: 1}, {ID: 2, WatermarkMs: c.offWM}},
				Commits: []CommitEntry{{ID: 2, NextWatermarkMs: c.nextWM}},
			})
			if err != nil {
				t.Fatal(err)
			}
			if d.WatermarkMs != c.wantWatermark || d.FirstBatch != c.wantFirstBatch {
				t.Errorf("got batch %d watermark %d, want batch %d watermark %d",
					d.FirstBatch, d.WatermarkMs, c.wantFirstBatch, c.wantWatermark)
			}
		})
	}
}

func TestRecoverRefuses(t *testing.T) {
	for _, c := range []struct {
		name   string
		s      LogState
		reason Reason
		id     batch.ID
	}{
		{"only commits", LogState{Commits: commits(0, 1)}, CommitAhead, 1},
		{"commit ahead of offsets", LogState{Offsets: offs(0, 1, 2), Commits: commits(0, 1, 2, 3)}, CommitAhead, 3},
		{"latest commit without offsets", LogState{Offsets: offs(0, 1, 3), Commits: commits(0, 1, 2)}, CommitWithoutOffsets, 2},
		{"latest commit older than the offsets", LogState{Offsets: offs(5, 6), Commits: commits(3, 4)}, CommitWithoutOffsets, 4},
		{"middle commit without offsets", LogState{Offsets: offs(0, 1, 3), Commits: commits(0, 2, 3)}, CommitWithoutOffsets, 2},
		{"no commit, offsets purged", LogState{Offsets: offs(3, 4)}, StartUnknown, 3},
		{"negative offset id", LogState{Offsets: offs(-1, 0)}, NegativeID, -1},
		{"negative commit id", LogState{Offsets: offs(0), Commits: commits(-2, 0)}, NegativeID, -2},
		{"repeated offset id", LogState{Offsets: offs(0, 1, 1)}, DuplicateID, 1},
		{"repeated commit id", LogState{Offsets: offs(0, 1), Commits: commits(0, 0)}, DuplicateID, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := Recover(c.s)
			if err == nil {
				t.Fatalf("Recover = %v, want an error", d)
			}
			if !errors.Is(err, ErrInconsistent) {
				t.Errorf("error %v is not ErrInconsistent", err)
			}
			var ie *InconsistencyError
			if !errors.As(err, &ie) || ie.Reason != c.reason || ie.ID != c.id {
				t.Errorf("error %#v, want reason %v at batch %d", err, c.reason, c.id)
			}
		})
	}
}

func TestRecoverDoesNotModifyInput(t *testing.T) {
	s := LogState{Offsets: offs(3, 1, 2), Commits: commits(2, 1)}
	o, c := slices.Clone(s.Offsets), slices.Clone(s.Commits)
	if _, err := Recover(s); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o, s.Offsets) || !slices.Equal(c, s.Commits) {
		t.Errorf("Recover reordered its input: %v %v", s.Offsets, s.Commits)
	}
}

// TestRecoverProperties runs Recover over random small logs and checks what
// every decision must satisfy.
func TestRecoverProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		s := randomLogs(r)
		d, err := Recover(s)
		if err != nil {
			if !errors.Is(err, ErrInconsistent) {
				t.Fatalf("%+v: error %v is not ErrInconsistent", s, err)
			}
			continue
		}
		if msg := checkDecision(s, d); msg != "" {
			t.Fatalf("%+v:\n%v%s", s, d, msg)
		}
	}
}

// randomLogs returns logs with ids below 8, each present with probability
// 1/2 (offsets) or 1/3 (commits): consistent and inconsistent alike.
func randomLogs(r *rand.Rand) LogState {
	var s LogState
	for id := batch.ID(0); id < 8; id++ {
		if r.IntN(2) == 0 {
			s.Offsets = append(s.Offsets, offs(id)...)
		}
		if r.IntN(3) == 0 {
			s.Commits = append(s.Commits, commits(id)...)
		}
	}
	r.Shuffle(len(s.Offsets), func(i, j int) { s.Offsets[i], s.Offsets[j] = s.Offsets[j], s.Offsets[i] })
	return s
}

// checkDecision returns what is wrong with d as a decision for s, or "".
func checkDecision(s LogState, d Decision) string {
	logged := map[batch.ID]bool{}
	for _, o := range s.Offsets {
		logged[o.ID] = true
	}
	latest := NoBatch
	for _, c := range s.Commits {
		latest = max(latest, c.ID)
	}
	if d.Committed != latest {
		return "Committed is not the latest commit"
	}
	if d.Committed != NoBatch && !logged[d.Committed] {
		return "the latest commit has no offset entry"
	}
	switch d.Kind {
	case Fresh:
		if len(s.Offsets)+len(s.Commits) != 0 || d.FirstBatch != 0 || d.StartFrom != NoBatch {
			return "bad Fresh"
		}
	case Resume:
		if d.FirstBatch != d.Committed+1 || d.StartFrom != d.Committed || len(d.Rerun) != 0 {
			return "bad Resume"
		}
		for id := range logged {
			if id > d.Committed {
				return "Resume with a logged batch after the last commit"
			}
		}
	case Rerun:
		prev, n := d.StartFrom, 0
		if d.StartFrom != d.Committed || d.FirstBatch != d.Rerun[0].ID {
			return "bad Rerun start"
		}
		for _, r := range d.Rerun {
			if r.From != prev || r.ID <= prev || !logged[r.ID] || r.WatermarkMs != int64(r.ID)*1000 {
				return "bad replay chain"
			}
			prev = r.ID
		}
		for id := range logged {
			if id > d.Committed {
				n++
			}
		}
		if n != len(d.Rerun) {
			return "a logged batch after the last commit is not re-run"
		}
		if d.TooManyUncommitted != (n > MaxUncommitted) {
			return "bad TooManyUncommitted"
		}
	default:
		return "no Kind"
	}
	return ""
}

func equalDecision(a, b Decision) bool {
	return a.Kind == b.Kind && a.FirstBatch == b.FirstBatch && a.StartFrom == b.StartFrom &&
		a.Committed == b.Committed && a.WatermarkMs == b.WatermarkMs &&
		slices.Equal(a.Rerun, b.Rerun) && a.TooManyUncommitted == b.TooManyUncommitted &&
		slices.Equal(a.Gaps, b.Gaps) && slices.Equal(a.MissingCommits, b.MissingCommits) &&
		slices.Equal(a.StaleCommits, b.StaleCommits)
}
