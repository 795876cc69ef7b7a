package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// errInjected is the failure flaky injects.
var errInjected = errors.New("storetest: injected storage failure")

// flaky is a Storage whose writes fail now and then, until it has
// injected maxFaults failures: every second write of a data file (under
// SSTs/) fails after writing, as a timeout after the write landed looks to
// the caller, and every fourth other write fails before writing.
type flaky struct {
	checkpoint.Storage
	mu     sync.Mutex
	writes int
	faults int
}

// maxFaults bounds the failures flaky injects, so that an Uploader with
// more retries gets every upload through.
const maxFaults = 8

const (
	writeOK = iota
	failBefore
	failAfter
)

// fault decides the fate of a write of path.
func (f *flaky) fault(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.faults == maxFaults {
		return writeOK
	}
	f.writes++
	fate := writeOK
	switch {
	case strings.Contains(path, "/"+statestore.SSTDir+"/"):
		if f.writes%2 == 0 {
			fate = failAfter
		}
	case f.writes%4 == 0:
		fate = failBefore
	}
	if fate != writeOK {
		f.faults++
	}
	return fate
}

func (f *flaky) write(path string, do func() error) error {
	switch f.fault(path) {
	case failBefore:
		return fmt.Errorf("write %s: %w", path, errInjected)
	case failAfter:
		if err := do(); err != nil {
			return err
		}
		return fmt.Errorf("write %s: %w", path, errInjected)
	}
	return do()
}

func (f *flaky) Create(ctx context.Context, path string, data []byte) error {
	return f.write(path, func() error { return f.Storage.Create(ctx, path, data) })
}

func (f *flaky) Write(ctx context.Context, path string, data []byte) error {
	return f.write(path, func() error { return f.Storage.Write(ctx, path, data) })
}

func (f *flaky) Put(ctx context.Context, path string, r io.Reader) error {
	return f.write(path, func() error { return f.Storage.Put(ctx, path, r) })
}

// testBackgroundUpload runs the engine's asynchronous checkpoint: each
// version is submitted to a statestore.Uploader while the next versions
// are opened and committed, over a storage whose writes sometimes fail, so
// that uploads are retried. Every version must then restore from storage
// alone, and the retries must leave no data file that no manifest lists.
func testBackgroundUpload(t *testing.T, f Factory) {
	const versions = 24
	e := newEnv(t, f)
	e.interval = 2
	fl := &flaky{Storage: e.st}
	// More retries than faults: every upload gets through.
	u, err := statestore.NewUploader(fl, statestore.UploaderOptions{QueueSize: 2, Retries: maxFaults, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Abort() // if a check fails before Close
	p := e.provider()
	h := newHistory(e, testID)
	var mu sync.Mutex
	var uploadErrs []error
	var uploaded []*statestore.Manifest
	r := rand.New(rand.NewPCG(33, 34))
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(uploadErrs) > 0
	}
	for range versions {
		if failed() {
			break // the uploads below would fail too, each after all its retries
		}
		v := h.latest()
		s := mustOpen(t, p, h.id, v, statestore.OpenOptions{})
		m := h.models[v].clone()
		randomUpdates(t, r, s, m)
		snap := mustCommit(t, s)
		h.models = append(h.models, m)
		err := u.Submit(t.Context(), h.id, snap, func(m *statestore.Manifest, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				uploadErrs = append(uploadErrs, err)
				return
			}
			uploaded = append(uploaded, m)
		})
		if err != nil {
			snap.Release()
			t.Fatalf("Submit of version %d: %v", v+1, err)
		}
	}
	u.Close()
	if err := errors.Join(uploadErrs...); err != nil {
		t.Fatalf("background uploads failed, though there were more retries than injected faults: %v", err)
	}
	if len(uploaded) != versions {
		t.Fatalf("%d uploads reported, want %d", len(uploaded), versions)
	}
	for i, m := range uploaded {
		checkManifest(t, h.id, int64(i+1), e.interval, m)
	}
	if fl.faults < maxFaults {
		t.Fatalf("only %d of %d storage failures were injected; the test proves less than it should", fl.faults, maxFaults)
	}
	h.checkAll(e.provider(), 0, "fresh provider after background uploads")
	checkNoOrphans(t, e.st, h.id)
}

// checkNoOrphans fails if a file under the store's data directory is listed
// by no manifest.
func checkNoOrphans(t *testing.T, st checkpoint.Storage, id statestore.StoreID) {
	t.Helper()
	ctx := t.Context()
	l, err := statestore.ListStore(ctx, st, id)
	if err != nil {
		t.Fatal(err)
	}
	listed := make(map[string]bool)
	for _, v := range l.Manifests {
		m, err := statestore.ReadManifest(ctx, st, id, v)
		if err != nil {
			t.Fatal(err)
		}
		for _, fi := range m.Files {
			listed[fi.Name] = true
		}
	}
	var walk func(dir string)
	walk = func(dir string) {
		names, err := st.List(ctx, id.Path(dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if sub, ok := strings.CutSuffix(n, "/"); ok {
				walk(dir + "/" + sub)
			} else if !listed[dir+"/"+n] {
				t.Errorf("%s is listed by no manifest: an Upload retry left it behind", id.Path(dir+"/"+n))
			}
		}
	}
	walk(statestore.SSTDir)
}
