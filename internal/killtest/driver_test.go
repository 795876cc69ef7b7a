package killtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/engine"
	"github.com/sluicestream/sluice/internal/testutil"
)

// Timing of the lives of a child.
const (
	// pauseMs is how long a child sleeps in the phase it is to be killed
	// in: long enough for the parent, under the race detector on two busy
	// cores, to read the "pause" line and kill it first.
	pauseMs = 80
	// lifeTimeout bounds one life of a child; a child still running then
	// is stuck.
	lifeTimeout = 2 * time.Minute
	// maxDelay bounds the delay of a random-delay kill until the lives
	// seen so far say how long a start and a batch take; then the delay is
	// at most a start and randomBatches batches, so that random kills land
	// in recovery and in the first batches of a life as well as later.
	maxDelay      = 700 * time.Millisecond
	randomBatches = 3
	// restoreEvery: every restoreEvery-th restart of a stateful query
	// starts without its local state directory, so every store restores
	// from the checkpoint.
	restoreEvery = 4
	// extendFiles is how many files are added when the input is exhausted
	// before enough kills.
	extendFiles = 12
)

// randomKill is the target of a kill after a random delay.
const randomKill engine.Phase = ""

// Classes of kills: where in DESIGN.md §4's protocol the process died.
const (
	classBatch          = "during a batch"             // offsets/N written, state not committed
	classBeforeUpload   = "state committed, no upload" // stores committed N+1 locally
	classUpload         = "during upload"
	classUploadToCommit = "between upload and commit"
	classAfterCommit    = "after commit"
	classRandom         = "random delay"
)

// classOf is the class of a kill that landed in a pause in phase p.
func classOf(p engine.Phase) string {
	switch p {
	case engine.PhaseOffsetsWritten, engine.PhaseSinkWritten:
		return classBatch
	case engine.PhaseStateCommitted:
		return classBeforeUpload
	case engine.PhaseUploadStarted:
		return classUpload
	case engine.PhaseUploadDone:
		return classUploadToCommit
	case engine.PhaseCommitWritten, engine.PhaseDownstreamDone:
		return classAfterCommit
	}
	return "unknown phase " + string(p)
}

// killPlan says how one life of the child is to end.
type killPlan struct {
	phase engine.Phase  // kill in the pause in this phase...
	at    int           // ...at its at-th call; 0: no phase kill
	delay time.Duration // or kill this long after the start; 0: no delay kill
}

func (p killPlan) String() string {
	switch {
	case p.at > 0:
		return fmt.Sprintf("%s #%d", p.phase, p.at)
	case p.delay > 0:
		return fmt.Sprintf("random %v", p.delay.Round(time.Millisecond))
	}
	return "no kill"
}

// kill records one kill.
type kill struct {
	life   int
	plan   killPlan
	landed bool   // the child was paused in plan.phase when it died
	paused string // the "pause" line the kill answered
	last   string // the last "phase" line before the kill
	class  string
	rerun  int // logged batches without a commit after the kill
}

// life is what one life of the child did.
type life struct {
	lines    []string
	killed   *kill  // nil: not killed
	finished bool   // the query ended by itself: input exhausted
	last     string // the last phase line, "<batch> <phase>", until the kill
	// start is when the first phase line came, commits when each
	// commit-written line came, both since the start of the process.
	start   time.Duration
	commits []time.Duration
}

// runner kills and restarts one query until its input is exhausted.
type runner struct {
	t        *testing.T
	cfg      config
	in       *input
	rng      *rand.Rand
	targets  []engine.Phase // cycled through, one per life
	maxRerun int            // DESIGN.md §4: 2 asynchronous, 1 synchronous
	kills    []kill
	lives    int
	restores int // restarts without the local state directory
	rerun    int // batches the next life re-runs, as the last kill left them

	straight *straight                // the straight run, if started with the kills
	mem      *memory.CheckedAllocator // reads the output; nothing left at the end

	// startup and perBatch are running averages of how long a child takes
	// to its first phase and from one commit to the next; 0: not seen yet.
	startup, perBatch time.Duration
}

var seedOnce sync.Once

// newRunner returns a runner of the query of cfg over a new input of files
// files, in a new run directory.
func newRunner(t *testing.T, cfg config, files int, targets []engine.Phase) *runner {
	seedOnce.Do(func() {
		if *seedFlag == 0 {
			*seedFlag = uint64(time.Now().UnixNano())
		}
	})
	t.Logf("kill schedule seed %d (repeat with -killseed=%d)", *seedFlag, *seedFlag)
	h := fnv.New64a()
	io.WriteString(h, t.Name())
	in := newInput(t, files)
	cfg.Input, cfg.Run = in.dir, t.TempDir()
	maxRerun := 2
	if cfg.Sync {
		maxRerun = 1
	}
	return &runner{t: t, cfg: cfg, in: in, rng: rand.New(rand.NewPCG(*seedFlag, h.Sum64())),
		targets: targets, maxRerun: maxRerun, mem: checkedMem(t)}
}

func checkedMem(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// runLife starts a child with plan and waits for it to end: killed as the
// plan says or finished.
func (r *runner) runLife(plan killPlan) life {
	t := r.t
	t.Helper()
	c := r.startChild(plan)
	l := r.watch(c, plan)
	r.learn(l)
	err := c.cmd.Wait()
	switch {
	case l.killed != nil && c.cmd.ProcessState.ExitCode() == -1:
		// Killed by the signal, as planned.
	case err != nil:
		t.Fatalf("life %d (%v): child failed: %v\nstderr:\n%s\nlast lines:\n%s", r.lives, plan, err, tail(c.stderr.String(), 30), tail(strings.Join(l.lines, "\n"), 20))
	case !l.finished:
		t.Fatalf("life %d (%v): child exited without \"done\"\nstderr:\n%s", r.lives, plan, tail(c.stderr.String(), 30))
	default:
		l.killed = nil // it finished before the kill took
	}
	return l
}

// child is a running child process.
type child struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	lines  chan string // its stdout, closed at the end
	began  time.Time
}

// startChild starts the test binary as a child running r's query, to
// pause as plan says.
func (r *runner) startChild(plan killPlan) *child {
	t := r.t
	t.Helper()
	cfg := r.cfg
	cfg.Pause, cfg.PauseAt, cfg.PauseMs = plan.phase, plan.at, pauseMs
	js, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: exec.Command(os.Args[0], "-test.run=^$"), lines: make(chan string, 64)}
	// The race detector sleeps a second before a process exits unless told
	// not to (GORACE atexit_sleep_ms, default 1000).
	gorace := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	c.cmd.Env = append(os.Environ(), childEnv+"=1", configEnv+"="+string(js), "GORACE="+gorace)
	c.cmd.Stderr = &c.stderr
	testutil.DieWithParent(c.cmd)
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.began = time.Now()
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	return c
}

// watch reads the child's lines until its stdout closes, killing it as
// plan says.
func (r *runner) watch(c *child, plan killPlan) life {
	var l life
	var delay <-chan time.Time
	if plan.delay > 0 {
		tm := time.NewTimer(plan.delay)
		defer tm.Stop()
		delay = tm.C
	}
	timeout := time.NewTimer(lifeTimeout)
	defer timeout.Stop()
	kill := func() {
		if l.killed == nil {
			c.cmd.Process.Kill() // SIGKILL
			l.killed = &kill{life: r.lives, plan: plan, last: l.last}
		}
	}
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				return l
			}
			if paused := l.see(line, time.Since(c.began)); paused != "" && plan.at > 0 && l.killed == nil {
				kill()
				l.killed.paused, l.killed.landed = paused, true
			}
		case <-delay:
			kill()
		case <-timeout.C:
			kill()
			r.t.Errorf("life %d (%v): still running after %v; killed", r.lives, plan, lifeTimeout)
		}
	}
}

// see records line, which came at since the start; for a "pause" line it
// returns the pause ("<batch> <phase>").
func (l *life) see(line string, at time.Duration) (paused string) {
	l.lines = append(l.lines, line)
	verb, rest, _ := strings.Cut(line, " ")
	switch verb {
	case "phase":
		if l.killed == nil {
			l.last = rest
		}
		if l.start == 0 {
			l.start = at
		}
		if strings.HasSuffix(rest, " "+string(engine.PhaseCommitWritten)) {
			l.commits = append(l.commits, at)
		}
	case "pause":
		return rest
	case "resume":
		if l.killed != nil && rest == l.killed.paused {
			l.killed.landed = false // the pause ended before the kill
		}
	case "done":
		l.finished = true
	}
	return ""
}

// nextPlan returns the plan of the next life that is to end in a kill.
func (r *runner) nextPlan() killPlan {
	p := r.targets[len(r.kills)%len(r.targets)]
	if p == randomKill {
		span := maxDelay
		if r.startup > 0 && r.perBatch > 0 {
			span = min(span, r.startup+randomBatches*r.perBatch)
		}
		return killPlan{delay: time.Duration(1 + r.rng.Int64N(int64(span)))}
	}
	// Kill in one of the batches the life re-runs, or in the first new
	// one; in the upload phases, which come once per partition, in the
	// upload of any partition.
	perBatch := 1
	if p == engine.PhaseUploadStarted || p == engine.PhaseUploadDone {
		perBatch = max(1, r.cfg.Partitions)
	}
	j := r.rng.IntN(r.rerun + 1)
	return killPlan{phase: p, at: j*perBatch + 1 + r.rng.IntN(perBatch)}
}

// learn updates the running averages of how long a start and a batch take
// with what life l shows.
func (r *runner) learn(l life) {
	avg := func(old, d time.Duration) time.Duration {
		if old == 0 {
			return d
		}
		return (3*old + d) / 4
	}
	if l.start > 0 {
		r.startup = avg(r.startup, l.start)
	}
	if n := len(l.commits); n >= 2 {
		r.perBatch = avg(r.perBatch, (l.commits[n-1]-l.commits[0])/time.Duration(n-1))
	}
}

// run kills and restarts the query until at least n kills have happened
// and the input is exhausted, checking after every kill and every life.
func (r *runner) run(n int) {
	t := r.t
	maxLives := 4*n + 40
	for ; ; r.lives++ {
		if r.lives > maxLives {
			t.Fatalf("%d lives and only %d kills", r.lives, len(r.kills))
		}
		plan := killPlan{}
		if len(r.kills) < n {
			plan = r.nextPlan()
		}
		if r.cfg.Query == queryWordCount && r.lives > 0 && r.lives%restoreEvery == 0 {
			if err := os.RemoveAll(filepath.Join(r.cfg.Run, stateDir)); err != nil {
				t.Fatal(err)
			}
			r.restores++
		}
		before := r.logs()
		l := r.runLife(plan)
		r.checkPickUp(before, l)
		if l.killed != nil {
			r.afterKill(l.killed)
			continue
		}
		if len(r.kills) >= n {
			return
		}
		r.in.extend(t, extendFiles) // exhausted too soon: more input
	}
}

func (r *runner) logs() logState {
	r.t.Helper()
	s, err := readLogs(r.t.Context(), r.cfg.Run)
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}

// parsePhase parses a "phase <batch> <phase>" line.
func parsePhase(line string) (batch.ID, engine.Phase, bool) {
	f := strings.Fields(line)
	if len(f) != 3 || f[0] != "phase" {
		return 0, "", false
	}
	id, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, "", false
	}
	return batch.ID(id), engine.Phase(f[2]), true
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
