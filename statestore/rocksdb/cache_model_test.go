package rocksdb

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// TestCacheModel is a model-based test of the provider with its cache,
// often tiny: rapid draws a history of commits (some with a TTL, so
// written through), aborts, crashes, clean restarts, opens of older
// versions, reruns of a version and restores from storage alone, and every
// version opened is compared with a map of what was committed — through
// Get, MultiGet, scans and NumRowsTotal. After a crash or a restart of a
// provider that never restored, the newest version must come from the
// local copy alone (RocksDB as flushed, then the local changelogs).
func TestCacheModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		m := newModelRun(t, rt)
		defer m.close()
		for range rapid.IntRange(1, 30).Draw(rt, "actions") {
			switch a := rapid.IntRange(0, 11).Draw(rt, "action"); {
			case a <= 5:
				m.commit(m.latest(), rapid.IntRange(0, 7).Draw(rt, "abort") == 0)
			case a == 6:
				crash(m.p)
				m.restart()
			case a == 7:
				if err := m.p.Close(); err != nil {
					rt.Fatalf("Close: %v", err)
				}
				m.restart()
			case a == 8:
				m.local = false
				m.check(rapid.Int64Range(0, m.latest()).Draw(rt, "version"), "an older version")
			case a == 9:
				if m.latest() > 0 {
					m.local = false
					m.commit(rapid.Int64Range(max(0, m.latest()-2), m.latest()-1).Draw(rt, "rerun"), false)
				}
			case a == 10:
				// The local copy lost: restore from storage alone.
				if err := m.p.Close(); err != nil {
					rt.Fatalf("Close: %v", err)
				}
				if err := os.RemoveAll(m.o.LocalDir); err != nil {
					rt.Fatalf("%v", err)
				}
				m.local = false
				m.restart()
			default:
				m.check(m.latest(), "the newest version")
			}
		}
		m.check(m.latest(), "the newest version at the end")
	})
}

// modelRun is one drawn history.
type modelRun struct {
	rt        *rapid.T
	o         Options
	st        *countingStorage
	p         *Provider
	models    []map[string]string // models[v]: version v
	manifests []*statestore.Manifest
	clock     time.Time
	local     bool // the provider never restored: its local copy has every version
}

var modelKeys = []string{"", "a", "a\x00", "ab", "b", "b\xff", "c", "d", "e", "f"}

func newModelRun(t *testing.T, rt *rapid.T) *modelRun {
	dir, err := os.MkdirTemp(testDir(t), "run-")
	if err != nil {
		rt.Fatalf("%v", err)
	}
	m := &modelRun{
		rt: rt,
		o: Options{
			LocalDir:         dir,
			Storage:          &countingStorage{Storage: checkpoint.NewMem()},
			SnapshotInterval: rapid.IntRange(1, 5).Draw(rt, "interval"),
			CacheSize:        rapid.SampledFrom([]int64{1, 200, 1 << 10, 0, -1}).Draw(rt, "cache"),
			WriteBufferSize:  64 << 10,
			BlockCacheSize:   1 << 20,
		},
		models:    []map[string]string{{}},
		manifests: []*statestore.Manifest{nil},
		clock:     time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		local:     true,
	}
	m.st = m.o.Storage.(*countingStorage)
	m.restart()
	return m
}

func (m *modelRun) close() {
	m.p.Close()
	os.RemoveAll(m.o.LocalDir)
}

func (m *modelRun) latest() int64 { return int64(len(m.models) - 1) }

// restart starts a provider on the local directory, and checks the newest
// version; when the local copy has every version, without reading storage.
func (m *modelRun) restart() {
	p, err := New(m.o)
	if err != nil {
		m.rt.Fatalf("New: %v", err)
	}
	m.p = p
	reads := m.st.reads.Load()
	m.check(m.latest(), "the newest version after a restart")
	if n := m.st.reads.Load() - reads; m.local && n > 0 {
		m.rt.Fatalf("reopening version %d after a restart read storage %d times; the local copy has it", m.latest(), n)
	}
}

// openOptions are those of a store opened now, with a TTL or not: entries
// never expire (the TTL is far longer than the test's clock runs), but a
// store with a TTL writes through.
func (m *modelRun) openOptions() statestore.OpenOptions {
	m.clock = m.clock.Add(time.Second)
	now := m.clock
	o := statestore.OpenOptions{Now: func() time.Time { return now }}
	if rapid.Bool().Draw(m.rt, "ttl") {
		o.TTL = time.Hour
	}
	return o
}

func (m *modelRun) open(v int64) statestore.Store {
	s, err := m.p.Open(context.Background(), testID, v, m.openOptions())
	if err != nil {
		m.rt.Fatalf("Open(%d): %v", v, err)
	}
	return s
}

// commit opens version v, updates it and commits v+1 (which replaces any
// later history), or aborts.
func (m *modelRun) commit(v int64, abort bool) {
	rt := m.rt
	s := m.open(v)
	m.checkCache(v)
	model := maps.Clone(m.models[v])
	for range rapid.IntRange(0, 12).Draw(rt, "updates") {
		k := rapid.SampledFrom(modelKeys).Draw(rt, "key")
		switch rapid.IntRange(0, 5).Draw(rt, "op") {
		case 0, 1:
			if err := s.Delete([]byte(k)); err != nil {
				rt.Fatalf("Delete: %v", err)
			}
			delete(model, k)
		case 2:
			checkModel(rt, s, model, fmt.Sprintf("version %d with pending updates", v), rapid.Bool().Draw(rt, "scan"))
		default:
			val := string(rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(rt, "value"))
			if err := s.Put([]byte(k), []byte(val)); err != nil {
				rt.Fatalf("Put: %v", err)
			}
			model[k] = val
		}
	}
	if abort {
		s.Abort()
		return
	}
	snap, err := s.Commit(context.Background())
	if err != nil {
		rt.Fatalf("Commit of version %d: %v", v+1, err)
	}
	defer snap.Release()
	if got := s.Metrics().NumRowsTotal; got != int64(len(model)) {
		rt.Fatalf("version %d committed with NumRowsTotal %d, want %d", v+1, got, len(model))
	}
	man, err := snap.Upload(context.Background(), m.st, m.manifests[v])
	if err != nil {
		rt.Fatalf("Upload of version %d: %v", v+1, err)
	}
	m.models = append(m.models[:v+1], model)
	m.manifests = append(m.manifests[:v+1], man)
	m.checkCache(v + 1)
}

// check opens version v and compares it with its model.
func (m *modelRun) check(v int64, what string) {
	s := m.open(v)
	defer s.Abort()
	checkModel(m.rt, s, m.models[v], fmt.Sprintf("%s (%d)", what, v), rapid.Bool().Draw(m.rt, "scan"))
}

// checkModel compares what s shows with want; with scan, also what its
// iterators show (making one writes the cache back, so not always).
func checkModel(t failer, s statestore.Store, want map[string]string, what string, scan bool) {
	t.Helper()
	keys := append(slices.Clone(modelKeys), "absent")
	vals, err := s.MultiGet(byteKeys(keys...))
	if err != nil {
		t.Fatalf("%s: MultiGet: %v", what, err)
	}
	for i, k := range keys {
		w, ok := want[k]
		if (vals[i] != nil) != ok || string(vals[i]) != w {
			t.Fatalf("%s: MultiGet %q = %q, want %q (present %v)", what, k, vals[i], w, ok)
		}
	}
	// After MultiGet's values are checked: they are valid until the next
	// call.
	for _, k := range keys {
		w, ok := want[k]
		got, found, err := s.Get([]byte(k))
		if err != nil || found != ok || string(got) != w {
			t.Fatalf("%s: Get %q = %q, %v, %v; want %q (present %v)", what, k, got, found, err, w, ok)
		}
	}
	for _, prefix := range []string{"", "a", "b"} {
		if !scan {
			break
		}
		it := s.NewIter([]byte(prefix))
		got := make(map[string]string)
		var order []string
		for it.Next() {
			got[string(it.Key())] = string(it.Value())
			order = append(order, string(it.Key()))
		}
		if err := it.Err(); err != nil {
			t.Fatalf("%s: scan %q: %v", what, prefix, err)
		}
		it.Close()
		wantPrefix := make(map[string]string)
		for k, v := range want {
			if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
				wantPrefix[k] = v
			}
		}
		if !maps.Equal(got, wantPrefix) || !slices.IsSorted(order) {
			t.Fatalf("%s: scan %q = %q, want %q", what, prefix, got, wantPrefix)
		}
	}
	if n := s.Metrics().NumRowsTotal; n != int64(len(want)) {
		t.Fatalf("%s: NumRowsTotal %d, want %d", what, n, len(want))
	}
}

// checkCache checks that the cache holds version v's entries and is within
// its budget.
func (m *modelRun) checkCache(v int64) {
	in := instanceOf(m.p, testID)
	defer in.mu.Unlock()
	c := in.cache
	if c == nil {
		return
	}
	if c.bytes > c.budget {
		m.rt.Fatalf("version %d: the cache holds %d bytes, over its budget of %d", v, c.bytes, c.budget)
	}
	want := m.models[v]
	for k, i := range c.m {
		e := c.entries[i]
		w, ok := want[k]
		if e.key != k || e.present != ok || string(e.value) != w {
			m.rt.Fatalf("version %d: the cache holds %q = %q (present %v), want %q (present %v)", v, k, e.value, e.present, w, ok)
		}
	}
	if c.hasDirty() && in.flushed == in.meta {
		m.rt.Fatalf("version %d: dirty entries, but RocksDB holds the committed version", v)
	}
}
