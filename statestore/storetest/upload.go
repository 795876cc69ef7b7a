package storetest

import (
	"context"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// recorder is a Storage that records the paths written through it.
type recorder struct {
	checkpoint.Storage
	mu      sync.Mutex
	written []string
}

func (r *recorder) record(path string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.written = append(r.written, path)
}

// take returns the paths written since the last take.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.written
	r.written = nil
	return w
}

func (r *recorder) Create(ctx context.Context, path string, data []byte) error {
	r.record(path)
	return r.Storage.Create(ctx, path, data)
}

func (r *recorder) Write(ctx context.Context, path string, data []byte) error {
	r.record(path)
	return r.Storage.Write(ctx, path, data)
}

func (r *recorder) Put(ctx context.Context, path string, rd io.Reader) error {
	r.record(path)
	return r.Storage.Put(ctx, path, rd)
}

// testUpload checks what Upload writes: the changelog every version, a
// manifest exactly at multiples of the snapshot interval, the data files
// the manifest lists as they are stored, and no data file that the previous
// manifest already lists.
func testUpload(t *testing.T, f Factory) {
	e := newEnv(t, f)
	rec := &recorder{Storage: e.st}
	e.st = rec
	p := e.provider()
	h := newHistory(e, testID)
	r := rand.New(rand.NewPCG(23, 24))
	dir := h.id.Dir() + "/"
	for range 3*e.interval + 1 {
		prev := h.prev
		h.commitRandom(p, r, 1, true)
		v := h.latest()
		m := h.manifests[v]
		written := rec.take()
		want := []string{dir + statestore.ChangelogName(v)}
		if v%int64(e.interval) == 0 {
			want = append(want, dir+statestore.ManifestName(v))
			for _, fi := range m.Files {
				if prev == nil || !slices.Contains(prev.Files, fi) {
					want = append(want, dir+fi.Name)
				}
			}
		} else if prev != nil && (m.SnapshotVersion != prev.SnapshotVersion || !slices.Equal(m.Files, prev.Files)) {
			t.Fatalf("version %d, no snapshot: manifest %+v differs from the previous %+v", v, m, prev)
		}
		for _, w := range written {
			if !slices.Contains(want, w) {
				t.Fatalf("Upload of version %d wrote %s; want only %q", v, w, want)
			}
		}
		for _, w := range want {
			if !slices.Contains(written, w) {
				t.Fatalf("Upload of version %d did not write %s; wrote %q", v, w, written)
			}
		}
		checkStoredFiles(t, e.st, dir, m)
	}
	names, err := e.st.List(t.Context(), h.id.Dir())
	if err != nil {
		t.Fatal(err)
	}
	var manifests []string
	for _, n := range names {
		if strings.HasSuffix(n, ".manifest") {
			manifests = append(manifests, n)
		}
	}
	wantM := []string{statestore.ManifestName(int64(e.interval)), statestore.ManifestName(int64(2 * e.interval)), statestore.ManifestName(int64(3 * e.interval))}
	slices.Sort(wantM)
	if !slices.Equal(manifests, wantM) {
		t.Fatalf("manifests stored: %q, want %q", manifests, wantM)
	}
}

// checkStoredFiles checks that every file m lists is stored, of its size.
func checkStoredFiles(t *testing.T, st checkpoint.Storage, dir string, m *statestore.Manifest) {
	t.Helper()
	for _, fi := range m.Files {
		if strings.HasPrefix(fi.Name, "/") || strings.HasPrefix(fi.Name, dir) {
			t.Fatalf("manifest of version %d lists %q; names are relative to the store's directory", m.Version, fi.Name)
		}
		data, err := st.Read(t.Context(), dir+fi.Name)
		if err != nil {
			t.Fatalf("manifest of version %d lists %s: %v", m.Version, fi.Name, err)
		}
		if int64(len(data)) != fi.Size {
			t.Fatalf("manifest of version %d lists %s of %d bytes; stored are %d", m.Version, fi.Name, fi.Size, len(data))
		}
	}
}

// testMetrics checks the figures a store reports.
func testMetrics(t *testing.T, f Factory) {
	e := newEnv(t, f)
	p := e.provider()
	s := mustOpen(t, p, testID, 0, statestore.OpenOptions{})
	for _, k := range []string{"a", "b", "c", "d"} {
		mustPut(t, s, k, strings.Repeat(k, 100))
	}
	mustPut(t, s, "a", "again")
	mustDelete(t, s, "b")
	snap := mustCommit(t, s)
	m := s.Metrics()
	if m.NumRowsTotal != 3 || m.NumRowsUpdated != 5 || m.NumRowsRemoved < 1 || m.NumRowsEvicted != 0 {
		t.Fatalf("after 5 puts of 4 keys and a delete: Metrics = %+v; want NumRowsTotal 3, NumRowsUpdated 5, NumRowsRemoved ≥ 1, NumRowsEvicted 0", m)
	}
	if m.MemoryUsedBytes <= 0 && m.DiskBytes <= 0 {
		t.Fatalf("a store of 3 rows uses no memory and no disk: Metrics = %+v", m)
	}
	if m.CommitDuration < 0 {
		t.Fatalf("negative CommitDuration: %+v", m)
	}
	if _, err := snap.Upload(t.Context(), e.st, nil); err != nil {
		t.Fatal(err)
	}
	if err := snap.Release(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, p, testID, 1, statestore.OpenOptions{})
	m = s.Metrics()
	if m.NumRowsTotal != 3 || m.NumRowsUpdated != 0 || m.NumRowsRemoved != 0 {
		t.Fatalf("version 1 just opened: Metrics = %+v; want NumRowsTotal 3 and nothing updated or removed", m)
	}
	if m.UploadedBytes <= 0 || m.SnapshotUploaded {
		t.Fatalf("after the upload of version 1 (no snapshot): Metrics = %+v; want UploadedBytes > 0, SnapshotUploaded false", m)
	}
	mustDelete(t, s, "c")
	mustDelete(t, s, "never")
	if m := s.Metrics(); m.NumRowsTotal != 2 {
		t.Fatalf("after a delete: Metrics NumRowsTotal = %d, want 2", m.NumRowsTotal)
	}
	s.Abort()

	h := newHistory(e, statestore.StoreID{Operator: "metrics", Partition: 0})
	h.commitRandom(p, rand.New(rand.NewPCG(25, 26)), e.interval, true)
	s = mustOpen(t, p, h.id, h.latest(), statestore.OpenOptions{})
	defer s.Abort()
	if m := s.Metrics(); !m.SnapshotUploaded || m.UploadedBytes <= 0 {
		t.Fatalf("after the upload of snapshot version %d: Metrics = %+v; want SnapshotUploaded, UploadedBytes > 0", h.latest(), m)
	}
}
