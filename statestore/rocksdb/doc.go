// Package rocksdb is the RocksDB statestore.Provider (grocksdb over the
// system's librocksdb): one RocksDB instance per store, kept open between
// versions, with incremental snapshots uploaded to checkpoint storage.
//
//	p, err := rocksdb.New(rocksdb.Options{LocalDir: "/var/sluice/state", Storage: st})
//	s, err := p.Open(ctx, statestore.StoreID{Operator: "agg", Partition: 3}, 7, statestore.OpenOptions{})
//	vals, err := s.MultiGet(keys) // hot keys from the cache, the rest in one cgo crossing
//	err = s.Put(key, value)       // buffered in memory until Commit
//	snap, err := s.Commit(ctx)    // version 8: a local changelog; the updates go to the cache
//	go func() { m, err := snap.Upload(ctx, st, prev); ...; snap.Release() }()
//
// # Versions
//
// A store's updates wait in a Go map (reads see them there first) until
// Commit, which writes the version's changelog to a local file (fsynced;
// it is uploaded too) and puts the updates into the instance's write-back
// cache (see below), from which they reach RocksDB later, in one write
// batch, encoded in Go and handed over whole, together with the version
// number they complete. RocksDB's write-ahead log is off: a version is made
// durable by its changelog and by snapshots. Every SnapshotInterval
// versions Commit writes the cache back and creates a RocksDB checkpoint
// (a flush, then hard links to the live files); its upload sends only the
// SSTs the previous manifest lacks.
//
// Open(v) reuses the local copy when it holds v (the usual case: the
// version the last batch committed; Provider.Close writes the cache back
// and flushes, so also after a clean restart). When it holds less — after
// a crash the instance holds what RocksDB last flushed, and the cache is
// lost — the local changelogs after that catch it up: they are kept from
// one snapshot flush to the next, so they cover every version RocksDB may
// lack.
// Otherwise (nothing local, a gap, or a local copy newer than v: a batch
// re-run after a restart) the store is restored from storage: the newest
// snapshot at or below v, downloaded (or hard-linked from the local copy
// when it holds the same SST) into a fresh instance, then the changelogs
// after it.
//
// NumRowsTotal is exact: the count is kept in the instance. It needs to
// know whether each key put was present before; keys read first (the
// read-modify-write of an aggregation) are known, the others are looked up
// together at Commit (one batched MultiGet), which makes blind puts cost
// about a read more (as Spark's trackTotalNumberOfRows does). Each
// changelog ends with the count after its version, so a replay reads
// nothing; only format-1 changelogs, which lack it, make a replay look
// every key up.
//
// # The write-back cache
//
// Crossing cgo costs microseconds a key, and a streaming aggregation
// touches much the same keys every micro-batch, so each store keeps its
// hot keys' committed entries in Go (Options.CacheSize bytes per store,
// least recently used entries evicted; Kafka Streams' record cache is the
// model). Get and MultiGet look in the pending updates, then the cache,
// and send only the other keys to RocksDB (one MultiGet), caching the
// answers, absent keys included. Commit puts its updates into the cache as
// dirty entries; they are written to RocksDB, all together with the
// committed version number, when the cache is over its budget and its
// least recently used entry is dirty, before a snapshot version's
// checkpoint, before an iterator is made (iterators read RocksDB and the
// pending updates only), before a catch-up from changelogs, and on
// Provider.Close. So RocksDB always holds a whole committed version, which
// its metadata keys name, and the dirty entries are the keys whose newest
// committed state differs from it. A store opened with a TTL writes
// through: its commit first writes the cache back, since finding the
// expired entries reads RocksDB's index, and then writes its batch as
// without the cache (its reads are still cached).
//
// # Local layout, under LocalDir/<operator>/<partition>/
//
//	db/                 the RocksDB instance
//	changelogs/<v>.changelog   changelogs of the versions since the last snapshot flush
//	snapshots/<v>-<token>/     a committed version's files until Snapshot.Release:
//	    changelogs/<u>.changelog   hard links to the local changelogs up to v (so
//	                               an Upload after failed ones can send them too)
//	    checkpoint/            at snapshot versions, the RocksDB checkpoint
//	restore/            a restore in progress
//
// What a process left in snapshots/ and restore/ is removed when a provider
// first opens the store.
//
// # RocksDB keys and values
//
// A RocksDB key is a space byte and the rest:
//
//	0x00 'v'                      the committed version (int64 big-endian)
//	0x00 'r'                      the number of data keys (int64 big-endian)
//	0x00 't'                      1 if the TTL index is complete, else 0
//	0x01 <user key>               data: <put time, Unix ns, int64 big-endian> <user value>
//	0x02 <put time> <user key>    TTL index entry, empty value
//
// The metadata keys are written in the same batch as the data they
// describe, so whatever RocksDB last flushed, it knows its version. Changelog
// records (statestore.ReadChangelog) hold user keys and stored values (put
// time included), so a replay gives entries the same expiry.
//
// # Checkpoint storage, under state/<operator>/<partition>/
//
//	<v>.changelog, <v>.manifest                     as statestore describes
//	SSTs/<number>-<xxhash64 of content>.sst         SSTs, shared by manifests
//	SSTs/<v>-<random>-{CURRENT,MANIFEST-n,OPTIONS-n}  RocksDB's metadata files of snapshot v
//
// # Memory
//
// All stores of a provider share one LRU block cache (Options.BlockCacheSize,
// index and filter blocks included), which bounds RocksDB's cached blocks
// however many stores are open. Each store's memtable is bounded by
// Options.WriteBufferSize; RocksDB 7.8's C API has no write buffer manager
// to charge memtables to the cache. Each store's write-back cache is
// bounded by Options.CacheSize (its entries' bytes plus an estimated
// overhead of 128 bytes each); a single commit larger than that overshoots
// it until the commit has put its updates in and written them back.
// Metrics.MemoryUsedBytes counts the write-back cache.
//
// # Concurrency
//
// A Store and its iterators are used by one goroutine; stores of different
// IDs may be used concurrently. Snapshot.Upload and Release may run in any
// goroutine, also after Commit of later versions and after Provider.Close.
// Provider.Close may be called while stores are in use: their calls then
// fail with ErrClosed.
package rocksdb
