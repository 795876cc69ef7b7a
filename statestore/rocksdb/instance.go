package rocksdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/linxGnu/grocksdb"

	"github.com/sluicestream/sluice/internal/fsutil"
	"github.com/sluicestream/sluice/statestore"
)

// Local layout of one store, under LocalDir/<operator>/<partition>/:
const (
	dbDirName        = "db"         // the RocksDB instance
	changelogDirName = "changelogs" // <v>.changelog of versions since the last snapshot flush
	snapshotDirName  = "snapshots"  // <v>-<token>/: what a Snapshot of v uploads, until released
	restoreDirName   = "restore"    // a restore in progress (removed on open)
)

// instance is the local copy of one store: its RocksDB instance, which
// stays open between versions, and what the provider knows about it.
type instance struct {
	p   *Provider
	id  statestore.StoreID
	dir string

	names sstNames // unique upload names of the instance's SSTs

	// mu guards the fields below and every use of db, so that
	// Provider.Close never frees the instance under a store's call.
	mu       sync.Mutex
	prepared bool   // the directory is ready (see prepare)
	open     bool   // a Store of the instance is open
	cur      *store // the open Store, if any
	closed   bool   // the provider closed it
	db       *grocksdb.DB
	cf       *grocksdb.ColumnFamilyHandle // db's default column family
	// meta describes the newest committed version: what db holds with the
	// cache's dirty entries applied. flushed is what db's metadata keys
	// say: the version db holds (equal to meta when nothing is dirty).
	meta    dbMeta
	flushed dbMeta
	cache   *cache               // the write-back cache; nil if disabled
	base    *statestore.Manifest // the manifest db was restored from, until the next snapshot
	// onStorage: db holds a version restored from checkpoint storage (or
	// version 0) and nothing committed since, so the changelogs in storage
	// continue its history and may catch it up.
	onStorage bool
	stats     instanceStats

	// figMu guards figures, not in.mu: an Upload runs while the next
	// version's store holds in.mu for a whole MultiGet or Commit, and
	// waiting for it just to record its figures would make the upload last
	// as long as the next batch's state work.
	figMu   sync.Mutex
	figures uploadFigures // of the last Upload
}

// dbMeta is what a RocksDB instance's metadata keys say.
type dbMeta struct {
	version int64 // the committed version it holds
	rows    int64 // data keys present
	// ttlIndexed: every data key has a TTL index entry for its put time
	// (no update was made without a TTL since the index was built).
	ttlIndexed bool
}

// uploadFigures are the Metrics fields an Upload sets.
type uploadFigures struct {
	duration time.Duration
	bytes    int64
	snapshot bool
}

func newInstance(p *Provider, id statestore.StoreID) *instance {
	in := &instance{p: p, id: id, dir: p.storeDir(id)}
	if p.opts.CacheSize > 0 {
		in.cache = newCache(p.opts.CacheSize)
	}
	return in
}

func (in *instance) dbDir() string        { return filepath.Join(in.dir, dbDirName) }
func (in *instance) changelogDir() string { return filepath.Join(in.dir, changelogDirName) }
func (in *instance) snapshotDir(v int64, token string) string {
	return filepath.Join(in.dir, snapshotDirName, fmt.Sprintf("%d-%s", v, token))
}
func (in *instance) localChangelog(v int64) string {
	return filepath.Join(in.changelogDir(), statestore.ChangelogName(v))
}

// release marks the instance no longer open.
func (in *instance) release() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.open = false
}

// openVersion makes db hold version and returns a store over it: the local
// copy as is, caught up from local changelogs, or restored.
func (in *instance) openVersion(ctx context.Context, version int64, opts statestore.OpenOptions) (*store, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.closed {
		return nil, fmt.Errorf("provider closed: %w", ErrClosed)
	}
	if in.db == nil {
		if err := in.prepare(); err != nil {
			return nil, err
		}
		if err := in.openDB(); err != nil {
			return nil, err
		}
	}
	ttl := max(int64(opts.TTL), 0)
	switch {
	case in.meta.version == version:
	case version == 0:
		if err := in.reset(); err != nil {
			return nil, err
		}
	case in.meta.version < version:
		if err := in.catchUp(ctx, version, ttl); err != nil {
			if rerr := in.restore(ctx, version, ttl); rerr != nil {
				if errors.Is(err, errNoLocalChangelog) {
					return nil, rerr
				}
				return nil, fmt.Errorf("%w (catching up the local copy: %v)", rerr, err)
			}
		}
	default:
		if err := in.restore(ctx, version, ttl); err != nil {
			return nil, err
		}
	}
	return newStore(in, version, ttl, opts.Now), nil
}

// prepare readies the store's directory when the provider first opens the
// store: what an earlier process left in flight (a restore, temp files,
// snapshots never released) goes.
//
// REQUIRES: in.mu held.
func (in *instance) prepare() error {
	if in.prepared {
		return nil
	}
	for _, d := range []string{restoreDirName, snapshotDirName} {
		if err := os.RemoveAll(filepath.Join(in.dir, d)); err != nil {
			return err
		}
	}
	for _, d := range []string{in.dir, in.changelogDir(), filepath.Join(in.dir, snapshotDirName)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if _, err := fsutil.RemoveStaleTemps(fsutil.OS, in.changelogDir()); err != nil {
		return err
	}
	// Local changelogs continue the local copy's history only: without it
	// they are of no use, and would mislead a catch-up.
	if _, err := os.Stat(in.dbDir()); errors.Is(err, os.ErrNotExist) {
		if err := removeChangelogs(in.changelogDir(), func(int64) bool { return true }); err != nil {
			return err
		}
	}
	in.prepared = true
	return nil
}

// openDB opens the RocksDB instance in the store's directory, creating an
// empty one if there is none, and reads its metadata. A local copy that
// RocksDB finds corrupt is only a cache of checkpoint storage: when there
// is storage to restore from, it is replaced by an empty one.
//
// REQUIRES: in.mu held, in.db nil.
func (in *instance) openDB() error {
	o := in.p.dbo.opts
	db, cfs, err := grocksdb.OpenDbColumnFamilies(o, in.dbDir(), []string{"default"}, []*grocksdb.Options{o})
	if err != nil && strings.HasPrefix(err.Error(), "Corruption:") && in.p.opts.Storage != nil {
		rerr := os.RemoveAll(in.dbDir())
		if rerr == nil {
			rerr = removeChangelogs(in.changelogDir(), func(int64) bool { return true })
		}
		if rerr != nil {
			return fmt.Errorf("open local copy %s: %w (and removing it: %v)", in.dbDir(), err, rerr)
		}
		db, cfs, err = grocksdb.OpenDbColumnFamilies(o, in.dbDir(), []string{"default"}, []*grocksdb.Options{o})
	}
	if err != nil {
		return fmt.Errorf("open local copy %s: %w", in.dbDir(), err)
	}
	meta, err := readMeta(db, in.p.dbo.read)
	if err != nil {
		cfs[0].Destroy()
		db.Close()
		return fmt.Errorf("open local copy %s: %w", in.dbDir(), err)
	}
	in.db, in.cf, in.meta, in.flushed = db, cfs[0], meta, meta
	return nil
}

// readMeta reads the metadata keys of db.
func readMeta(db *grocksdb.DB, ro *grocksdb.ReadOptions) (dbMeta, error) {
	var m dbMeta
	vals, err := db.MultiGet(ro, metaVersion, metaRows, metaTTLIndexed)
	if err != nil {
		return m, err
	}
	defer vals.Destroy()
	if m.version, err = parseInt64(vals[0].Data()); err != nil {
		return m, fmt.Errorf("version: %w", err)
	}
	if m.rows, err = parseInt64(vals[1].Data()); err != nil {
		return m, fmt.Errorf("row count: %w", err)
	}
	// A new database is empty, so its (empty) index is complete.
	m.ttlIndexed = !vals[2].Exists() || len(vals[2].Data()) == 1 && vals[2].Data()[0] == 1
	return m, nil
}

// putMeta adds the metadata of m to b.
func putMeta(b *batch, m dbMeta) {
	b.putRaw(metaVersion, int64Value(m.version))
	b.putRaw(metaRows, int64Value(m.rows))
	flag := []byte{0}
	if m.ttlIndexed {
		flag[0] = 1
	}
	b.putRaw(metaTTLIndexed, flag)
}

// closeDB closes db without flushing its memtable (see newDBOptions).
//
// REQUIRES: in.mu held.
func (in *instance) closeDB() {
	if in.db != nil {
		in.cf.Destroy()
		in.db.Close()
		in.db, in.cf = nil, nil
	}
}

// reset empties the local copy (version 0). One that holds data is
// replaced by a new RocksDB instance, so that its SSTs are not carried
// into snapshots; an empty one only has its metadata rewritten.
//
// REQUIRES: in.mu held.
func (in *instance) reset() error {
	in.dropCache()
	if err := removeChangelogs(in.changelogDir(), func(int64) bool { return true }); err != nil {
		return err
	}
	if in.meta.version != 0 || in.meta.rows != 0 {
		in.closeDB()
		if err := os.RemoveAll(in.dbDir()); err != nil {
			return err
		}
		in.names.reset(nil)
		if err := in.openDB(); err != nil {
			return err
		}
	}
	var b batch
	meta := dbMeta{ttlIndexed: true}
	putMeta(&b, meta)
	if err := b.write(in.db, in.p.dbo.write); err != nil {
		return fmt.Errorf("empty the local copy: %w", err)
	}
	in.meta, in.flushed, in.base, in.onStorage = meta, meta, nil, true
	return nil
}

// close closes the instance for good, for Provider.Close. An open store's
// iterators are freed first, as RocksDB requires; the memtable is flushed,
// so the next process finds the newest version on disk.
func (in *instance) close() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.cur != nil {
		for it := range in.cur.iters {
			it.release(fmt.Errorf("store %s: provider closed: %w", in.id, ErrClosed))
		}
	}
	in.closed = true
	var err error
	if in.db != nil {
		err = in.flush()
		if ferr := in.db.Flush(in.p.dbo.flush); ferr != nil && err == nil {
			err = fmt.Errorf("close store %s: flush: %w", in.id, ferr)
		}
	}
	in.closeDB()
	return err
}

// memoryBytes is the memory the instance holds: its memtables and its
// share of the provider's block cache (the cache's usage split evenly
// among the provider's stores).
//
// REQUIRES: in.mu held, in.db open.
func (in *instance) memoryBytes() int64 {
	mem, _ := strconv.ParseInt(in.db.GetProperty("rocksdb.cur-size-all-mem-tables"), 10, 64)
	if in.cache != nil {
		mem += in.cache.bytes
	}
	if n := in.p.storeCount(); n > 0 {
		mem += int64(in.p.dbo.cache.GetUsage()) / n
	}
	return mem
}

// setFigures records the figures of an upload.
func (in *instance) setFigures(f uploadFigures) {
	in.figMu.Lock()
	defer in.figMu.Unlock()
	in.figures = f
}

// lastFigures are the figures of the last upload.
func (in *instance) lastFigures() uploadFigures {
	in.figMu.Lock()
	defer in.figMu.Unlock()
	return in.figures
}

// diskBytes is the size of the local copy's files.
func (in *instance) diskBytes() int64 {
	var n int64
	entries, err := os.ReadDir(in.dbDir())
	if err != nil {
		return 0
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			n += info.Size()
		}
	}
	return n
}

// errNoLocalChangelog: catching up needs a changelog the local copy lacks.
var errNoLocalChangelog = errors.New("local changelog missing")
