package engine_test

// Storage faults under a stateful query (DESIGN.md §4, step 6 and the
// failure policy): state uploads that fail, time out, or lose their server.
// With no tolerated checkpoint failures the query stops with the upload's
// error, commits/ has nothing of the failed batch, and the next start
// recovers from the last commit; within the tolerance the upload is retried
// and counted. The word count runs one line per batch in Complete mode, so
// every batch's output is checked against a straight run, replays included.

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/checkpoint/s3"
	"github.com/sluicestream/sluice/engine"
	"github.com/sluicestream/sluice/internal/testutil"
	"github.com/sluicestream/sluice/statestore"
)

// faultLines are the input, one batch each.
var faultLines = []string{
	"a b a", "c", "b d", "a e e", "f a", "c c g", "d", "h a b",
}

// faultBatch is the batch whose state upload is spoiled (it writes state
// version faultBatch+1); it is a snapshot version with SnapshotInterval 2.
const faultBatch = 3

// faultWait bounds every wait for a query to stop or to catch up.
const faultWait = 20 * time.Second

// TestFaultUploadErrorStopsQuery injects storage errors into the state
// upload of batch 3: with no tolerated failures the query stops with an
// error that wraps the injected one and names the batch, batch 3 is not
// committed, and a start with a new provider over an empty local directory
// (restoring from the checkpoint) finishes the input with the straight
// run's counts.
func TestFaultUploadErrorStopsQuery(t *testing.T) {
	from := faultRule{fromVersion: faultBatch + 1, times: -1}
	once := faultRule{fromVersion: faultBatch + 1, times: 1}
	lostAck := faultRule{fromVersion: faultBatch + 1, times: 1, after: true}
	cases := []struct {
		name   string
		cfg    faultConfig
		rule   faultRule
		failed batch.ID
	}{
		{"every write", faultConfig{partitions: 1}, from, faultBatch},
		{"every write", faultConfig{partitions: 4}, from, faultBatch},
		{"every write", faultConfig{partitions: 1, sync: true}, from, faultBatch},
		{"every write", faultConfig{partitions: 4, sync: true}, from, faultBatch},
		{"one write", faultConfig{partitions: 4}, once, faultBatch},
		{"one lost ack", faultConfig{partitions: 4}, lostAck, faultBatch},
		{"one lost ack", faultConfig{partitions: 1, sync: true}, lostAck, faultBatch},
		// The first batch: nothing committed yet.
		{"every write from batch 0", faultConfig{partitions: 4}, faultRule{times: -1}, 0},
		// The first snapshot (version 2), at its first SST.
		{"every SST", faultConfig{partitions: 4}, faultRule{suffix: ".sst", times: -1}, 1},
	}
	for _, c := range cases {
		t.Run(c.cfg.String()+"/"+c.name, func(t *testing.T) {
			t.Parallel()
			f := newFaultFixture(t)
			fq := f.start(c.cfg)
			f.fs.arm(c.rule) // after Start, which writes the state schema under state/
			f.addLines(faultLines...)
			err := awaitEnd(t, fq.q, faultWait)
			checkStopped(t, err, errStorageFault, c.failed)
			fq.end(false)
			if f.fs.count() == 0 {
				t.Fatal("no write was spoiled")
			}
			checkCommitsBefore(t, f.st, committedAtLeast(c.cfg, c.failed), c.failed)
			checkBatches(t, fq.sk, faultLines)

			f.fs.disarm()
			finish(t, f, c.cfg)
		})
	}
}

// TestFaultRestartSameProvider restarts on the provider of the failed run,
// whose local stores hold the version whose upload failed (committed
// locally, never checkpointed): the restart must go back to the last
// commit's state, not count batch 3 twice.
func TestFaultRestartSameProvider(t *testing.T) {
	for _, cfg := range []faultConfig{{partitions: 1}, {partitions: 4, sync: true}} {
		t.Run(cfg.String(), func(t *testing.T) {
			t.Parallel()
			f := newFaultFixture(t)
			f.fs.arm(faultRule{fromVersion: faultBatch + 1, times: -1})
			fq := f.start(cfg)
			f.addLines(faultLines...)
			checkStopped(t, awaitEnd(t, fq.q, faultWait), errStorageFault, faultBatch)
			fq.end(true)
			checkCommitsBefore(t, f.st, committedAtLeast(cfg, faultBatch), faultBatch)

			f.fs.disarm()
			again := cfg
			again.prov = fq.prov
			finish(t, f, again)
		})
	}
}

// TestFaultTolerableCheckpointFailures spoils a few writes of batch 3's
// upload (each spoils one attempt). Within the tolerance the attempts are
// retried, the query goes on with the right counts and its progress counts
// the failures; one failure more than tolerated on one upload stops it,
// and the next start recovers.
func TestFaultTolerableCheckpointFailures(t *testing.T) {
	for _, c := range []struct {
		cfg   faultConfig
		times int
	}{
		{faultConfig{partitions: 1, tolerance: 2}, 2},
		{faultConfig{partitions: 4, tolerance: 2}, 2},
		{faultConfig{partitions: 4, tolerance: 1, sync: true}, 1},
	} {
		t.Run(fmt.Sprintf("within/%v/N%d/%d failures", c.cfg, c.cfg.tolerance, c.times), func(t *testing.T) {
			t.Parallel()
			f := newFaultFixture(t)
			f.fs.arm(faultRule{fromVersion: faultBatch + 1, times: c.times})
			fq := f.start(c.cfg)
			f.addLines(faultLines...)
			processAllWithin(t, fq.q, faultWait)
			if n := f.fs.count(); n != c.times {
				t.Fatalf("%d writes spoiled, want %d", n, c.times)
			}
			if n := checkpointFailures(t, fq.q); n != int64(c.times) {
				t.Errorf("numCheckpointFailures = %d, want %d", n, c.times)
			}
			checkBatches(t, fq.sk, faultLines)
			sameCounts(t, "final counts", fq.sk.batch(batch.ID(len(faultLines)-1)), wordCounts(faultLines))
			if ids := commitIDs(t, f.st); !slices.Equal(ids, upTo(len(faultLines))) {
				t.Errorf("commits = %v, want 0 … %d", ids, len(faultLines)-1)
			}
			fq.q.Stop()
			if err := fq.q.AwaitTermination(); err != nil {
				t.Fatal(err)
			}
		})
	}
	for _, cfg := range []faultConfig{{partitions: 1, tolerance: 2}, {partitions: 1, tolerance: 2, sync: true}} {
		t.Run(fmt.Sprintf("beyond/%v/N%d", cfg, cfg.tolerance), func(t *testing.T) {
			t.Parallel()
			f := newFaultFixture(t)
			f.fs.arm(faultRule{fromVersion: faultBatch + 1, times: cfg.tolerance + 1})
			fq := f.start(cfg)
			f.addLines(faultLines...)
			err := awaitEnd(t, fq.q, faultWait)
			checkStopped(t, err, errStorageFault, faultBatch)
			if want := fmt.Sprintf("attempt %d of %d", cfg.tolerance+1, cfg.tolerance+1); !strings.Contains(err.Error(), want) {
				t.Errorf("query error %q does not say %q", err, want)
			}
			fq.end(false)
			checkCommitsBefore(t, f.st, committedAtLeast(cfg, faultBatch), faultBatch)
			finish(t, f, faultConfig{partitions: cfg.partitions, sync: cfg.sync})
		})
	}
}

// TestFaultCheckpointTimeout blocks state writes until their context is
// done: an attempt exceeds CheckpointTimeout, the query stops with an error
// wrapping statestore.ErrUploadTimeout, and a restart recovers; with one
// tolerated failure a single timed-out attempt is retried and counted.
//
// A real upload (a snapshot: SSTs, fsyncs) can itself take more than 100
// ms under -race on a loaded machine, so the batches before the blocked
// one run first with the default timeout, and the query is started again
// with the short one just for the blocked upload.
func TestFaultCheckpointTimeout(t *testing.T) {
	const timeout = 100 * time.Millisecond
	for _, cfg := range []faultConfig{{partitions: 4}, {partitions: 1, sync: true}} {
		t.Run("stops/"+cfg.String(), func(t *testing.T) {
			t.Parallel()
			f := newFaultFixture(t)
			fq := f.start(cfg)
			f.addLines(faultLines[:faultBatch]...)
			processAllWithin(t, fq.q, faultWait)
			fq.end(false)
			if err := fq.q.AwaitTermination(); err != nil {
				t.Fatal(err)
			}

			f.fs.arm(faultRule{fromVersion: faultBatch + 1, times: -1, block: true})
			short := cfg
			short.timeout = timeout
			fq = f.start(short)
			f.addLines(faultLines[faultBatch:]...)
			began := time.Now()
			err := awaitEnd(t, fq.q, faultWait)
			checkStopped(t, err, statestore.ErrUploadTimeout, faultBatch)
			if d := time.Since(began); d > 10*time.Second {
				t.Errorf("the query took %v to stop on a %v checkpoint timeout", d, timeout)
			}
			fq.end(false)
			checkCommitsBefore(t, f.st, faultBatch, faultBatch)

			f.fs.disarm()
			finish(t, f, cfg)
		})
	}
	t.Run("retried", func(t *testing.T) {
		t.Parallel()
		f := newFaultFixture(t)
		f.fs.arm(faultRule{fromVersion: faultBatch + 1, times: 1, block: true})
		fq := f.start(faultConfig{partitions: 1, tolerance: 1, timeout: time.Second})
		f.addLines(faultLines...)
		processAllWithin(t, fq.q, faultWait)
		if n := checkpointFailures(t, fq.q); n != 1 {
			t.Errorf("numCheckpointFailures = %d, want 1", n)
		}
		checkBatches(t, fq.sk, faultLines)
		sameCounts(t, "final counts", fq.sk.batch(batch.ID(len(faultLines)-1)), wordCounts(faultLines))
		fq.q.Stop()
		if err := fq.q.AwaitTermination(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestFaultS3ServerStoppedMidRun runs the word count with its checkpoint on
// S3 (versitygw) behind a TCP proxy and stops the "server" (the proxy:
// listener closed, open connections cut) in batch 3: while its state
// uploads run, or once they are done and commits/3 is to be written. The
// query stops with an error naming the batch, without panic or hang; the
// server comes back on the same port and data, and a new start finishes the
// input with the straight run's counts.
//
// testutil.S3Server has no way to stop and restart versitygw itself, hence
// the proxy.
func TestFaultS3ServerStoppedMidRun(t *testing.T) {
	srv := testutil.StartVersityGW(t)
	for _, c := range []struct {
		cfg   faultConfig
		at    engine.Phase
		after int // stop at the after-th report of phase at for the batch
	}{
		{faultConfig{partitions: 2}, engine.PhaseUploadStarted, 1},
		{faultConfig{partitions: 2, sync: true}, engine.PhaseUploadStarted, 1},
		{faultConfig{partitions: 2}, engine.PhaseUploadDone, 2},
	} {
		t.Run(fmt.Sprintf("%v/at %s", c.cfg, c.at), func(t *testing.T) {
			t.Parallel()
			proxy := newTCPProxy(t, srv.Endpoint)
			prefix := strings.ReplaceAll(t.Name(), "/", "_")
			f := newAggFixture(t)
			f.st = openS3(t, srv, proxy.addr, prefix)
			ff := &faultFixture{aggFixture: f}

			var mu sync.Mutex
			seen := 0
			run := c.cfg
			run.timeout = time.Second // an upload to a stopped server fails within it
			run.onPhase = func(id batch.ID, p engine.Phase) {
				if id != faultBatch || p != c.at {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if seen++; seen == c.after {
					proxy.stop()
				}
			}
			fq := ff.start(run)
			// Batch by batch, so that when the server stops no next batch
			// is writing its offsets.
			for _, l := range faultLines[:faultBatch] {
				ff.addLines(l)
				processAllWithin(t, fq.q, faultWait)
			}
			ff.addLines(faultLines[faultBatch])
			began := time.Now()
			err := awaitEnd(t, fq.q, faultWait)
			if err == nil {
				t.Fatal("the query went on with its S3 server stopped")
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("batch %d:", faultBatch)) {
				t.Errorf("query error %q does not name batch %d", err, faultBatch)
			}
			t.Logf("stopped after %v: %v", time.Since(began).Round(time.Millisecond), err)
			fq.end(false)

			proxy.start()
			f.st = openS3(t, srv, proxy.addr, prefix)
			checkCommitsBefore(t, f.st, faultBatch, faultBatch)
			ff.addLines(faultLines[faultBatch+1:]...)
			finish(t, ff, faultConfig{partitions: c.cfg.partitions, sync: c.cfg.sync})
		})
	}
}

// openS3 opens the checkpoint at prefix in srv's bucket through endpoint.
func openS3(t *testing.T, srv *testutil.S3Server, endpoint, prefix string) checkpoint.Storage {
	t.Helper()
	st, err := s3.New(t.Context(), s3.Options{Endpoint: endpoint, Bucket: srv.Bucket, Prefix: prefix,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, Region: srv.Region})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// committedAtLeast is how many batches before the failed one must be
// committed when it fails: all of them in sync mode; in async mode the one
// just before may still be uploading.
func committedAtLeast(cfg faultConfig, failed batch.ID) int {
	if cfg.sync || failed == 0 {
		return int(failed)
	}
	return int(failed) - 1
}

// checkStopped checks the error a query stopped with: it wraps cause and
// names the batch.
func checkStopped(t *testing.T, err, cause error, id batch.ID) {
	t.Helper()
	switch {
	case err == nil:
		t.Fatalf("the query ended without an error; want one wrapping %v", cause)
	case !errors.Is(err, cause):
		t.Fatalf("query error %q does not wrap %q", err, cause)
	case !strings.Contains(err.Error(), fmt.Sprintf("batch %d:", id)):
		t.Fatalf("query error %q does not name batch %d", err, id)
	}
}

// finish starts the query again on f's checkpoint with every line added,
// lets it process them all and checks that the output of every batch it
// runs, and the final counts, are the straight run's, and that every batch
// is committed.
func finish(t *testing.T, f *faultFixture, cfg faultConfig) {
	t.Helper()
	fq := f.start(cfg)
	processAllWithin(t, fq.q, faultWait)
	checkBatches(t, fq.sk, faultLines)
	last := batch.ID(len(faultLines) - 1)
	sameCounts(t, "final counts after the restart", fq.sk.batch(last), wordCounts(faultLines))
	if ids := commitIDs(t, f.st); !slices.Equal(ids, upTo(len(faultLines))) {
		t.Errorf("commits after the restart = %v, want 0 … %d", ids, last)
	}
	fq.q.Stop()
	if err := fq.q.AwaitTermination(); err != nil {
		t.Fatalf("query after the restart: %v", err)
	}
	fq.end(false)
}

// TestFaultCheckpointFailuresOfLastBatchCounted spoils the uploads of the
// last batch only, within the tolerance: once everything is processed, the
// last progress, published at that batch's commit (after its upload), must
// count those failures, since no later batch may ever come.
func TestFaultCheckpointFailuresOfLastBatchCounted(t *testing.T) {
	f := newFaultFixture(t)
	last := len(faultLines) - 1
	f.fs.arm(faultRule{fromVersion: int64(last + 1), times: 2})
	fq := f.start(faultConfig{partitions: 1, tolerance: 2})
	f.addLines(faultLines...)
	processAllWithin(t, fq.q, faultWait)
	if n := f.fs.count(); n != 2 {
		t.Fatalf("%d writes spoiled, want 2", n)
	}
	if p := fq.q.LastProgress(); p.BatchID != batch.ID(last) {
		t.Fatalf("last progress is of batch %d, want %d", p.BatchID, last)
	}
	if n := checkpointFailures(t, fq.q); n != 2 {
		t.Errorf("numCheckpointFailures in the progress of batch %d, whose upload failed twice = %d, want 2", last, n)
	}
}

// TestFaultStopWhileUploadBlocked stops a query whose state upload hangs
// (the default one-minute checkpoint timeout is far off): Stop returns
// promptly, the query ends without an error, and a restart recovers.
func TestFaultStopWhileUploadBlocked(t *testing.T) {
	for _, cfg := range []faultConfig{{partitions: 4}, {partitions: 1, sync: true}} {
		t.Run(cfg.String(), func(t *testing.T) {
			t.Parallel()
			f := newFaultFixture(t)
			f.fs.arm(faultRule{fromVersion: faultBatch + 1, times: -1, block: true})
			fq := f.start(cfg)
			f.addLines(faultLines...)
			deadline := time.Now().Add(faultWait)
			for f.fs.count() == 0 {
				if time.Now().After(deadline) {
					t.Fatal("no state write of batch 3 was ever made")
				}
				time.Sleep(5 * time.Millisecond)
			}
			stopped := make(chan struct{})
			go func() {
				fq.q.Stop()
				close(stopped)
			}()
			select {
			case <-stopped:
			case <-time.After(faultWait):
				t.Fatalf("Stop has not returned %v after it was called during a blocked upload", faultWait)
			}
			if err := fq.q.AwaitTermination(); err != nil {
				t.Fatalf("query stopped during a blocked upload ended with %v, want nil", err)
			}
			fq.end(false)
			checkCommitsBefore(t, f.st, committedAtLeast(cfg, faultBatch), faultBatch)

			f.fs.disarm()
			finish(t, f, cfg)
		})
	}
}
