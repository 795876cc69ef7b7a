package rocksdb

import (
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/sluicestream/sluice/statestore"
	"github.com/sluicestream/sluice/statestore/storetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newTestProvider returns a provider, over a fresh local directory unless
// o names one, with small memory settings. The caller closes it.
func newTestProvider(t testing.TB, o Options) *Provider {
	t.Helper()
	if o.LocalDir == "" {
		o.LocalDir = testDir(t)
	}
	if o.WriteBufferSize == 0 {
		o.WriteBufferSize = 1 << 20 // many stores in one test: keep memtables small
	}
	if o.BlockCacheSize == 0 {
		o.BlockCacheSize = 8 << 20
	}
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// testDir returns a fresh directory, removed when the test ends: on tmpfs
// (/dev/shm) when there is one. These tests check what the provider does,
// not what a disk keeps after a power cut (none simulates one; the crash
// test kills a process, which loses no written data), and on tmpfs the
// fsyncs of RocksDB's many instance opens cost nothing, which keeps the
// package's tests fast on a busy disk. Benchmarks use the real disk.
func testDir(t testing.TB) string {
	t.Helper()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "sluice-rocksdb-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return t.TempDir()
}

// TestConformance runs the statestore conformance suite: every provider
// the suite makes has a fresh local directory, so "a fresh provider"
// restores from checkpoint storage alone.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Factory{
		New: func(t *testing.T, c storetest.Config) statestore.Provider {
			return newTestProvider(t, Options{Storage: c.Storage, Cipher: c.Cipher, SnapshotInterval: c.SnapshotInterval})
		},
	})
}
