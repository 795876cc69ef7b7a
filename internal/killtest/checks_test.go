package killtest

import (
	"fmt"
	"strings"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/engine"
)

// The checks of what a life did and what a kill left.

// checkPickUp checks that a life ran the batches the logs asked for: the
// sink gets batch lastCommit+1 first (every logged batch without a commit
// runs again, in order, before any new one), then the following ids, none
// twice.
func (r *runner) checkPickUp(before logState, l life) {
	r.t.Helper()
	want := before.lastCommit + 1
	for _, line := range l.lines {
		id, p, ok := parsePhase(line)
		if !ok || p != engine.PhaseSinkWritten {
			continue
		}
		if id != want {
			r.t.Fatalf("life %d: the sink got batch %d, want %d (last commit %d, logged %v)", r.lives, id, want, before.lastCommit, before.uncommitted())
		}
		want++
	}
}

// afterKill checks what a kill left — at most maxRerun logged batches
// without a commit; the committed output that of the files those batches
// read, exactly — and records the kill.
func (r *runner) afterKill(k *kill) {
	t := r.t
	t.Helper()
	s := r.logs()
	rerun := s.uncommitted()
	k.rerun, r.rerun = len(rerun), len(rerun)
	switch {
	case k.landed:
		k.class = classOf(engine.Phase(strings.Fields(k.paused)[1]))
	case k.plan.at > 0:
		k.class = "missed " + classOf(k.plan.phase)
	default:
		k.class = classRandom
	}
	r.kills = append(r.kills, *k)
	if len(rerun) > r.maxRerun {
		t.Errorf("kill %d (life %d, %v, last %q): %d batches to re-run %v after commit %d, want at most %d (DESIGN.md §4)",
			len(r.kills), k.life, k.plan, k.last, len(rerun), rerun, s.lastCommit, r.maxRerun)
	}
	for i, id := range rerun {
		if id != s.lastCommit+1+batch.ID(i) {
			t.Fatalf("kill %d: logged batches after commit %d are %v, not consecutive", len(r.kills), s.lastCommit, rerun)
		}
	}
	if s.sinkLatest < s.lastCommit {
		t.Fatalf("kill %d: commits/%d is written but the sink's manifest ends at %d", len(r.kills), s.lastCommit, s.sinkLatest)
	}
	if s.sinkLatest == noBatch {
		return
	}
	r.checkOutput(fmt.Sprintf("after kill %d (%v, last %q)", len(r.kills), k.plan, k.last), s.sinkLatest)
}

// checkOutput checks that the committed output is exactly that of the
// input files batches up to id read.
func (r *runner) checkOutput(when string, id batch.ID) {
	t := r.t
	t.Helper()
	n, err := filesUpTo(t.Context(), r.cfg.Run, id)
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	got, err := readOutput(t.Context(), r.mem, r.cfg.Query, r.cfg.Run)
	if err != nil {
		t.Fatalf("%s: read the output: %v", when, err)
	}
	if d := diffCounts(got, r.in.prefix(n)); d != "" {
		t.Fatalf("%s: the committed output of batches 0..%d (input files 0..%d) is wrong: %s", when, id, n-1, d)
	}
}
