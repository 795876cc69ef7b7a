package killtest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/sluicestream/sluice/engine"
)

var (
	killsFlag = flag.Int("kills", 30, "kills per run of a query (at least 30 in make test)")
	seedFlag  = flag.Uint64("killseed", 0, "seed of the kill schedules; 0: a new one, logged")
)

// TestMain runs the query instead of the tests in a child process.
func TestMain(m *testing.M) {
	if isChild() {
		os.Exit(childMain())
	}
	goleak.VerifyTestMain(m)
}

// The phases the lives of a query are killed in, in turn; randomKill: a
// random delay. Every class of DESIGN.md §4 comes up in every ten kills.
var (
	statefulTargets = []engine.Phase{
		engine.PhaseOffsetsWritten, engine.PhaseUploadStarted, engine.PhaseSinkWritten,
		engine.PhaseUploadDone, randomKill, engine.PhaseStateCommitted,
		engine.PhaseUploadStarted, engine.PhaseUploadDone, engine.PhaseCommitWritten, randomKill,
	}
	statelessTargets = []engine.Phase{
		engine.PhaseOffsetsWritten, engine.PhaseSinkWritten, randomKill,
		engine.PhaseCommitWritten, engine.PhaseSinkWritten, randomKill,
	}
)

// The initial inputs, one file per batch: enough for the kills of make
// test (a life commits one or two batches before its kill); more files are
// added when a run needs more.
const (
	statefulFiles  = 32
	statelessFiles = 24
)

// TestKillRestartWordCount kills the streaming word count (RocksDB state
// in two partitions, Complete mode to Parquet) at least -kills times in
// each checkpoint mode, in every phase of a batch, restarting it each
// time, and compares what it leaves with a straight run.
func TestKillRestartWordCount(t *testing.T) {
	t.Parallel()
	for _, sync := range []bool{false, true} {
		name := "async"
		if sync {
			name = "sync"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, config{Query: queryWordCount, Sync: sync, Partitions: 2, MaxFiles: 1}, statefulFiles, statefulTargets)
			r.straight = r.startStraight()
			r.run(*killsFlag)
			r.report()
			r.checkFinal()
			r.requireClasses(classBatch, classUpload, classUploadToCommit, classRandom)
		})
	}
}

// TestKillRestartWords kills the stateless query (Append mode to CSV),
// where a lost or replayed batch is missing or duplicated rows.
func TestKillRestartWords(t *testing.T) {
	t.Parallel()
	r := newRunner(t, config{Query: queryWords, MaxFiles: 1}, statelessFiles, statelessTargets)
	r.straight = r.startStraight()
	r.run(*killsFlag)
	r.report()
	r.checkFinal()
	r.requireClasses(classBatch, classAfterCommit, classRandom)
}

// TestKillBetweenSinkWriteAndCommit kills the query after the sink has
// batch 2 (its manifest entry is durable) and before commits/2: the
// restart runs batch 2 again, the sink skips it, and the output has its
// rows once.
func TestKillBetweenSinkWriteAndCommit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		cfg  config
	}{
		{"words", config{Query: queryWords, MaxFiles: 1}},
		{"wordcount-async", config{Query: queryWordCount, Partitions: 2, MaxFiles: 1}},
		{"wordcount-sync", config{Query: queryWordCount, Partitions: 2, MaxFiles: 1, Sync: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t, c.cfg, 6, nil)
			l := r.runLife(killPlan{phase: engine.PhaseSinkWritten, at: 3})
			if l.killed == nil || !l.killed.landed || l.killed.paused != "2 sink-written" {
				t.Fatalf("the child was not killed while paused after the sink wrote batch 2: %+v\nlines:\n%s", l.killed, strings.Join(l.lines, "\n"))
			}
			s := r.logs()
			if slices.Contains(s.commits, 2) || !slices.Contains(s.offsets, 2) || s.sinkLatest != 2 {
				t.Fatalf("after the kill: offsets %v, commits %v, sink at %d; want offsets/2, no commits/2, the sink at 2", s.offsets, s.commits, s.sinkLatest)
			}
			r.checkOutput("after the kill", 2)
			parts := partsOf(t, r.cfg.Run, 2)
			if len(parts) == 0 {
				t.Fatalf("no part file of batch 2 in %s", r.cfg.Run)
			}

			r.lives++
			l = r.runLife(killPlan{})
			r.checkPickUp(s, l)
			if !slices.Contains(l.lines, "phase 2 sink-written") {
				t.Fatalf("the restart did not run batch 2 again; its lines:\n%s", strings.Join(l.lines, "\n"))
			}
			if again := partsOf(t, r.cfg.Run, 2); !slices.Equal(again, parts) {
				t.Fatalf("part files of batch 2: %v before the restart, %v after; the re-run must not write it again", parts, again)
			}
			r.checkFinal()
		})
	}
}

// partsOf lists the part files of batch id in the output directory, sorted.
func partsOf(t *testing.T, run string, id int) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(run, outDir, fmt.Sprintf("part-%05d-*", id)))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(m)
	return m
}
