package killtest

import (
	"context"
	"io"
	"time"
)

// checkFinal checks the end of a run: every logged batch committed, and
// the committed output exactly that of a straight run over the same input
// (and of the input counted here).
func (r *runner) checkFinal() {
	t := r.t
	t.Helper()
	s := r.logs()
	if u := s.uncommitted(); len(u) > 0 || s.sinkLatest != s.lastCommit {
		t.Fatalf("after the last life: batches %v not committed, sink at %d, last commit %d", u, s.sinkLatest, s.lastCommit)
	}
	if n, err := filesUpTo(t.Context(), r.cfg.Run, s.lastCommit); err != nil || n != len(r.in.counts) {
		t.Fatalf("the last batch read %d files (%v), want all %d", n, err, len(r.in.counts))
	}
	st := r.straight
	if st == nil || st.wait() != len(r.in.counts) {
		st = r.startStraight() // the input grew after the first one started
		st.wait()
	}
	if st.err != nil {
		t.Fatalf("straight run: %v", st.err)
	}
	t.Logf("straight run: %v", st.took.Round(time.Millisecond))
	if d := diffCounts(st.out, r.in.prefix(len(r.in.counts))); d != "" {
		t.Fatalf("the straight run's output is not the input's words counted: %s", d)
	}
	got, err := readOutput(t.Context(), r.mem, r.cfg.Query, r.cfg.Run)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffCounts(got, st.out); d != "" {
		t.Fatalf("the output after %d kills differs from the straight run's: %s", len(r.kills), d)
	}
}

// straight is a run of the query without kills, in its own run
// directory, in this process; it runs while the kills go on.
type straight struct {
	done  chan struct{}
	files int // input files it read
	out   map[string]int64
	took  time.Duration
	err   error
}

// startStraight starts a straight run over the input as it is now.
func (r *runner) startStraight() *straight {
	st := &straight{done: make(chan struct{})}
	cfg := r.cfg
	cfg.Run = r.t.TempDir()
	mem := checkedMem(r.t)
	ctx, cancel := context.WithCancel(context.Background())
	r.t.Cleanup(func() { cancel(); <-st.done }) // before the directories go
	go func() {
		defer close(st.done)
		began := time.Now()
		if st.err = runQuery(ctx, cfg, io.Discard); st.err != nil {
			return
		}
		st.took = time.Since(began)
		s, err := readLogs(ctx, cfg.Run)
		if err != nil {
			st.err = err
			return
		}
		if st.files, st.err = filesUpTo(ctx, cfg.Run, s.lastCommit); st.err != nil {
			return
		}
		st.out, st.err = readOutput(ctx, mem, cfg.Query, cfg.Run)
	}()
	return st
}

// wait waits for the run to end and returns how many input files it read.
func (st *straight) wait() int {
	<-st.done
	return st.files
}
