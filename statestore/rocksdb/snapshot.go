package rocksdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// A snapshot's local directory, LocalDir/<operator>/<partition>/snapshots/<v>/:
const (
	snapshotChangelogs = "changelogs" // hard links to the local changelogs since the last flush, up to the version
	snapshotCheckpoint = "checkpoint" // at snapshot versions: the RocksDB checkpoint
)

// snapshot is a committed version's files, hard links that nothing else
// changes, so Upload may run in any goroutine, even after the provider
// closed.
type snapshot struct {
	in         *instance
	version    int64
	dir        string
	checkpoint bool                 // dir holds a RocksDB checkpoint to upload
	gen        int64                // of in.names when the checkpoint was made
	token      string               // random part of the metadata files' upload names
	base       *statestore.Manifest // what the instance was restored from, for a nil prev

	mu       sync.Mutex
	released bool
}

var _ statestore.Snapshot = (*snapshot)(nil)

var errReleased = errors.New("rocksdb: snapshot released")

func (s *snapshot) Version() int64 { return s.version }

// Release implements statestore.Snapshot: it removes the snapshot's
// directory.
func (s *snapshot) Release() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.released {
		return nil
	}
	s.released = true
	if err := os.RemoveAll(s.dir); err != nil {
		return fmt.Errorf("release snapshot %s version %d: %w", s.in.id, s.version, err)
	}
	return nil
}

// Upload implements statestore.Snapshot. At a snapshot version it uploads
// the SSTs that prev does not list, the RocksDB metadata files, the
// changelog and then the manifest, so a manifest never names a file not yet
// stored; at other versions the changelog, and if prev is older than the
// version before (uploads failed) the changelogs since prev too, which the
// snapshot keeps back to the last snapshot version.
func (s *snapshot) Upload(ctx context.Context, dst checkpoint.Storage, prev *statestore.Manifest) (*statestore.Manifest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.released {
		return nil, fmt.Errorf("upload store %s version %d: %w", s.in.id, s.version, errReleased)
	}
	start := time.Now()
	m, n, err := s.upload(ctx, dst, prev)
	if err != nil {
		return nil, fmt.Errorf("upload store %s version %d: %w", s.in.id, s.version, err)
	}
	s.in.setFigures(uploadFigures{duration: time.Since(start), bytes: n, snapshot: s.checkpoint})
	return m, nil
}

// upload does Upload's work, returning the manifest and the bytes written.
func (s *snapshot) upload(ctx context.Context, dst checkpoint.Storage, prev *statestore.Manifest) (*statestore.Manifest, int64, error) {
	// What storage holds: prev, or without it the snapshot the store was
	// restored from.
	known := prev
	if known == nil {
		known = s.base
	}
	var files []statestore.FileInfo
	var n int64
	if s.checkpoint {
		var err error
		if files, n, err = s.uploadFiles(ctx, dst, known); err != nil {
			return nil, 0, err
		}
	}
	written, err := s.uploadChangelogs(ctx, dst, prev)
	if err != nil {
		return nil, 0, err
	}
	n += written
	if !s.checkpoint {
		m := &statestore.Manifest{Version: s.version}
		if known != nil {
			m.SnapshotVersion, m.Files = known.SnapshotVersion, known.Files
		}
		return m, n, nil
	}
	m := &statestore.Manifest{Version: s.version, SnapshotVersion: s.version, Files: files}
	// Manifests are never encrypted (see statestore.PlanRestore).
	fi, err := statestore.PutFile(ctx, dst, s.in.id.Path(statestore.ManifestName(s.version)), statestore.EncodeManifest(m), nil)
	if err != nil {
		return nil, 0, err
	}
	return m, n + fi.Size, nil
}

// uploadChangelogs uploads the version's changelog and, if prev is older
// than the version before and this is no snapshot version (earlier uploads
// failed), the changelogs since prev too: without them the version is not
// restorable. It returns the bytes written.
func (s *snapshot) uploadChangelogs(ctx context.Context, dst checkpoint.Storage, prev *statestore.Manifest) (int64, error) {
	first := s.version
	if !s.checkpoint && prev != nil && prev.Version < s.version-1 {
		first = prev.Version + 1
	}
	var n int64
	for v := first; v <= s.version; v++ {
		name := statestore.ChangelogName(v)
		local := filepath.Join(s.dir, snapshotChangelogs, name)
		if _, err := os.Stat(local); err != nil {
			return 0, fmt.Errorf("changelogs from version %d on were not uploaded, and the one of version %d is no longer kept locally (the next snapshot version will be restorable): %w",
				first, v, err)
		}
		fi, err := statestore.PutFileFrom(ctx, dst, s.in.id.Path(name), local, s.in.p.opts.Cipher)
		if err != nil {
			return 0, err
		}
		n += fi.Size
	}
	return n, nil
}

// uploadFiles uploads the checkpoint's files that prev lacks and returns
// the FileInfo of every file a restore needs.
func (s *snapshot) uploadFiles(ctx context.Context, dst checkpoint.Storage, prev *statestore.Manifest) ([]statestore.FileInfo, int64, error) {
	dir := filepath.Join(s.dir, snapshotCheckpoint)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0, err
	}
	have := make(map[string]statestore.FileInfo)
	if prev != nil {
		for _, fi := range prev.Files {
			have[fi.Name] = fi
		}
	}
	var files []statestore.FileInfo
	var n int64
	live := make(map[string]bool)
	for _, e := range entries {
		local := e.Name()
		var name string
		switch {
		case strings.HasSuffix(local, ".sst"):
			live[local] = true
			if name, err = s.in.names.name(s.gen, dir, local); err != nil {
				return nil, 0, err
			}
			if fi, ok := have[name]; ok {
				files = append(files, fi)
				continue
			}
		case isMetaFile(local):
			name = metaUploadName(s.version, s.token, local)
		default:
			continue // not needed to open the checkpoint (an empty WAL, say)
		}
		fi, err := statestore.PutFileFrom(ctx, dst, s.in.id.Path(name), filepath.Join(dir, local), s.in.p.opts.Cipher)
		if err != nil {
			return nil, 0, err
		}
		fi.Name = name
		files = append(files, fi)
		n += fi.Size
	}
	s.in.names.retain(s.gen, live)
	return files, n, nil
}
