package statestore

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/sluicestream/sluice/checkpoint"
)

// SSTDir is the directory, relative to a store's directory, of its
// immutable data files. Their names must never be reused for other content
// (include a content hash or a random part), since manifests share them and
// Purge deletes them by name.
const SSTDir = "SSTs"

// ErrNotRestorable: checkpoint storage lacks a file that restoring the
// wanted version needs. Errors wrapping it name the store, the version and
// the missing file.
var ErrNotRestorable = errors.New("state version not restorable")

// Path is the checkpoint path of name, a path relative to the store's
// directory (a FileInfo.Name, ChangelogName(v), ManifestName(v)).
func (id StoreID) Path(name string) string { return id.Dir() + "/" + name }

// Listing is what a store's directory holds in checkpoint storage: the
// versions that have a changelog and those that have a snapshot manifest,
// each ascending.
type Listing struct {
	Changelogs []int64
	Manifests  []int64
}

// ParseListing sorts the names of a store's directory (as Storage.List
// returns them) into a Listing, ignoring every other name.
func ParseListing(names []string) Listing {
	var l Listing
	for _, name := range names {
		if v, ok := parseVersionName(name, ".changelog"); ok {
			l.Changelogs = append(l.Changelogs, v)
		} else if v, ok := parseVersionName(name, ".manifest"); ok {
			l.Manifests = append(l.Manifests, v)
		}
	}
	slices.Sort(l.Changelogs)
	slices.Sort(l.Manifests)
	return l
}

// parseVersionName parses "<v><suffix>" with v a positive canonical decimal.
func parseVersionName(name, suffix string) (int64, bool) {
	digits, ok := strings.CutSuffix(name, suffix)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || v < 1 || strconv.FormatInt(v, 10) != digits {
		return 0, false
	}
	return v, true
}

// ListStore lists a store's directory in st.
func ListStore(ctx context.Context, st checkpoint.Storage, id StoreID) (Listing, error) {
	names, err := st.List(ctx, id.Dir())
	if err != nil {
		return Listing{}, fmt.Errorf("list state store %s: %w", id, err)
	}
	return ParseListing(names), nil
}

// Latest is the newest version with a changelog or a manifest, 0 if none.
func (l Listing) Latest() int64 {
	var v int64
	if n := len(l.Changelogs); n > 0 {
		v = l.Changelogs[n-1]
	}
	if n := len(l.Manifests); n > 0 {
		v = max(v, l.Manifests[n-1])
	}
	return v
}

// newestManifest is the newest manifest version ≤ v, 0 if none.
func (l Listing) newestManifest(v int64) int64 {
	i, found := slices.BinarySearch(l.Manifests, v)
	if found {
		return v
	}
	if i == 0 {
		return 0
	}
	return l.Manifests[i-1]
}

// RestorePlan says how to rebuild a version of a store.
type RestorePlan struct {
	// Snapshot is the snapshot to start from; nil: start empty.
	Snapshot *Manifest
	// Changelogs are the versions whose changelogs to replay, in order, on
	// top of Snapshot.
	Changelogs []int64
}

// PlanRestore decides how to restore version of store id from st: the
// newest snapshot manifest at or below version, then every changelog after
// it up to version. Version 0 is the empty plan. A needed changelog or data
// file that st lacks is an error wrapping ErrNotRestorable and naming it; a
// garbled manifest a *checkpoint.CorruptionError.
//
// Manifests are never encrypted (they hold names, sizes and checksums, no
// state), so restore planning, Purge and checkpoint inspection need no key.
func PlanRestore(ctx context.Context, st checkpoint.Storage, id StoreID, version int64) (RestorePlan, error) {
	if version < 0 {
		return RestorePlan{}, fmt.Errorf("restore state store %s: negative version %d", id, version)
	}
	if version == 0 {
		return RestorePlan{}, nil
	}
	l, err := ListStore(ctx, st, id)
	if err != nil {
		return RestorePlan{}, err
	}
	snap, logs, err := planRestore(id, l, version)
	if err != nil {
		return RestorePlan{}, err
	}
	plan := RestorePlan{Changelogs: logs}
	if snap == 0 {
		return plan, nil
	}
	if plan.Snapshot, err = ReadManifest(ctx, st, id, snap); err != nil {
		return RestorePlan{}, err
	}
	if err := checkFilesExist(ctx, st, id, version, plan.Snapshot); err != nil {
		return RestorePlan{}, err
	}
	return plan, nil
}

// planRestore is PlanRestore's decision: the snapshot version (0: none) and
// the changelogs to replay.
func planRestore(id StoreID, l Listing, version int64) (int64, []int64, error) {
	snap := l.newestManifest(version)
	logs := make([]int64, 0, version-snap)
	i, _ := slices.BinarySearch(l.Changelogs, snap+1)
	for v := snap + 1; v <= version; v++ {
		if i >= len(l.Changelogs) || l.Changelogs[i] != v {
			return 0, nil, fmt.Errorf("%w: state store %s version %d: %s is missing (newest snapshot at or below it: %d)",
				ErrNotRestorable, id, version, id.Path(ChangelogName(v)), snap)
		}
		logs = append(logs, v)
		i++
	}
	return snap, logs, nil
}

// ReadManifest reads and decodes store id's manifest of version v, checking
// that it is the snapshot of v.
func ReadManifest(ctx context.Context, st checkpoint.Storage, id StoreID, v int64) (*Manifest, error) {
	p := id.Path(ManifestName(v))
	data, err := st.Read(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", p, err)
	}
	m, err := DecodeManifest(p, data)
	if err != nil {
		return nil, err
	}
	if m.Version != v || m.SnapshotVersion != v {
		return nil, &checkpoint.CorruptionError{Path: p, Offset: -1,
			Reason: fmt.Sprintf("manifest of version %d (snapshot %d) stored as version %d", m.Version, m.SnapshotVersion, v)}
	}
	return m, nil
}

// checkFilesExist lists the directories of m's files and fails with
// ErrNotRestorable naming the first file missing.
func checkFilesExist(ctx context.Context, st checkpoint.Storage, id StoreID, version int64, m *Manifest) error {
	present := make(map[string]map[string]bool) // dir -> names
	for _, f := range m.Files {
		dir, base := path.Split(f.Name)
		dir = strings.TrimSuffix(dir, "/")
		names, ok := present[dir]
		if !ok {
			listed, err := st.List(ctx, strings.TrimSuffix(id.Path(dir), "/"))
			if err != nil {
				return fmt.Errorf("list state store %s: %w", id, err)
			}
			names = make(map[string]bool, len(listed))
			for _, n := range listed {
				names[n] = true
			}
			present[dir] = names
		}
		if !names[base] {
			return fmt.Errorf("%w: state store %s version %d: %s, listed in %s, is missing",
				ErrNotRestorable, id, version, id.Path(f.Name), id.Path(ManifestName(m.Version)))
		}
	}
	return nil
}
