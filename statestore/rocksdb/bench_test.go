package rocksdb

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// benchBatch is the keys one micro-batch touches in the benchmarks
// (DESIGN.md §5 measures read-modify-write of 10 K keys).
const benchBatch = 10_000

// loadStore commits n keys to id over versions of benchBatch keys each and
// returns the version it reached and the last manifest (uploaded if st is
// not nil).
func loadStore(b *testing.B, p *Provider, st checkpoint.Storage, id statestore.StoreID, n int) (int64, *statestore.Manifest) {
	b.Helper()
	ctx := context.Background()
	var version int64
	var prev *statestore.Manifest
	var k, v []byte
	for start := 0; start < n; start += benchBatch * 10 {
		s, err := p.Open(ctx, id, version, statestore.OpenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for i := start; i < min(n, start+benchBatch*10); i++ {
			k, v = testKey(k, i), testValue(v, i, 0)
			mustPut(b, s, k, v)
		}
		snap, err := s.Commit(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if st != nil {
			if prev, err = snap.Upload(ctx, st, prev); err != nil {
				b.Fatal(err)
			}
		}
		snap.Release()
		version++
	}
	return version, prev
}

func keysPerSec(b *testing.B, keys int) {
	b.ReportMetric(float64(keys)/b.Elapsed().Seconds(), "keys/s")
}

// cacheModes are the write-back cache settings the benchmarks compare:
// the default, and disabled.
var cacheModes = []struct {
	name string
	size int64
}{{"cache", 0}, {"nocache", -1}}

// BenchmarkPutsBatched: a micro-batch of blind puts (half new keys, half
// updates) buffered and committed in one write batch, with the cache and
// without.
func BenchmarkPutsBatched(b *testing.B) {
	for _, c := range cacheModes {
		b.Run(c.name, func(b *testing.B) { benchPutsBatched(b, c.size) })
	}
}

func benchPutsBatched(b *testing.B, cacheSize int64) {
	ctx := context.Background()
	p := newBenchProvider(b, Options{SnapshotInterval: 1 << 30, CacheSize: cacheSize})
	version, _ := loadStore(b, p, nil, testID, 100_000)
	r := rand.New(rand.NewPCG(1, 2))
	var k, v []byte
	next := 100_000
	b.ResetTimer()
	for range b.N {
		s, err := p.Open(ctx, testID, version, statestore.OpenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for i := range benchBatch {
			key := next
			if i%2 == 0 {
				key = r.IntN(next)
			} else {
				next++
			}
			k, v = testKey(k, key), testValue(v, key, uint64(version))
			mustPut(b, s, k, v)
		}
		snap, err := s.Commit(ctx)
		if err != nil {
			b.Fatal(err)
		}
		snap.Release()
		version++
	}
	keysPerSec(b, b.N*benchBatch)
}

// BenchmarkMultiGet looks up 10 K random keys (9 in 10 present) of a
// 100 K-key store in one MultiGet, with the store in the memtable (as
// between snapshots) or flushed to SSTs (as after one). store is
// Store.MultiGet (with the cache, which then holds every key: hits);
// store-nocache the same without the cache; cgo the package's call of
// RocksDB's batched MultiGet alone; grocksdb grocksdb's MultiGet, for
// comparison; ReadModifyWrite also puts every key and commits, as a
// stateful operator's batch does (the same keys every batch: with the
// cache, the hot keys of DESIGN.md §5), and ReadModifyWrite-nocache
// without the cache.
func BenchmarkMultiGet(b *testing.B) {
	for _, flushed := range []bool{false, true} {
		name := "memtable"
		if flushed {
			name = "sst"
		}
		b.Run(name, func(b *testing.B) { benchMultiGet(b, flushed) })
	}
}

// loadForMultiGet loads n keys into a new provider and, if flushed, writes
// the cache back and flushes RocksDB's memtable to SSTs.
func loadForMultiGet(b *testing.B, n int, cacheSize int64, flushed bool) (*Provider, int64) {
	p := newBenchProvider(b, Options{SnapshotInterval: 1 << 30, CacheSize: cacheSize})
	version, _ := loadStore(b, p, nil, testID, n)
	if flushed {
		in := instanceOf(p, testID)
		err := in.flush()
		if err == nil {
			err = in.db.Flush(p.dbo.flush)
		}
		in.mu.Unlock()
		if err != nil {
			b.Fatal(err)
		}
	}
	return p, version
}

func benchMultiGet(b *testing.B, flushed bool) {
	ctx := context.Background()
	const n = 100_000
	cached, cachedVersion := loadForMultiGet(b, n, 0, flushed)
	direct, version := loadForMultiGet(b, n, -1, flushed)
	in := direct.stores[testID]
	keys := make([][]byte, benchBatch)
	idx := make([]int, benchBatch)
	raw := make([][]byte, benchBatch)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range keys {
		keys[i] = testKey(nil, r.IntN(n*10/9))
		idx[i] = i
		raw[i] = dataKey(nil, keys[i])
	}
	storeBench := func(p *Provider, version int64) func(b *testing.B) {
		return func(b *testing.B) {
			s, err := p.Open(ctx, testID, version, statestore.OpenOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Abort()
			for range b.N {
				if _, err := s.MultiGet(keys); err != nil {
					b.Fatal(err)
				}
			}
			keysPerSec(b, b.N*len(keys))
		}
	}
	b.Run("store", storeBench(cached, cachedVersion))
	b.Run("store-nocache", storeBench(direct, version))
	b.Run("cgo", func(b *testing.B) {
		var g multiGetter
		for range b.N {
			if _, err := g.getMany(in, keys, idx); err != nil {
				b.Fatal(err)
			}
		}
		keysPerSec(b, b.N*len(keys))
	})
	b.Run("grocksdb", func(b *testing.B) {
		for range b.N {
			vals, err := in.db.MultiGet(direct.dbo.read, raw...)
			if err != nil {
				b.Fatal(err)
			}
			vals.Destroy()
		}
		keysPerSec(b, b.N*len(keys))
	})
	rmwBench := func(p *Provider, version *int64) func(b *testing.B) {
		return func(b *testing.B) {
			for range b.N {
				s, err := p.Open(ctx, testID, *version, statestore.OpenOptions{})
				if err != nil {
					b.Fatal(err)
				}
				vals, err := s.MultiGet(keys)
				if err != nil {
					b.Fatal(err)
				}
				var buf []byte
				for i, k := range keys {
					buf = append(buf[:0], vals[i]...)
					buf = append(buf, 1)
					mustPut(b, s, k, buf[:min(len(buf), 16)])
				}
				snap, err := s.Commit(ctx)
				if err != nil {
					b.Fatal(err)
				}
				snap.Release()
				*version++
			}
			keysPerSec(b, b.N*len(keys))
		}
	}
	b.Run("ReadModifyWrite", rmwBench(cached, &cachedVersion))
	b.Run("ReadModifyWrite-nocache", rmwBench(direct, &version))
}

// BenchmarkCommit measures Commit alone: of 1 K updates to a 100 K-key
// store, and of a snapshot version (flush and checkpoint), with the cache
// (a commit then writes nothing to RocksDB but at snapshot versions) and
// without.
func BenchmarkCommit(b *testing.B) {
	for _, c := range []struct {
		name     string
		interval int
	}{{"changelog", 1 << 30}, {"snapshot", 1}} {
		for _, cm := range cacheModes {
			name := c.name
			if cm.size < 0 {
				name += "-" + cm.name
			}
			b.Run(name, func(b *testing.B) { benchCommit(b, c.interval, cm.size) })
		}
	}
}

func benchCommit(b *testing.B, interval int, cacheSize int64) {
	ctx := context.Background()
	p := newBenchProvider(b, Options{SnapshotInterval: interval, CacheSize: cacheSize})
	version, _ := loadStore(b, p, nil, testID, 100_000)
	var k, v []byte
	var commit time.Duration
	for range b.N {
		s, err := p.Open(ctx, testID, version, statestore.OpenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 1000 {
			key := int(version)*1000 + i
			k, v = testKey(k, key), testValue(v, key, 1)
			mustPut(b, s, k, v)
		}
		start := time.Now()
		snap, err := s.Commit(ctx)
		if err != nil {
			b.Fatal(err)
		}
		commit += time.Since(start)
		snap.Release()
		version++
	}
	b.ReportMetric(float64(commit.Microseconds())/float64(b.N)/1000, "ms/commit")
}

// BenchmarkRestore1M restores a store of a million keys — a snapshot and
// one changelog of 10 K updates after it — from in-memory checkpoint
// storage into an empty local directory.
func BenchmarkRestore1M(b *testing.B) {
	const n = 1_000_000
	ctx := context.Background()
	st := checkpoint.NewMem()
	p := newBenchProvider(b, Options{Storage: st, SnapshotInterval: 10})
	version, prev := loadStore(b, p, st, testID, n)
	s, err := p.Open(ctx, testID, version, statestore.OpenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var k, v []byte
	for i := 0; i < n; i += n / benchBatch {
		k, v = testKey(k, i), testValue(v, i, 1)
		mustPut(b, s, k, v)
	}
	snap, err := s.Commit(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := snap.Upload(ctx, st, prev); err != nil {
		b.Fatal(err)
	}
	snap.Release()
	version++
	stored := manifestBytes(prev)
	b.ResetTimer()
	for range b.N {
		q := newBenchProvider(b, Options{Storage: st, SnapshotInterval: 10})
		s, err := q.Open(ctx, testID, version, statestore.OpenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if m := s.Metrics(); m.NumRowsTotal != n {
			b.Fatalf("restored %d rows, want %d", m.NumRowsTotal, n)
		}
		s.Abort()
		b.StopTimer()
		q.Close()
		b.StartTimer()
	}
	keysPerSec(b, b.N*n)
	b.ReportMetric(float64(stored), "snapshot-bytes")
	b.ReportMetric(float64(stored)*float64(b.N)/b.Elapsed().Seconds()/(1<<20), "MiB/s")
}

// newBenchProvider is a provider with the default memory settings.
func newBenchProvider(b *testing.B, o Options) *Provider {
	b.Helper()
	o.LocalDir = b.TempDir()
	p, err := New(o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close() })
	return p
}

// BenchmarkReplay restores a store of a million keys from in-memory
// checkpoint storage into an empty local directory: snapshot is the
// snapshot version alone; changelogs is five versions past it, each a
// changelog of 10 K random updates (puts of present and of new keys,
// deletes), so the restore also replays them into RocksDB with a cold
// block cache; changelogs-norows the same with the changelogs' row counts
// taken out, as in format 1, so that replay reads every key to count the
// rows. Each restore checks NumRowsTotal.
func BenchmarkReplay(b *testing.B) {
	const n = 1_000_000
	st := checkpoint.NewMem()
	p := newBenchProvider(b, Options{Storage: st, SnapshotInterval: 10})
	snapshot, prev := loadStore(b, p, st, testID, n)
	u := newRandomUpdater(n)
	version := snapshot
	for range 5 {
		prev = u.commit(b, p, st, prev, version)
		version++
	}
	b.Run("snapshot", func(b *testing.B) { benchRestore(b, st, snapshot, n) })
	b.Run("changelogs", func(b *testing.B) { benchRestore(b, st, version, u.rows) })
	for v := snapshot + 1; v <= version; v++ {
		rewriteChangelog(b, st, v, -1)
	}
	b.Run("changelogs-norows", func(b *testing.B) { benchRestore(b, st, version, u.rows) })
}

// benchRestore opens version into a new provider each time and checks
// that it has rows rows.
func benchRestore(b *testing.B, st checkpoint.Storage, version, rows int64) {
	ctx := context.Background()
	for range b.N {
		q := newBenchProvider(b, Options{Storage: st, SnapshotInterval: 10})
		s, err := q.Open(ctx, testID, version, statestore.OpenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if m := s.Metrics(); m.NumRowsTotal != rows {
			b.Fatalf("restored %d rows, want %d", m.NumRowsTotal, rows)
		}
		s.Abort()
		b.StopTimer()
		q.Close()
		b.StartTimer()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/restore")
}

// randomUpdater makes versions of benchBatch random updates of the keys
// 0..n+n/10-1 (the first n present at the start): nine in ten puts, one
// in ten deletes, and keeps count of the keys present.
type randomUpdater struct {
	r       *rand.Rand
	present []bool
	rows    int64
}

func newRandomUpdater(n int) *randomUpdater {
	u := &randomUpdater{r: rand.New(rand.NewPCG(3, 4)), present: make([]bool, n+n/10), rows: int64(n)}
	for i := range n {
		u.present[i] = true
	}
	return u
}

// commit opens version, updates it, commits and uploads version+1 and
// returns its manifest.
func (u *randomUpdater) commit(b *testing.B, p *Provider, st checkpoint.Storage, prev *statestore.Manifest, version int64) *statestore.Manifest {
	b.Helper()
	ctx := context.Background()
	s, err := p.Open(ctx, testID, version, statestore.OpenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var k, v []byte
	for range benchBatch {
		i := u.r.IntN(len(u.present))
		k = testKey(k, i)
		if u.r.IntN(10) == 0 {
			if err := s.Delete(k); err != nil {
				b.Fatal(err)
			}
			u.setPresent(i, false)
			continue
		}
		v = testValue(v, i, uint64(version))
		mustPut(b, s, k, v)
		u.setPresent(i, true)
	}
	snap, err := s.Commit(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer snap.Release()
	m, err := snap.Upload(ctx, st, prev)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func (u *randomUpdater) setPresent(i int, present bool) {
	switch {
	case present && !u.present[i]:
		u.rows++
	case !present && u.present[i]:
		u.rows--
	}
	u.present[i] = present
}
