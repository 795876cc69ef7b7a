package rocksdb

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
	"github.com/sluicestream/sluice/statestore/storetest"
)

// failer is what the helpers below need of *testing.T and *rapid.T.
type failer interface {
	Helper()
	Fatalf(format string, args ...any)
}

// crossings are an instance's counters of calls into RocksDB.
type crossings struct{ multiGets, keys, writes int64 }

func crossingsOf(p *Provider, id statestore.StoreID) crossings {
	p.mu.Lock()
	in := p.stores[id]
	p.mu.Unlock()
	if in == nil {
		return crossings{}
	}
	return crossings{in.stats.multiGets.Load(), in.stats.keysFetched.Load(), in.stats.writes.Load()}
}

func (c crossings) minus(d crossings) crossings {
	return crossings{c.multiGets - d.multiGets, c.keys - d.keys, c.writes - d.writes}
}

// instanceOf returns id's instance and locks it; the caller unlocks.
func instanceOf(p *Provider, id statestore.StoreID) *instance {
	p.mu.Lock()
	in := p.stores[id]
	p.mu.Unlock()
	in.mu.Lock()
	return in
}

// crash ends p as a killed process would: every RocksDB instance closes
// without the cache being written or the memtable flushed (the WAL is off,
// so what RocksDB had not flushed is lost), and nothing else is cleaned
// up. Snapshots must have been released.
func crash(p *Provider) {
	p.mu.Lock()
	p.closed = true
	stores := p.stores
	p.stores = nil
	p.mu.Unlock()
	for _, in := range stores {
		in.mu.Lock()
		if in.cur != nil {
			for it := range in.cur.iters {
				it.release(ErrClosed)
			}
		}
		in.closed = true
		in.closeDB()
		in.mu.Unlock()
	}
	p.dbo.destroy()
	p.ro.destroy()
}

// flushedVersion is the version the local copy of id holds on disk, as a
// provider opening it finds it.
func flushedVersion(t testing.TB, p *Provider, id statestore.StoreID) int64 {
	t.Helper()
	in, err := p.acquire(id)
	if err != nil {
		t.Fatal(err)
	}
	defer in.release()
	in.mu.Lock()
	defer in.mu.Unlock()
	if err := in.prepare(); err != nil {
		t.Fatal(err)
	}
	if err := in.openDB(); err != nil {
		t.Fatal(err)
	}
	return in.flushed.version
}

func byteKeys(keys ...string) [][]byte {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = []byte(k)
	}
	return out
}

// TestCacheHits: keys committed or read before are served without
// crossing into RocksDB, and a commit without a TTL writes nothing to
// RocksDB; with the cache disabled, every batch looks its keys up and
// every commit writes.
func TestCacheHits(t *testing.T) {
	for _, c := range []struct {
		name  string
		size  int64
		cache bool
	}{{"cache", 0, true}, {"nocache", -1, false}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			p := newTestProvider(t, Options{CacheSize: c.size, SnapshotInterval: 1000})
			defer p.Close()
			var keys, absent []string
			for i := range 1000 {
				keys = append(keys, fmt.Sprintf("key-%04d", i))
				absent = append(absent, fmt.Sprintf("absent-%04d", i))
			}
			s, err := p.Open(ctx, testID, 0, statestore.OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range keys {
				mustPut(t, s, []byte(k), []byte("v1-"+k))
			}
			commitRelease(t, s)
			for v := int64(1); v <= 3; v++ {
				s, err := p.Open(ctx, testID, v, statestore.OpenOptions{})
				if err != nil {
					t.Fatal(err)
				}
				before := crossingsOf(p, testID)
				vals, err := s.MultiGet(byteKeys(keys...))
				if err != nil {
					t.Fatal(err)
				}
				for i, k := range keys {
					if want := fmt.Sprintf("v%d-%s", v, k); string(vals[i]) != want {
						t.Fatalf("version %d: %s = %q, want %q", v, k, vals[i], want)
					}
				}
				if got, ok, err := s.Get([]byte(keys[7])); err != nil || !ok || string(got) != fmt.Sprintf("v%d-%s", v, keys[7]) {
					t.Fatalf("version %d: Get = %q, %v, %v", v, got, ok, err)
				}
				for range 2 {
					vals, err := s.MultiGet(byteKeys(absent...))
					if err != nil {
						t.Fatal(err)
					}
					if slices.ContainsFunc(vals, func(b []byte) bool { return b != nil }) {
						t.Fatalf("version %d: an absent key was found", v)
					}
				}
				reads := crossingsOf(p, testID).minus(before)
				for _, k := range keys {
					mustPut(t, s, []byte(k), []byte(fmt.Sprintf("v%d-%s", v+1, k)))
				}
				commitRelease(t, s)
				all := crossingsOf(p, testID).minus(before)
				if c.cache {
					// Only the absent keys, once, in the first batch.
					wantKeys := int64(0)
					if v == 1 {
						wantKeys = int64(len(absent))
					}
					if reads.keys != wantKeys || all.keys != wantKeys || all.writes != 0 {
						t.Fatalf("version %d with the cache: %d keys looked up in RocksDB (%d with the commit), %d writes; want %d, %d, 0",
							v, reads.keys, all.keys, all.writes, wantKeys, wantKeys)
					}
				} else {
					want := int64(len(keys) + 1 + 2*len(absent))
					if reads.keys != want || all.writes != 1 {
						t.Fatalf("version %d without the cache: %d keys looked up, %d writes; want %d, 1", v, reads.keys, all.writes, want)
					}
				}
			}
			if m := storeMetrics(t, p, testID, 4); m.NumRowsTotal != int64(len(keys)) {
				t.Fatalf("NumRowsTotal = %d, want %d", m.NumRowsTotal, len(keys))
			}
		})
	}
}

// commitRelease commits s and releases its snapshot.
func commitRelease(t failer, s statestore.Store) {
	t.Helper()
	snap, err := s.Commit(context.Background())
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := snap.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
}

// checkByReads checks version v of local_test.go's history through Get
// and MultiGet only (no iterator, which would write the cache back first),
// and its row count.
func checkByReads(t testing.TB, p statestore.Provider, v int64) {
	t.Helper()
	s, err := p.Open(context.Background(), testID, v, statestore.OpenOptions{})
	if err != nil {
		t.Fatalf("Open(%d): %v", v, err)
	}
	defer s.Abort()
	want := wantState(v)
	var keys []string
	for i := int64(0); i < v*10+50; i++ {
		keys = append(keys, fmt.Sprint(i))
	}
	vals, err := s.MultiGet(byteKeys(keys...))
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		w, ok := want[k]
		if ok != (vals[i] != nil) || string(vals[i]) != w {
			t.Fatalf("version %d: MultiGet %s = %q, want %q (present %v)", v, k, vals[i], w, ok)
		}
	}
	for _, k := range keys { // after: Get invalidates MultiGet's values
		w, ok := want[k]
		got, found, err := s.Get([]byte(k))
		if err != nil || found != ok || string(got) != w {
			t.Fatalf("version %d: Get %s = %q, %v, %v; want %q, %v", v, k, got, found, err, w, ok)
		}
	}
	if m := s.Metrics(); m.NumRowsTotal != int64(len(want)) {
		t.Fatalf("version %d: NumRowsTotal %d, want %d", v, m.NumRowsTotal, len(want))
	}
}

// TestCacheEviction: with a budget of a few dozen entries, commits and
// reads keep the cache within it by writing the dirty entries back when
// the least recently used one is dirty; what was written back and evicted
// reads back from RocksDB, in the same provider and after a restart.
func TestCacheEviction(t *testing.T) {
	const budget = 8 << 10
	dir := testDir(t)
	p := newTestProvider(t, Options{LocalDir: dir, CacheSize: budget, SnapshotInterval: 1000})
	writebacks := 0
	for v := int64(1); v <= 30; v++ {
		before := crossingsOf(p, testID)
		commitVersion(t, p, nil, nil, v)
		in := instanceOf(p, testID)
		bytes, flushed, committed := in.cache.bytes, in.flushed.version, in.meta.version
		in.mu.Unlock()
		if bytes > budget {
			t.Fatalf("version %d: the cache holds %d bytes, over its budget of %d", v, bytes, budget)
		}
		if crossingsOf(p, testID).minus(before).writes > 0 {
			writebacks++
			if flushed != committed {
				t.Fatalf("version %d: a write-back left RocksDB at version %d", v, flushed)
			}
		}
		checkByReads(t, p, v)
	}
	if writebacks == 0 {
		t.Fatal("30 versions of 50 keys never overflowed a cache of 8 KiB")
	}
	t.Logf("%d of 30 commits wrote the cache back", writebacks)
	before := crossingsOf(p, testID)
	checkByReads(t, p, 30)
	if crossingsOf(p, testID).minus(before).keys == 0 {
		t.Fatal("reading 350 keys through an 8 KiB cache looked none up in RocksDB")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	p = newTestProvider(t, Options{LocalDir: dir, CacheSize: budget, SnapshotInterval: 1000})
	defer p.Close()
	checkVersion(t, p, 30)
	checkByReads(t, p, 30)
}

// TestCacheSnapshotRestore: the dirty entries of versions since the last
// snapshot are written before a snapshot version's checkpoint, which then
// restores that version exactly on its own, and the versions after it with
// their changelogs.
func TestCacheSnapshotRestore(t *testing.T) {
	st := checkpoint.NewMem()
	p := newTestProvider(t, Options{Storage: st, SnapshotInterval: 5})
	defer p.Close()
	var prev *statestore.Manifest
	for v := int64(1); v <= 12; v++ {
		prev = commitVersion(t, p, st, prev, v)
		in := instanceOf(p, testID)
		flushed, dirty := in.flushed.version, in.cache.hasDirty()
		in.mu.Unlock()
		wantFlushed := v / 5 * 5
		if flushed != wantFlushed || dirty != (v%5 != 0) {
			t.Fatalf("after version %d RocksDB holds version %d (dirty entries: %v), want %d", v, flushed, dirty, wantFlushed)
		}
	}
	for _, v := range []int64{10, 5, 12, 7} {
		q := newTestProvider(t, Options{Storage: st})
		checkVersion(t, q, v)
		checkByReads(t, q, v)
		q.Close()
	}
	// A snapshot's checkpoint alone holds its version.
	for _, v := range []int64{5, 10} {
		plan, err := statestore.PlanRestore(context.Background(), st, testID, v)
		if err != nil || plan.Snapshot == nil || plan.Snapshot.SnapshotVersion != v || len(plan.Changelogs) != 0 {
			t.Fatalf("restore plan of version %d: %+v, %v; want its snapshot alone", v, plan, err)
		}
	}
}

// TestCacheCrashRecovery: a crash loses the dirty entries with the
// memtable; the local copy then holds the version RocksDB last flushed,
// and the local changelogs kept since rebuild the newest version.
func TestCacheCrashRecovery(t *testing.T) {
	for _, c := range []struct {
		name        string
		o           Options
		flushAt     int64 // flush RocksDB's memtable after this version (0: never)
		wantFlushed int64 // 0: anything from 10 to 13
	}{
		// Versions 11-13 only in the cache.
		{"dirty", Options{SnapshotInterval: 10}, 0, 10},
		// A tiny cache writes back at every commit, a tiny memtable
		// flushes now and then.
		{"tiny", Options{SnapshotInterval: 10, CacheSize: 1, WriteBufferSize: 64 << 10}, 0, 0},
		// Version 12 written back (the cache overflowed) and flushed to
		// an SST, version 13 only in the cache.
		{"writeback", Options{SnapshotInterval: 10}, 12, 12},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := c.o
			o.LocalDir = testDir(t)
			p := newTestProvider(t, o)
			for v := int64(1); v <= 13; v++ {
				commitVersion(t, p, nil, nil, v)
				if v == c.flushAt {
					in := instanceOf(p, testID)
					if err := in.flush(); err != nil {
						t.Fatal(err)
					}
					if err := in.db.Flush(p.dbo.flush); err != nil {
						t.Fatal(err)
					}
					in.mu.Unlock()
				}
			}
			crash(p)
			p = newTestProvider(t, o)
			defer p.Close()
			flushed := flushedVersion(t, p, testID)
			if c.wantFlushed != 0 && flushed != c.wantFlushed || flushed < 10 || flushed > 13 {
				t.Fatalf("after the crash the local copy holds version %d, want %d", flushed, c.wantFlushed)
			}
			checkByReads(t, p, 13)
			checkVersion(t, p, 13)
			commitVersion(t, p, nil, nil, 14)
			checkByReads(t, p, 14)
			// And once more, from what the recovery left.
			crash(p)
			p = newTestProvider(t, o)
			defer p.Close()
			checkVersion(t, p, 14)
		})
	}
}

// TestCacheIterators: an iterator sees the committed versions whose
// entries are only in the cache, under the store's pending updates; making
// it writes the dirty entries back once.
func TestCacheIterators(t *testing.T) {
	for _, size := range []int64{0, 1} {
		t.Run(fmt.Sprintf("CacheSize=%d", size), func(t *testing.T) {
			ctx := context.Background()
			p := newTestProvider(t, Options{CacheSize: size, SnapshotInterval: 1000})
			defer p.Close()
			for v := int64(1); v <= 3; v++ {
				commitVersion(t, p, nil, nil, v)
			}
			s, err := p.Open(ctx, testID, 3, statestore.OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := wantState(3)
			mustPut(t, s, []byte("35"), []byte("pending"))
			mustPut(t, s, []byte("new"), []byte("pending"))
			if err := s.Delete([]byte("40")); err != nil {
				t.Fatal(err)
			}
			want["35"], want["new"] = "pending", "pending"
			delete(want, "40")
			before := crossingsOf(p, testID)
			for range 2 {
				if got := scanAll(t, s); !maps.Equal(got, want) {
					t.Fatalf("scan of version 3 with pending updates: %d keys (35=%q, 40=%q), want %d", len(got), got["35"], got["40"], len(want))
				}
			}
			writes := crossingsOf(p, testID).minus(before).writes
			if size == 0 && writes != 1 || size == 1 && writes != 0 {
				t.Fatalf("two iterators wrote %d times, want %d", writes, map[bool]int{true: 1, false: 0}[size == 0])
			}
			it := s.NewIter([]byte("4"))
			var got []string
			for it.Next() {
				got = append(got, string(it.Key()))
			}
			it.Close()
			if !slices.Equal(got, []string{"41", "42", "43", "44", "45", "46", "47", "48", "49"}) {
				t.Fatalf("scan of prefix 4: %q", got)
			}
			commitRelease(t, s)
			commitVersion(t, p, nil, nil, 5)
			s, err = p.Open(ctx, testID, 5, statestore.OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Abort()
			for i := 50; i < 100; i++ {
				want[fmt.Sprint(i)] = fmt.Sprintf("v5-%d", i)
			}
			delete(want, "4")
			if got := scanAll(t, s); !maps.Equal(got, want) {
				t.Fatalf("scan of version 5: %d keys, want %d", len(got), len(want))
			}
		})
	}
}

// TestCacheTTL: reads served by the cache hide expired entries; a commit
// with a TTL writes the dirty entries back and evicts through RocksDB's
// index (or a scan), counting rows right, and the evicted keys leave the
// cache.
func TestCacheTTL(t *testing.T) {
	const ttl = 10 * time.Second
	ctx := context.Background()
	st := checkpoint.NewMem()
	p := newTestProvider(t, Options{Storage: st, SnapshotInterval: 1000})
	defer p.Close()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(d time.Duration, withTTL bool) statestore.OpenOptions {
		o := statestore.OpenOptions{Now: func() time.Time { return t0.Add(d) }}
		if withTTL {
			o.TTL = ttl
		}
		return o
	}
	var prev *statestore.Manifest
	version := int64(0)
	commit := func(o statestore.OpenOptions, update func(s statestore.Store)) statestore.Metrics {
		t.Helper()
		s, err := p.Open(ctx, testID, version, o)
		if err != nil {
			t.Fatal(err)
		}
		update(s)
		snap, err := s.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if prev, err = snap.Upload(ctx, st, prev); err != nil {
			t.Fatal(err)
		}
		snap.Release()
		version++
		return s.Metrics()
	}
	expect := func(s statestore.Store, want map[string]string, what string) {
		t.Helper()
		keys := []string{"a", "b", "c", "d"}
		vals, err := s.MultiGet(byteKeys(keys...))
		if err != nil {
			t.Fatal(err)
		}
		for i, k := range keys {
			w, ok := want[k]
			if (vals[i] != nil) != ok || string(vals[i]) != w {
				t.Fatalf("%s: MultiGet %s = %q; want %q (present %v)", what, k, vals[i], w, ok)
			}
		}
		for _, k := range keys { // after: Get invalidates MultiGet's values
			w, ok := want[k]
			got, found, err := s.Get([]byte(k))
			if err != nil || found != ok || string(got) != w {
				t.Fatalf("%s: Get %s = %q, %v, %v; want %q (present %v)", what, k, got, found, err, w, ok)
			}
		}
	}
	// Version 1 at 0 s, with a TTL: a, b. Version 2 at 5 s, without one
	// (write-back): c, and b again.
	commit(at(0, true), func(s statestore.Store) {
		mustPut(t, s, []byte("a"), []byte("A"))
		mustPut(t, s, []byte("b"), []byte("B"))
	})
	m := commit(at(5*time.Second, false), func(s statestore.Store) {
		mustPut(t, s, []byte("c"), []byte("C"))
		mustPut(t, s, []byte("b"), []byte("B2"))
	})
	if m.NumRowsTotal != 3 {
		t.Fatalf("version 2: NumRowsTotal %d, want 3", m.NumRowsTotal)
	}
	// At 12 s, with a TTL, a (0 s) has expired; the reads come from the
	// cache.
	before := crossingsOf(p, testID)
	m = commit(at(12*time.Second, true), func(s statestore.Store) {
		expect(s, map[string]string{"b": "B2", "c": "C"}, "version 2 at 12 s")
		if n := crossingsOf(p, testID).minus(before).keys; n != 1 {
			t.Fatalf("reads of a, b, c, d looked %d keys up in RocksDB, want 1 (d)", n)
		}
		mustPut(t, s, []byte("d"), []byte("D"))
	})
	if m.NumRowsEvicted != 1 || m.NumRowsTotal != 3 {
		t.Fatalf("version 3 at 12 s: evicted %d, rows %d; want 1, 3", m.NumRowsEvicted, m.NumRowsTotal)
	}
	in := instanceOf(p, testID)
	_, cached := in.cache.peek([]byte("a"))
	dirty, flushed := in.cache.hasDirty(), in.flushed.version
	in.mu.Unlock()
	if cached || dirty || flushed != 3 {
		t.Fatalf("after a TTL commit: a cached %v, dirty entries %v, RocksDB at version %d; want false, false, 3", cached, dirty, flushed)
	}
	// Version 4 at 13 s without a TTL: b again (write-back, dirty).
	commit(at(13*time.Second, false), func(s statestore.Store) {
		mustPut(t, s, []byte("b"), []byte("B3"))
	})
	// At 16 s c (5 s) has expired (a scan: version 4 had no TTL); at 22 s
	// d (12 s) too, through the index, but not b (13 s).
	m = commit(at(16*time.Second, true), func(s statestore.Store) {
		expect(s, map[string]string{"b": "B3", "d": "D"}, "version 4 at 16 s")
	})
	if m.NumRowsEvicted != 1 || m.NumRowsTotal != 2 {
		t.Fatalf("version 5 at 16 s: evicted %d, rows %d; want 1, 2", m.NumRowsEvicted, m.NumRowsTotal)
	}
	m = commit(at(22*time.Second, true), func(s statestore.Store) {
		expect(s, map[string]string{"b": "B3"}, "version 5 at 22 s")
	})
	if m.NumRowsEvicted != 1 || m.NumRowsTotal != 1 {
		t.Fatalf("version 6 at 22 s: evicted %d, rows %d; want 1, 1", m.NumRowsEvicted, m.NumRowsTotal)
	}
	assertIndexSize(t, p, 1) // b at 13 s
	// The same versions on a fresh provider, from storage.
	q := newTestProvider(t, Options{Storage: st})
	defer q.Close()
	for _, c := range []struct {
		v    int64
		d    time.Duration
		want map[string]string
	}{
		{2, 5 * time.Second, map[string]string{"a": "A", "b": "B2", "c": "C"}},
		{2, 12 * time.Second, map[string]string{"b": "B2", "c": "C"}},
		{4, 13 * time.Second, map[string]string{"b": "B3", "c": "C", "d": "D"}},
		{6, 22 * time.Second, map[string]string{"b": "B3"}},
		{6, 23 * time.Second, map[string]string{}},
	} {
		s, err := q.Open(ctx, testID, c.v, at(c.d, true))
		if err != nil {
			t.Fatal(err)
		}
		expect(s, c.want, fmt.Sprintf("restored version %d at %v", c.v, c.d))
		s.Abort()
	}
}

// TestConformanceCache runs the conformance suite with a cache so small
// that every read and commit evicts, and with the cache disabled.
func TestConformanceCache(t *testing.T) {
	for _, size := range []int64{1, 1 << 10, -1} {
		t.Run(fmt.Sprintf("CacheSize=%d", size), func(t *testing.T) {
			if testing.Short() && size != 1 {
				t.Skip("-short: the tiny cache only")
			}
			storetest.Run(t, storetest.Factory{
				New: func(t *testing.T, c storetest.Config) statestore.Provider {
					return newTestProvider(t, Options{Storage: c.Storage, Cipher: c.Cipher, SnapshotInterval: c.SnapshotInterval, CacheSize: size})
				},
			})
		})
	}
}

// TestCacheOptions: the default, and a negative size disabling the cache.
func TestCacheOptions(t *testing.T) {
	if d := (Options{LocalDir: "x"}).withDefaults(); d.CacheSize != DefaultCacheSize {
		t.Fatalf("default CacheSize %d, want %d", d.CacheSize, DefaultCacheSize)
	}
	for _, c := range []struct {
		size  int64
		cache bool
	}{{0, true}, {1, true}, {-1, false}} {
		p := newTestProvider(t, Options{CacheSize: c.size})
		s, err := p.Open(context.Background(), testID, 0, statestore.OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		mustPut(t, s, []byte("k"), bytes.Repeat([]byte("v"), 1000))
		commitRelease(t, s)
		in := instanceOf(p, testID)
		hasCache := in.cache != nil
		in.mu.Unlock()
		if hasCache != c.cache {
			t.Fatalf("CacheSize %d: cache %v, want %v", c.size, hasCache, c.cache)
		}
		m := storeMetrics(t, p, testID, 1)
		if c.size == 0 && m.MemoryUsedBytes < 1000 {
			t.Fatalf("MemoryUsedBytes %d does not count the cached 1000-byte value", m.MemoryUsedBytes)
		}
		p.Close()
	}
}

// TestCacheLRU follows the cache's bookkeeping: least recently used
// entries go first, dirty ones stop the eviction, bytes add up, and a
// value that fits is overwritten in place.
func TestCacheLRU(t *testing.T) {
	size := func(key string, value int) int64 { return int64(len(key)+value) + cacheEntryOverhead }
	c := newCache(3 * size("k0", 4))
	for i := range 3 {
		c.set([]byte(fmt.Sprintf("k%d", i)), true, int64(i), []byte("vvvv"), false)
	}
	if c.over() || c.bytes != 3*size("k0", 4) {
		t.Fatalf("3 entries: %d bytes, budget %d", c.bytes, c.budget)
	}
	if _, ok := c.get([]byte("k0")); !ok { // k0 most recently used: k1 is the LRU
		t.Fatal("k0 missing")
	}
	c.set([]byte("k3"), false, 0, nil, true) // dirty, absent
	c.evict()
	if _, ok := c.peek([]byte("k1")); ok || c.over() {
		t.Fatalf("after evicting: k1 cached %v, %d bytes", ok, c.bytes)
	}
	c.set([]byte("k1"), true, 0, []byte("v"), false)
	c.set([]byte("k4"), true, 0, []byte("v"), true)
	c.evict() // k2, k0 go; k3, the next, is dirty
	var keys []string
	for i := c.tail; i != nilEntry; i = c.entries[i].prev {
		keys = append(keys, c.entries[i].key)
	}
	if !slices.Equal(keys, []string{"k3", "k1", "k4"}) || !c.lruDirty() {
		t.Fatalf("LRU order %q, LRU dirty %v; want k3 k1 k4, true", keys, c.lruDirty())
	}
	e, _ := c.peek([]byte("k1"))
	before := &e.value[0]
	c.set([]byte("k1"), true, 7, []byte("w"), false)
	if e, _ := c.peek([]byte("k1")); &e.value[0] != before || string(e.value) != "w" || e.putNanos != 7 {
		t.Fatal("a value of the same size was not overwritten in place")
	}
	var b batch
	c.writeDirty(&b)
	if b.len() != 2 {
		t.Fatalf("write-back of k3 (delete) and k4 (put): %d records", b.len())
	}
	c.markClean()
	c.evict()
	if c.over() || c.hasDirty() {
		t.Fatalf("after write-back and eviction: %d bytes, dirty %v", c.bytes, c.hasDirty())
	}
	want := int64(0)
	for _, i := range c.m {
		want += entrySize(c.entries[i].key, c.entries[i].value)
	}
	if c.bytes != want {
		t.Fatalf("bytes %d, entries sum to %d", c.bytes, want)
	}
}
