package file

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
)

// readAttempts bounds how often a reader lists the log again when a file it
// listed disappears under it: a compaction deleted it meanwhile. Deletion
// keeps the previous compact file and all entries after it, so one retry
// suffices unless two compactions happen during one read.
const readAttempts = 3

// logIndex is the plan for reading a manifest log: the newest compact file
// and the plain entries after it. It is a pure function of the names in the
// metadata directory.
type logIndex struct {
	compact batch.ID   // the newest compact file's batch; -1 if none
	entries []batch.ID // plain entries after compact, ascending
	latest  batch.ID   // the newest batch logged; -1 if none
}

// indexLog decides which files of the metadata directory make up the
// manifest: the newest "<c>.compact" (which holds every file committed up
// to batch c) and the plain entries above c. Names that are not entries are
// ignored, and so are entries at or below c (left for the next compaction
// to delete). The plain entries must be dense — c+1, c+2, … when there is
// a compact file — or the log is corrupt: a missing entry would silently
// lose its files.
func indexLog(names []string) (logIndex, error) {
	ix := logIndex{compact: -1, latest: -1}
	var plain []batch.ID
	for _, name := range names {
		id, compact, ok := parseName(name)
		switch {
		case !ok:
		case compact:
			ix.compact = max(ix.compact, id)
		default:
			plain = append(plain, id)
		}
	}
	slices.Sort(plain)
	for _, id := range plain {
		if id > ix.compact {
			ix.entries = append(ix.entries, id)
		}
	}
	ix.latest = ix.compact
	if len(ix.entries) > 0 {
		ix.latest = ix.entries[len(ix.entries)-1]
	}
	prev := ix.compact
	for _, id := range ix.entries {
		if prev >= 0 && id != prev+1 {
			return ix, &checkpoint.CorruptionError{
				Path: MetadataDir + "/" + entryName(prev+1, false), Offset: -1,
				Reason: fmt.Sprintf("missing: the log holds batch %d and batch %d but not the batches between", prev, id),
			}
		}
		prev = id
	}
	return ix, nil
}

// readState reads what the manifest log in st says. A file that a
// concurrent compaction deletes between the listing and the read makes it
// list again.
func readState(ctx context.Context, st checkpoint.Storage) (state, error) {
	for attempt := 1; ; attempt++ {
		s, err := readStateOnce(ctx, st)
		if errors.Is(err, checkpoint.ErrNotExist) && attempt < readAttempts {
			continue
		}
		return s, err
	}
}

func readStateOnce(ctx context.Context, st checkpoint.Storage) (state, error) {
	s := emptyState()
	names, err := st.List(ctx, "")
	if err != nil {
		return s, err
	}
	ix, err := indexLog(names)
	if err != nil {
		return s, err
	}
	if ix.compact >= 0 {
		if err := readInto(ctx, st, &s, entryName(ix.compact, true)); err != nil {
			return s, err
		}
	}
	for _, id := range ix.entries {
		if err := readInto(ctx, st, &s, entryName(id, false)); err != nil {
			return s, err
		}
	}
	s.latest, s.compact = ix.latest, ix.compact
	return s, nil
}

// readInto reads the manifest file name and applies it to s.
func readInto(ctx context.Context, st checkpoint.Storage, s *state, name string) error {
	sts, err := readEntry(ctx, st, name)
	if err != nil {
		return err
	}
	s.apply(sts)
	return nil
}

// readEntry reads and parses the manifest file name.
func readEntry(ctx context.Context, st checkpoint.Storage, name string) ([]status, error) {
	data, err := st.Read(ctx, name)
	if err != nil {
		return nil, err
	}
	return parseEntry(MetadataDir+"/"+name, data)
}
