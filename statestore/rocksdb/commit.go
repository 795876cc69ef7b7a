package rocksdb

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/linxGnu/grocksdb"

	"github.com/sluicestream/sluice/internal/fsutil"
	"github.com/sluicestream/sluice/statestore"
)

// Commit implements statestore.Store. It writes the version's changelog to
// a local file (durably: with the RocksDB instance as last written, it is
// what rebuilds the version after a crash), then puts the pending updates
// into the write-back cache as dirty entries — or, with a TTL or without a
// cache, applies them and the TTL evictions to RocksDB in one write batch
// together with the new version number — and at snapshot versions writes
// the dirty entries and creates a RocksDB checkpoint (flush + hard links)
// for the snapshot to upload.
func (s *store) Commit(ctx context.Context) (statestore.Snapshot, error) {
	start := time.Now()
	if err := s.lock(); err != nil {
		return nil, err
	}
	defer s.unlock()
	next := s.version + 1
	if len(s.iters) > 0 {
		return nil, fmt.Errorf("commit store %s version %d: %d iterators still open", s.in.id, next, len(s.iters))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("commit store %s version %d: %w", s.in.id, next, err)
	}
	snap, err := s.commit(next)
	s.finish()
	if err != nil {
		return nil, fmt.Errorf("commit store %s version %d: %w", s.in.id, next, err)
	}
	s.metrics.CommitDuration = time.Since(start)
	return snap, nil
}

// commit does Commit's work.
//
// REQUIRES: in.mu held, the store usable.
func (s *store) commit(next int64) (*snapshot, error) {
	in := s.in
	// Without a TTL the updates go to the cache. With one, the eviction
	// reads RocksDB's TTL index and data, so RocksDB must hold the
	// committed version, and the updates (with their index entries) are
	// written through.
	direct := in.cache == nil || s.ttl > 0
	if direct {
		if err := in.flush(); err != nil {
			return nil, err
		}
	}
	if err := s.resolvePresence(); err != nil {
		return nil, err
	}
	c := &committer{s: s, now: s.nowNanos(), meta: in.meta, direct: direct}
	c.meta.version = next
	c.meta.rows = s.rows
	err := fsutil.WriteAtomic(fsutil.OS, in.localChangelog(next), fsutil.Replace, func(w io.Writer) error {
		cw := statestore.NewChangelogWriter(w, next)
		c.cw = cw
		if err := c.build(); err != nil {
			return err
		}
		// With the row count, a restore replaying this changelog need
		// not read every key to keep its own.
		cw.SetRows(c.meta.rows)
		return cw.Close()
	})
	if err != nil {
		return nil, err
	}
	if direct {
		putMeta(&c.b, c.meta)
		in.stats.writes.Add(1)
		if err := c.b.write(in.db, in.p.dbo.write); err != nil {
			return nil, fmt.Errorf("write batch: %w", err)
		}
		in.flushed = c.meta
	}
	if in.cache != nil {
		c.cacheUpdates(!direct)
	}
	in.meta = c.meta
	in.onStorage = false
	s.rows = c.meta.rows
	if err := in.shrink(); err != nil {
		return nil, err
	}
	return in.newSnapshot(next)
}

// committer builds one commit's write batch and changelog.
type committer struct {
	s       *store
	now     int64
	meta    dbMeta // of the version being committed
	direct  bool   // the updates go to RocksDB (b), not to the cache
	b       batch
	cw      *statestore.ChangelogWriter
	value   []byte // scratch: a stored value
	scratch []byte // scratch: a TTL index key
}

// build adds the evictions and then the pending updates, in key order.
func (c *committer) build() error {
	s := c.s
	if s.ttl > 0 {
		if err := c.evict(); err != nil {
			return err
		}
	}
	puts := false
	for _, k := range s.pend.keys() {
		u := s.pend.m[k]
		key := bytesOf(k)
		switch {
		case u.del:
			if err := c.remove(key, u.prior); err != nil {
				return err
			}
		case s.expired(u.putNanos, c.now):
			s.metrics.NumRowsEvicted++
			s.metrics.NumRowsRemoved++
			if err := c.remove(key, u.prior); err != nil {
				return err
			}
		default:
			puts = true
			c.value = storedValue(c.value[:0], u.putNanos, u.value)
			if c.direct {
				c.b.put(spaceData, key, nil, c.value)
			}
			if c.direct && s.ttl > 0 {
				c.scratch = ttlKey(c.scratch[:0], u.putNanos, key)
				c.b.putRaw(c.scratch, nil)
			}
			if u.prior != presencePresent {
				c.meta.rows++
			}
			if err := c.cw.Put(key, c.value); err != nil {
				return err
			}
		}
	}
	if s.ttl == 0 && puts {
		c.meta.ttlIndexed = false // these puts have no index entries
	}
	return nil
}

// remove deletes key if it is present.
func (c *committer) remove(key []byte, prior presence) error {
	if prior != presencePresent {
		return nil
	}
	if c.direct {
		c.b.del(spaceData, key)
	}
	c.meta.rows--
	return c.cw.Delete(key)
}

// cacheUpdates puts the version's updates into the instance's cache: as
// dirty entries when they were not written to RocksDB, else as clean ones.
// (The TTL evictions of a direct commit left the cache in evictKey.)
func (c *committer) cacheUpdates(dirty bool) {
	s := c.s
	ca := s.in.cache
	for _, k := range s.pend.keys() {
		u := s.pend.m[k]
		key := bytesOf(k)
		switch {
		case u.del || s.expired(u.putNanos, c.now):
			if u.prior == presencePresent {
				ca.set(key, false, 0, nil, dirty)
			}
		default:
			ca.set(key, true, u.putNanos, u.value, dirty)
		}
	}
}

// newSnapshot hard-links the local changelogs up to version (those since
// the last snapshot flush) into the snapshot's directory and, at a snapshot
// version, creates a RocksDB checkpoint there; the changelogs the flush made
// unnecessary for a local catch-up go.
//
// REQUIRES: in.mu held.
func (in *instance) newSnapshot(version int64) (*snapshot, error) {
	token := newToken()
	dir := in.snapshotDir(version, token)
	if err := os.MkdirAll(filepath.Join(dir, snapshotChangelogs), 0o755); err != nil {
		return nil, err
	}
	if err := linkChangelogs(in.changelogDir(), filepath.Join(dir, snapshotChangelogs), version); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	snap := &snapshot{
		in:      in,
		version: version,
		dir:     dir,
		gen:     in.names.generation(),
		token:   token,
		base:    in.base,
	}
	if version%int64(in.p.opts.SnapshotInterval) != 0 {
		return snap, nil
	}
	// The checkpoint holds the whole version.
	if err := in.flush(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := createCheckpoint(in.db, filepath.Join(dir, snapshotCheckpoint)); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	snap.checkpoint = true
	// Later snapshots dedupe against this one (their prev), not against
	// what the instance was restored from, which Purge may delete.
	in.base = nil
	err := removeChangelogs(in.changelogDir(), func(v int64) bool { return v <= version })
	return snap, err
}

// createCheckpoint flushes db and hard-links its live files into dir.
func createCheckpoint(db *grocksdb.DB, dir string) error {
	cp, err := db.NewCheckpoint()
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer cp.Destroy()
	// A log size threshold of 0 always flushes the memtable first.
	if err := cp.CreateCheckpoint(dir, 0); err != nil {
		return fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	return nil
}

// linkChangelogs hard-links the changelogs of versions up to version from
// dir into dst; version's must be there.
func linkChangelogs(dir, dst string, version int64) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	for _, v := range statestore.ParseListing(names).Changelogs {
		if v <= version {
			name := statestore.ChangelogName(v)
			if err := os.Link(filepath.Join(dir, name), filepath.Join(dst, name)); err != nil {
				return err
			}
		}
	}
	_, err = os.Stat(filepath.Join(dst, statestore.ChangelogName(version)))
	return err
}

// removeChangelogs removes the local changelogs of the versions drop
// selects.
func removeChangelogs(dir string, drop func(v int64) bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	for _, v := range statestore.ParseListing(names).Changelogs {
		if drop(v) {
			if err := os.Remove(filepath.Join(dir, statestore.ChangelogName(v))); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	return nil
}
