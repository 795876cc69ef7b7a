package statestore

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/sluicestream/sluice/checkpoint"
)

// PurgeStats says what a Purge deleted.
type PurgeStats struct {
	Changelogs int // changelog files deleted
	Manifests  int // manifest files deleted
	Files      int // data files deleted
	// Base is the oldest snapshot kept (0: nothing purged); every version
	// from it to the newest stays restorable.
	Base int64
	// Unreadable counts deleted manifests that could not be decoded; the
	// data files only they referenced are left behind.
	Unreadable int
}

// Purge deletes from st what restoring the newest minVersionsToRetain
// versions of store id does not need. With latest the newest version in
// st, it keeps the newest manifest at or below latest-minVersionsToRetain+1
// (the base) and everything after it, and deletes the changelogs up to the
// base, the manifests before it, and the data files that those manifests
// reference and no kept manifest does.
//
// The order of deletion keeps every retained version restorable even if
// Purge is interrupted: changelogs oldest first, then data files (only ones
// no kept manifest lists), then manifests oldest first, so an interrupted
// Purge leaves nothing that a later one would not find again.
//
// latest counts versions uploaded but not yet committed, so the engine calls
// Purge with minVersionsToRetain well above the two versions that can be in
// flight. Data files that no manifest lists (from a failed upload, or one
// still running) are never deleted. A kept manifest that cannot be read
// stops Purge before it deletes anything.
//
// REQUIRES: minVersionsToRetain ≥ 1.
func Purge(ctx context.Context, st checkpoint.Storage, id StoreID, minVersionsToRetain int) (PurgeStats, error) {
	if minVersionsToRetain < 1 {
		return PurgeStats{}, fmt.Errorf("purge state store %s: minVersionsToRetain %d is not positive", id, minVersionsToRetain)
	}
	l, err := ListStore(ctx, st, id)
	if err != nil {
		return PurgeStats{}, err
	}
	p := planPurge(l, minVersionsToRetain)
	if p.base == 0 {
		return PurgeStats{}, nil
	}
	stats := PurgeStats{Base: p.base}
	var kept, dropped []*Manifest
	for _, v := range p.keepManifests {
		m, err := ReadManifest(ctx, st, id, v)
		if err != nil {
			return PurgeStats{}, fmt.Errorf("purge state store %s: %w", id, err)
		}
		kept = append(kept, m)
	}
	for _, v := range p.manifests {
		m, err := ReadManifest(ctx, st, id, v)
		var ce *checkpoint.CorruptionError
		switch {
		case errors.As(err, &ce):
			stats.Unreadable++
			continue
		case err != nil:
			return PurgeStats{}, fmt.Errorf("purge state store %s: %w", id, err)
		}
		dropped = append(dropped, m)
	}
	del := func(name string, n *int) error {
		if err := st.Delete(ctx, id.Path(name)); err != nil {
			return fmt.Errorf("purge state store %s: %w", id, err)
		}
		*n++
		return nil
	}
	for _, v := range p.changelogs {
		if err := del(ChangelogName(v), &stats.Changelogs); err != nil {
			return stats, err
		}
	}
	for _, name := range unreferencedFiles(dropped, kept) {
		if err := del(name, &stats.Files); err != nil {
			return stats, err
		}
	}
	for _, v := range p.manifests {
		if err := del(ManifestName(v), &stats.Manifests); err != nil {
			return stats, err
		}
	}
	return stats, nil
}

// purgePlan is Purge's decision over a listing.
type purgePlan struct {
	base          int64   // kept manifest everything retained builds on; 0: purge nothing
	changelogs    []int64 // to delete, ascending
	manifests     []int64 // to delete, ascending
	keepManifests []int64 // kept, ascending
}

func planPurge(l Listing, minVersionsToRetain int) purgePlan {
	oldest := l.Latest() - int64(minVersionsToRetain) + 1
	if oldest <= 1 {
		return purgePlan{}
	}
	base := l.newestManifest(oldest)
	if base == 0 {
		return purgePlan{}
	}
	i, _ := slices.BinarySearch(l.Changelogs, base+1)
	j, _ := slices.BinarySearch(l.Manifests, base)
	return purgePlan{
		base:          base,
		changelogs:    l.Changelogs[:i:i],
		manifests:     l.Manifests[:j:j],
		keepManifests: l.Manifests[j:],
	}
}

// unreferencedFiles lists, sorted, the files dropped manifests reference and
// kept ones do not.
func unreferencedFiles(dropped, kept []*Manifest) []string {
	keep := make(map[string]bool)
	for _, m := range kept {
		for _, f := range m.Files {
			keep[f.Name] = true
		}
	}
	seen := make(map[string]bool)
	var out []string
	for _, m := range dropped {
		for _, f := range m.Files {
			if !keep[f.Name] && !seen[f.Name] {
				seen[f.Name] = true
				out = append(out, f.Name)
			}
		}
	}
	slices.Sort(out)
	return out
}
