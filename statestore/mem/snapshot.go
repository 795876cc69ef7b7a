package mem

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// snapshot is a committed version: its changelog, and the version's whole
// table when the version is due a snapshot. Both are immutable, so Upload
// may run in any goroutine.
type snapshot struct {
	p         *Provider
	id        statestore.StoreID
	version   int64
	changelog []byte
	data      *table // nil: no snapshot at this version
	cipher    *statestore.Cipher
	released  bool

	// dataName is the data file's name, chosen at commit so that a retried
	// Upload replaces the file an attempt wrote instead of leaving it
	// behind; stored is its FileInfo once an attempt stored it.
	dataName string
	stored   *statestore.FileInfo
}

var _ statestore.Snapshot = (*snapshot)(nil)

func (s *snapshot) Version() int64 { return s.version }

// Release implements statestore.Snapshot; the snapshot holds only memory.
func (s *snapshot) Release() error {
	s.released = true
	return nil
}

var errReleased = errors.New("mem: snapshot released")

// Upload implements statestore.Snapshot: it writes the changelog and, at a
// snapshot version, the data file and then the manifest that lists it (so
// a manifest never names a file not yet stored).
func (s *snapshot) Upload(ctx context.Context, dst checkpoint.Storage, prev *statestore.Manifest) (*statestore.Manifest, error) {
	if s.released {
		return nil, fmt.Errorf("upload store %s version %d: %w", s.id, s.version, errReleased)
	}
	start := time.Now()
	m, f, err := s.upload(ctx, dst, prev)
	if err != nil {
		return nil, fmt.Errorf("upload store %s version %d: %w", s.id, s.version, err)
	}
	f.duration = time.Since(start)
	s.p.uploaded(s.id, f)
	return m, nil
}

// upload does Upload's work. A retry after a failed attempt writes again
// only what the attempt did not store; an upload whose prev already holds
// this very snapshot writes only the changelog.
func (s *snapshot) upload(ctx context.Context, dst checkpoint.Storage, prev *statestore.Manifest) (*statestore.Manifest, uploadFigures, error) {
	var f uploadFigures
	fi, err := statestore.PutFile(ctx, dst, s.id.Path(statestore.ChangelogName(s.version)), s.changelog, s.cipher)
	if err != nil {
		return nil, f, err
	}
	f.bytes = fi.Size
	if s.data == nil || s.uploadedIn(prev) {
		m := &statestore.Manifest{Version: s.version}
		if prev != nil {
			m.SnapshotVersion, m.Files = prev.SnapshotVersion, prev.Files
		}
		return m, f, nil
	}
	if s.stored == nil {
		data, err := encodeData(s.version, s.data)
		if err != nil {
			return nil, f, err
		}
		fi, err := statestore.PutFile(ctx, dst, s.id.Path(s.dataName), data, s.cipher)
		if err != nil {
			return nil, f, err
		}
		fi.Name = s.dataName
		f.bytes += fi.Size
		s.stored = &fi
	}
	m := &statestore.Manifest{Version: s.version, SnapshotVersion: s.version, Files: []statestore.FileInfo{*s.stored}}
	// Manifests are never encrypted (see statestore.PlanRestore).
	fi, err = statestore.PutFile(ctx, dst, s.id.Path(statestore.ManifestName(s.version)), statestore.EncodeManifest(m), nil)
	if err != nil {
		return nil, f, err
	}
	f.bytes += fi.Size
	f.snapshot = true
	return m, f, nil
}

// uploadedIn reports whether prev is the manifest of an earlier Upload of
// this very snapshot.
func (s *snapshot) uploadedIn(prev *statestore.Manifest) bool {
	return prev != nil && s.stored != nil && prev.SnapshotVersion == s.version && slices.Contains(prev.Files, *s.stored)
}

// dataFileName is a new, unique name for a data file of version:
// "SSTs/<version>-<16 random hex digits>.kv" (statestore.SSTDir). A version
// committed again (a batch rerun after a restart) writes a file of a new
// name, so a manifest already stored never sees its files change.
func dataFileName(version int64) string {
	var b [8]byte
	rand.Read(b[:]) // never fails (Go ≥ 1.24)
	return fmt.Sprintf("%s/%d-%s.kv", statestore.SSTDir, version, hex.EncodeToString(b[:]))
}
