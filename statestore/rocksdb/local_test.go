package rocksdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

var testID = statestore.StoreID{Operator: "agg", Partition: 1}

// countingStorage counts the reads of a Storage.
type countingStorage struct {
	checkpoint.Storage
	reads atomic.Int64
}

func (c *countingStorage) Read(ctx context.Context, path string) ([]byte, error) {
	c.reads.Add(1)
	return c.Storage.Read(ctx, path)
}

func (c *countingStorage) Open(ctx context.Context, path string) (io.ReadCloser, error) {
	c.reads.Add(1)
	return c.Storage.Open(ctx, path)
}

func (c *countingStorage) List(ctx context.Context, dir string) ([]string, error) {
	c.reads.Add(1)
	return c.Storage.List(ctx, dir)
}

// versionValue is what the deterministic history below stores at key i in
// version v: every version puts keys v*10..v*10+49 and deletes key v-1.
func commitVersion(t testing.TB, p statestore.Provider, st checkpoint.Storage, prev *statestore.Manifest, v int64) *statestore.Manifest {
	t.Helper()
	ctx := context.Background()
	s, err := p.Open(ctx, testID, v-1, statestore.OpenOptions{})
	if err != nil {
		t.Fatalf("Open(%d): %v", v-1, err)
	}
	for i := v * 10; i < v*10+50; i++ {
		mustPut(t, s, []byte(fmt.Sprint(i)), []byte(fmt.Sprintf("v%d-%d", v, i)))
	}
	if err := s.Delete([]byte(fmt.Sprint(v - 1))); err != nil {
		t.Fatal(err)
	}
	snap, err := s.Commit(ctx)
	if err != nil {
		t.Fatalf("Commit(%d): %v", v, err)
	}
	defer snap.Release()
	if st == nil {
		return nil
	}
	m, err := snap.Upload(ctx, st, prev)
	if err != nil {
		t.Fatalf("Upload(%d): %v", v, err)
	}
	return m
}

// wantState is the state of version v of that history.
func wantState(v int64) map[string]string {
	m := make(map[string]string)
	for u := int64(1); u <= v; u++ {
		for i := u * 10; i < u*10+50; i++ {
			m[fmt.Sprint(i)] = fmt.Sprintf("v%d-%d", u, i)
		}
		delete(m, fmt.Sprint(u-1))
	}
	return m
}

// checkVersion opens version v and compares a full scan with wantState.
func checkVersion(t testing.TB, p statestore.Provider, v int64) {
	t.Helper()
	s, err := p.Open(context.Background(), testID, v, statestore.OpenOptions{})
	if err != nil {
		t.Fatalf("Open(%d): %v", v, err)
	}
	defer s.Abort()
	want := wantState(v)
	it := s.NewIter(nil)
	n := 0
	for it.Next() {
		if w, ok := want[string(it.Key())]; !ok || w != string(it.Value()) {
			t.Fatalf("version %d: key %q = %q, want %q (present %v)", v, it.Key(), it.Value(), w, ok)
		}
		n++
	}
	if err := it.Close(); err != nil || it.Err() != nil {
		t.Fatal(err, it.Err())
	}
	if n != len(want) {
		t.Fatalf("version %d: %d keys, want %d", v, n, len(want))
	}
	if m := s.Metrics(); m.NumRowsTotal != int64(len(want)) {
		t.Fatalf("version %d: NumRowsTotal %d, want %d", v, m.NumRowsTotal, len(want))
	}
}

// TestRestoreAfterLocalDirDeleted: a provider on the same local directory
// reopens the newest version without reading storage; with the directory
// deleted, it restores it from storage.
func TestRestoreAfterLocalDirDeleted(t *testing.T) {
	st := &countingStorage{Storage: checkpoint.NewMem()}
	dir := testDir(t)
	p := newTestProvider(t, Options{LocalDir: dir, Storage: st, SnapshotInterval: 10})
	var prev *statestore.Manifest
	for v := int64(1); v <= 25; v++ {
		prev = commitVersion(t, p, st, prev, v)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	st.reads.Store(0)
	p = newTestProvider(t, Options{LocalDir: dir, Storage: st, SnapshotInterval: 10})
	checkVersion(t, p, 25)
	if n := st.reads.Load(); n != 0 {
		t.Fatalf("reopening the local copy read storage %d times", n)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	p = newTestProvider(t, Options{LocalDir: dir, Storage: st, SnapshotInterval: 10})
	defer p.Close()
	checkVersion(t, p, 25)
	if st.reads.Load() == 0 {
		t.Fatal("restoring without a local copy read nothing from storage")
	}
	// Going back restores too (the local copy is newer), and forward again
	// catches up from storage.
	for _, v := range []int64{12, 20, 9, 25, 0, 3} {
		checkVersion(t, p, v)
	}
}

// TestCrashRecovery kills a process that committed versions 1-13 (a
// snapshot flush at 10, nothing uploaded, no Close: the memtable is lost as
// in a crash) and reopens version 13 from what it left on disk: the
// instance as flushed at 10 and the local changelogs 11-13.
func TestCrashRecovery(t *testing.T) {
	if dir := os.Getenv("SLUICE_ROCKSDB_CRASH_DIR"); dir != "" {
		crashChild(t, dir)
		return
	}
	dir := testDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashRecovery$")
	cmd.Env = append(os.Environ(), "SLUICE_ROCKSDB_CRASH_DIR="+dir)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != crashExitCode {
		t.Fatalf("child: %v\n%s", err, out)
	}
	p := newTestProvider(t, Options{LocalDir: dir, SnapshotInterval: 10})
	defer p.Close()
	in, err := p.acquire(testID)
	if err != nil {
		t.Fatal(err)
	}
	in.mu.Lock()
	err = in.openDB()
	flushed := in.meta.version
	in.mu.Unlock()
	in.release()
	if err != nil {
		t.Fatal(err)
	}
	if flushed != 10 {
		t.Fatalf("after the crash the local instance holds version %d, want 10 (the snapshot flush)", flushed)
	}
	checkVersion(t, p, 13)
	if s, err := p.Open(context.Background(), testID, 14, statestore.OpenOptions{}); err == nil {
		s.Abort()
		t.Fatal("Open of version 14, never committed, succeeded")
	}
	checkVersion(t, p, 13)
	// Committing on from the recovered version works.
	commitVersion(t, p, nil, nil, 14)
	checkVersion(t, p, 14)
}

const crashExitCode = 17

func crashChild(t *testing.T, dir string) {
	p := newTestProvider(t, Options{LocalDir: dir, SnapshotInterval: 10})
	for v := int64(1); v <= 13; v++ {
		commitVersion(t, p, nil, nil, v)
	}
	os.Exit(crashExitCode) // no Close: RocksDB does not flush
}

// TestRerunAfterRestart: a process committed versions 1-25 but uploaded only
// 1-22 (the engine's last commit); a new provider on the same local
// directory opens 22 — its local copy, cleanly closed, holds 25, so it
// restores — and commits 23 with other updates, which later restores hold.
func TestRerunAfterRestart(t *testing.T) {
	st := checkpoint.NewMem()
	dir := testDir(t)
	p := newTestProvider(t, Options{LocalDir: dir, Storage: st, SnapshotInterval: 10})
	var prev *statestore.Manifest
	var m22 *statestore.Manifest
	for v := int64(1); v <= 25; v++ {
		if v <= 22 {
			prev = commitVersion(t, p, st, prev, v)
			m22 = prev
		} else {
			commitVersion(t, p, nil, nil, v)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	p = newTestProvider(t, Options{LocalDir: dir, Storage: st, SnapshotInterval: 10})
	defer p.Close()
	checkVersion(t, p, 22)
	ctx := context.Background()
	s, err := p.Open(ctx, testID, 22, statestore.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, []byte("rerun"), []byte("23"))
	snap, err := s.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snap.Upload(ctx, st, m22); err != nil {
		t.Fatal(err)
	}
	snap.Release()
	q := newTestProvider(t, Options{Storage: st, SnapshotInterval: 10})
	defer q.Close()
	for _, prov := range []*Provider{p, q} {
		s, err := prov.Open(ctx, testID, 23, statestore.OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := wantState(22)
		want["rerun"] = "23"
		got := scanAll(t, s)
		s.Abort()
		if !maps.Equal(got, want) {
			t.Fatalf("rerun version 23 holds %d keys (rerun=%q, 275=%q), want the %d keys of version 22 and rerun=23",
				len(got), got["rerun"], got["275"], len(want))
		}
	}
}

func scanAll(t testing.TB, s statestore.Store) map[string]string {
	t.Helper()
	it := s.NewIter(nil)
	defer it.Close()
	m := make(map[string]string)
	for it.Next() {
		m[string(it.Key())] = string(it.Value())
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCorruptLocalCopy: a local copy RocksDB cannot open as corrupt is
// replaced by a restore from storage.
func TestCorruptLocalCopy(t *testing.T) {
	st := checkpoint.NewMem()
	dir := testDir(t)
	p := newTestProvider(t, Options{LocalDir: dir, Storage: st, SnapshotInterval: 4})
	var prev *statestore.Manifest
	for v := int64(1); v <= 6; v++ {
		prev = commitVersion(t, p, st, prev, v)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, testID.Operator, strconv.Itoa(testID.Partition), dbDirName)
	manifests, err := filepath.Glob(filepath.Join(db, "MANIFEST-*"))
	if err != nil || len(manifests) == 0 {
		t.Fatalf("no MANIFEST in %s: %v", db, err)
	}
	for _, m := range manifests {
		if err := os.WriteFile(m, bytes.Repeat([]byte{0xa5}, 4096), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Without storage to restore from, the corrupt copy is left alone.
	p = newTestProvider(t, Options{LocalDir: dir, SnapshotInterval: 4})
	if s, err := p.Open(context.Background(), testID, 6, statestore.OpenOptions{}); err == nil {
		s.Abort()
		t.Fatal("Open of a corrupt local copy without storage succeeded")
	}
	p.Close()
	p = newTestProvider(t, Options{LocalDir: dir, Storage: st, SnapshotInterval: 4})
	defer p.Close()
	checkVersion(t, p, 6)
}
