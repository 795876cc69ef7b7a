package storetest

import (
	"context"
	"math/rand/v2"

	"github.com/sluicestream/sluice/statestore"
)

// history drives one store through versions as the engine does, keeping
// the model of every version and the manifest every upload returned.
type history struct {
	e         *env
	t         failer // where checks fail: the test, or a rapid.T
	id        statestore.StoreID
	models    []model                // models[v] is the state of version v
	manifests []*statestore.Manifest // manifests[v] is what Upload of v returned; nil if not uploaded
	prev      *statestore.Manifest   // the newest manifest, passed to the next Upload
}

func newHistory(e *env, id statestore.StoreID) *history {
	return &history{e: e, t: e.t, id: id, models: []model{{}}, manifests: []*statestore.Manifest{nil}}
}

// latest is the newest committed version.
func (h *history) latest() int64 { return int64(len(h.models) - 1) }

// commit opens the newest version on p, lets update change the store and
// the model, commits the next version and, if upload, uploads it.
func (h *history) commit(p statestore.Provider, update func(s statestore.Store, m model), upload bool) {
	t := h.t
	t.Helper()
	s := mustOpen(t, p, h.id, h.latest(), statestore.OpenOptions{})
	m := h.models[h.latest()].clone()
	update(s, m)
	snap := mustCommit(t, s)
	h.models = append(h.models, m)
	h.manifests = append(h.manifests, nil)
	if upload {
		h.upload(snap)
	}
	if err := snap.Release(); err != nil {
		t.Fatalf("store %s: Snapshot.Release of version %d: %v", h.id, snap.Version(), err)
	}
}

// commitRandom commits n versions of random updates.
func (h *history) commitRandom(p statestore.Provider, r *rand.Rand, n int, upload bool) {
	h.t.Helper()
	for range n {
		h.commit(p, func(s statestore.Store, m model) { randomUpdates(h.t, r, s, m) }, upload)
	}
}

// upload uploads snap and checks the manifest it returns.
func (h *history) upload(snap statestore.Snapshot) {
	t := h.t
	t.Helper()
	v := snap.Version()
	m, err := snap.Upload(context.Background(), h.e.st, h.prev)
	if err != nil {
		t.Fatalf("store %s: Upload of version %d: %v", h.id, v, err)
	}
	checkManifest(t, h.id, v, h.e.interval, m)
	h.prev = m
	h.manifests[v] = m
}

// checkManifest checks what Upload of version v returned.
func checkManifest(t failer, id statestore.StoreID, v int64, interval int, m *statestore.Manifest) {
	t.Helper()
	switch {
	case m == nil:
		t.Fatalf("store %s: Upload of version %d returned a nil manifest", id, v)
	case m.Version != v:
		t.Fatalf("store %s: Upload of version %d returned a manifest of version %d", id, v, m.Version)
	case m.SnapshotVersion < 0 || m.SnapshotVersion > v:
		t.Fatalf("store %s: manifest of version %d names snapshot version %d", id, v, m.SnapshotVersion)
	case v%int64(interval) == 0 && m.SnapshotVersion != v:
		t.Fatalf("store %s: version %d is a multiple of the snapshot interval %d, but its manifest names snapshot version %d", id, v, interval, m.SnapshotVersion)
	}
}

// check opens version v on p and checks it against the model.
func (h *history) check(p statestore.Provider, v int64, what string) {
	t := h.t
	t.Helper()
	s := mustOpen(t, p, h.id, v, statestore.OpenOptions{})
	defer s.Abort()
	if s.Version() != v || s.ID() != h.id {
		t.Fatalf("%s: Open(%s, %d) returned store %s version %d", what, h.id, v, s.ID(), s.Version())
	}
	checkState(t, s, h.models[v], what)
}

// checkAll checks every version from first on p.
func (h *history) checkAll(p statestore.Provider, first int64, what string) {
	h.t.Helper()
	for v := first; v <= h.latest(); v++ {
		h.check(p, v, what+": version "+itoa(v))
	}
}

// failer is what the checks need of *testing.T and *rapid.T.
type failer interface {
	Helper()
	Fatalf(format string, args ...any)
}

func mustOpen(t failer, p statestore.Provider, id statestore.StoreID, v int64, o statestore.OpenOptions) statestore.Store {
	t.Helper()
	s, err := p.Open(context.Background(), id, v, o)
	if err != nil {
		t.Fatalf("Open(%s, %d): %v", id, v, err)
	}
	return s
}

func mustCommit(t failer, s statestore.Store) statestore.Snapshot {
	t.Helper()
	snap, err := s.Commit(context.Background())
	if err != nil {
		t.Fatalf("store %s: Commit of version %d: %v", s.ID(), s.Version()+1, err)
	}
	if snap.Version() != s.Version()+1 {
		t.Fatalf("store %s: Commit of version %d returned a snapshot of version %d", s.ID(), s.Version()+1, snap.Version())
	}
	return snap
}

// commitRelease commits s and releases the snapshot without uploading it.
func commitRelease(t failer, s statestore.Store) {
	t.Helper()
	if err := mustCommit(t, s).Release(); err != nil {
		t.Fatalf("store %s: Snapshot.Release of version %d: %v", s.ID(), s.Version()+1, err)
	}
}
