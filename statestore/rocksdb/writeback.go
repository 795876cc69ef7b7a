package rocksdb

import (
	"fmt"
	"sync/atomic"
)

// What the instance does with its cache (see cache.go). Every method here
// REQUIRES in.mu held.

// flush writes the cache's dirty entries to RocksDB in one write batch
// with the committed version's metadata, so that RocksDB holds that
// version. It writes nothing when RocksDB holds it already.
func (in *instance) flush() error {
	if in.flushed == in.meta {
		return nil
	}
	b := &batch{}
	if in.cache != nil {
		in.cache.writeDirty(b)
	}
	putMeta(b, in.meta)
	in.stats.writes.Add(1)
	if err := b.write(in.db, in.p.dbo.write); err != nil {
		return fmt.Errorf("store %s: write cached version %d: %w", in.id, in.meta.version, err)
	}
	if in.cache != nil {
		in.cache.markClean()
	}
	in.flushed = in.meta
	return nil
}

// shrink brings the cache within its budget: least recently used entries
// go, and if one of them is dirty every dirty entry is written first.
func (in *instance) shrink() error {
	c := in.cache
	if c == nil || !c.over() {
		return nil
	}
	c.evict()
	if c.over() && c.lruDirty() {
		if err := in.flush(); err != nil {
			return err
		}
		c.evict()
	}
	return nil
}

// settle makes RocksDB hold the committed version and empties the cache,
// before the local copy is changed other than through the cache (a
// catch-up from changelogs).
func (in *instance) settle() error {
	if err := in.flush(); err != nil {
		return err
	}
	if in.cache != nil {
		in.cache.clear()
	}
	return nil
}

// dropCache empties the cache without writing it, before the local copy is
// replaced (reset, restore): what the instance holds is then what RocksDB
// holds, a version the local changelogs after it still catch up.
func (in *instance) dropCache() {
	if in.cache != nil {
		in.cache.clear()
	}
	in.meta = in.flushed
}

// instanceStats count an instance's crossings into RocksDB, for tests and
// benchmarks.
type instanceStats struct {
	multiGets   atomic.Int64 // batched MultiGet calls
	keysFetched atomic.Int64 // keys those calls looked up
	writes      atomic.Int64 // write batches of commits and flushes
}
