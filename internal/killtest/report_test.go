package killtest

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// report logs the table of the kills: per class and phase, how many kills
// landed there and how many logged batches each left to re-run.
func (r *runner) report() {
	type row struct{ class, phase string }
	kills := map[row]int{}
	reruns := map[row][]int{}
	for _, k := range r.kills {
		ro := row{class: k.class, phase: string(k.plan.phase)}
		if k.plan.at == 0 {
			ro.phase = "after " + lastPhase(k.last)
		}
		kills[ro]++
		rs := reruns[ro]
		for len(rs) <= k.rerun {
			rs = append(rs, 0)
		}
		rs[k.rerun]++
		reruns[ro] = rs
	}
	rows := slices.SortedFunc(maps.Keys(kills), func(a, b row) int {
		return cmp.Or(cmp.Compare(classRank(a.class), classRank(b.class)), cmp.Compare(a.class, b.class), cmp.Compare(a.phase, b.phase))
	})
	var b strings.Builder
	what := "stateless"
	if r.cfg.Query == queryWordCount {
		what = fmt.Sprintf("asynchronous checkpoints, %d partitions", r.cfg.Partitions)
		if r.cfg.Sync {
			what = fmt.Sprintf("synchronous checkpoints, %d partitions", r.cfg.Partitions)
		}
	}
	fmt.Fprintf(&b, "%s, %s: %d kills in %d lives, %d restarts without local state, input %d files; a start takes about %v, a batch %v\n",
		r.cfg.Query, what, len(r.kills), r.lives+1, r.restores, len(r.in.counts),
		r.startup.Round(time.Millisecond), r.perBatch.Round(time.Millisecond))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "class\tkilled in\tkills\tbatches to re-run: 0/1/2…")
	for _, ro := range rows {
		var rs []string
		for _, n := range reruns[ro] {
			rs = append(rs, fmt.Sprint(n))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", ro.class, ro.phase, kills[ro], strings.Join(rs, "/"))
	}
	tw.Flush()
	r.t.Log("\n" + b.String())
}

// classRank orders the classes of the table as DESIGN.md §4's steps.
func classRank(c string) int {
	for i, name := range []string{classBatch, classBeforeUpload, classUpload, classUploadToCommit, classAfterCommit, classRandom} {
		if c == name {
			return i
		}
	}
	return 99
}

// lastPhase names the phase of a "<batch> <phase>" line, for random kills.
func lastPhase(last string) string {
	if f := strings.Fields(last); len(f) == 2 {
		return f[1]
	}
	return "start (no phase yet)"
}

// requireClasses fails the test if a class has no kill.
func (r *runner) requireClasses(classes ...string) {
	r.t.Helper()
	hit := map[string]int{}
	for _, k := range r.kills {
		hit[k.class]++
	}
	for _, c := range classes {
		if hit[c] == 0 {
			r.t.Errorf("no kill landed %s (%d kills: %v)", c, len(r.kills), hit)
		}
	}
}
