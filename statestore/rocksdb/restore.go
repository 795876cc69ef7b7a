package rocksdb

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// restore rebuilds version from checkpoint storage: the newest snapshot at
// or below it (its files downloaded into a fresh directory, or hard-linked
// from the local copy when it holds the very same SST), then the
// changelogs after it. The local changelogs, of another history, go; so
// after a crash before the next flush the local copy holds the snapshot's
// version and Open restores again.
//
// REQUIRES: in.mu held.
func (in *instance) restore(ctx context.Context, version, ttl int64) error {
	st := in.p.opts.Storage
	if st == nil {
		return fmt.Errorf("the local copy holds version %d, and there is no checkpoint storage to restore from", in.meta.version)
	}
	plan, err := statestore.PlanRestore(ctx, st, in.id, version)
	if err != nil {
		return err
	}
	if err := in.loadSnapshot(ctx, plan.Snapshot); err != nil {
		return err
	}
	in.onStorage = true
	for _, v := range plan.Changelogs {
		if err := in.replayStored(ctx, v, ttl); err != nil {
			return err
		}
	}
	return nil
}

// loadSnapshot makes the local copy hold snapshot m: empty if m is nil,
// else a new RocksDB instance of m's files.
//
// REQUIRES: in.mu held.
func (in *instance) loadSnapshot(ctx context.Context, m *statestore.Manifest) error {
	if m == nil {
		return in.reset()
	}
	tmp := filepath.Join(in.dir, restoreDirName)
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	seed, err := in.fetchSnapshot(ctx, m, tmp)
	if err != nil {
		os.RemoveAll(tmp)
		return err
	}
	// The local changelogs belong to the history being replaced, and so
	// does the cache.
	in.dropCache()
	if err := removeChangelogs(in.changelogDir(), func(int64) bool { return true }); err != nil {
		return err
	}
	if err := in.replaceDB(tmp); err != nil {
		return err
	}
	in.names.reset(seed)
	in.base = m
	if in.meta.version != m.SnapshotVersion {
		return &checkpoint.CorruptionError{Path: in.id.Path(statestore.ManifestName(m.SnapshotVersion)), Offset: -1,
			Reason: fmt.Sprintf("its files hold version %d", in.meta.version)}
	}
	return nil
}

// replayStored applies the changelog of version v from checkpoint storage.
//
// REQUIRES: in.mu held.
func (in *instance) replayStored(ctx context.Context, v, ttl int64) error {
	p := in.id.Path(statestore.ChangelogName(v))
	data, err := statestore.GetFile(ctx, in.p.opts.Storage, p, nil, in.p.opts.Cipher)
	if err != nil {
		return err
	}
	return in.applyChangelog(p, bytes.NewReader(data), v, ttl)
}

// fetchSnapshot puts the files of snapshot m into dir and returns the
// upload names of its SSTs by local name.
func (in *instance) fetchSnapshot(ctx context.Context, m *statestore.Manifest, dir string) (map[string]string, error) {
	seed := make(map[string]string)
	if m == nil {
		return seed, nil
	}
	manifestPath := in.id.Path(statestore.ManifestName(m.SnapshotVersion))
	for _, fi := range m.Files {
		local, sum, isSST, err := localName(manifestPath, fi.Name)
		if err != nil {
			return nil, err
		}
		dst := filepath.Join(dir, local)
		if isSST {
			seed[local] = fi.Name
			if in.reuseSST(local, sum, dst) {
				continue
			}
		}
		if err := statestore.GetFileTo(ctx, in.p.opts.Storage, in.id.Path(fi.Name), fi, in.p.opts.Cipher, dst); err != nil {
			return nil, err
		}
	}
	return seed, nil
}

// reuseSST hard-links the local copy's SST local to dst if its content
// hashes to sum, and reports whether it did.
func (in *instance) reuseSST(local string, sum uint64, dst string) bool {
	src := filepath.Join(in.dbDir(), local)
	if name, ok := in.names.lookup(local); ok {
		if name != sstUploadName(local, sum) {
			return false
		}
	} else if got, err := hashFile(src); err != nil || got != sum {
		return false
	}
	return os.Link(src, dst) == nil
}

// replaceDB closes the local copy, replaces it by the directory dir and
// opens that.
//
// REQUIRES: in.mu held.
func (in *instance) replaceDB(dir string) error {
	in.closeDB()
	if err := os.RemoveAll(in.dbDir()); err != nil {
		return err
	}
	if err := os.Rename(dir, in.dbDir()); err != nil {
		return err
	}
	if err := syncDir(in.dir); err != nil {
		return err
	}
	return in.openDB()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// catchUp brings the local copy from the version it holds to version by
// replaying changelogs: local ones, which this instance committed, or when
// the local copy is on storage's history, stored ones. It fails with
// errNoLocalChangelog when it has neither.
//
// REQUIRES: in.mu held.
func (in *instance) catchUp(ctx context.Context, version, ttl int64) error {
	if err := in.settle(); err != nil {
		return err
	}
	for v := in.meta.version + 1; v <= version; v++ {
		err := in.replayLocal(v, ttl)
		if errors.Is(err, errNoLocalChangelog) && in.onStorage && in.p.opts.Storage != nil {
			err = in.replayStored(ctx, v, ttl)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (in *instance) replayLocal(v, ttl int64) error {
	p := in.localChangelog(v)
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %s", errNoLocalChangelog, p)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	return in.applyChangelog(p, bufio.NewReaderSize(f, 64<<10), v, ttl)
}
