package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/internal/fileformat"
	"github.com/sluicestream/sluice/internal/metalog"
)

// take lists the input for files not in the sequence, takes at most max of
// them (all if max is 0) in name order (reversed with LatestFirst), logs
// them as one entry and appends them to the sequence. It returns how many
// it took. If the entry exists already (an earlier attempt whose Create
// failed after all, or another run of the query), the logged files are
// taken instead: the log is the truth.
func (s *Source) take(ctx context.Context, max int) (int, error) {
	found, err := s.listNew()
	if err != nil {
		return 0, err
	}
	if len(found) == 0 {
		return 0, nil
	}
	picked := pick(found, max, s.opts.LatestFirst)
	id := batch.ID(len(s.files) + len(picked))
	for i := range picked {
		picked[i].BatchID = int64(id)
	}
	err = s.log.Add(ctx, id, picked)
	var dup *metalog.AlreadyLoggedError
	if errors.As(err, &dup) {
		if picked, err = s.log.Get(ctx, id); err == nil {
			err = checkEntry(s.log.Path(id), id, int64(len(s.files)), picked, s.seenIDs())
		}
	}
	if err != nil {
		return 0, fmt.Errorf("file source: log new files: %w", err)
	}
	for _, f := range picked {
		s.files = append(s.files, f)
		s.seen[f.Path] = struct{}{}
	}
	return len(picked), nil
}

// pick returns the files to take from found, sorted by path: the first max
// (all if max is 0), or with latestFirst the last max in reverse order.
func pick(found []FileEntry, max int, latestFirst bool) []FileEntry {
	if latestFirst {
		slices.Reverse(found)
	}
	if max > 0 && len(found) > max {
		found = found[:max]
	}
	return found
}

// seenIDs maps every path of the sequence to its entry, for checkEntry.
func (s *Source) seenIDs() map[string]batch.ID {
	m := make(map[string]batch.ID, len(s.files))
	for _, f := range s.files {
		m[f.Path] = batch.ID(f.BatchID)
	}
	return m
}

// listNew returns the files under the input path that are not in the
// sequence, sorted by absolute path, with their modification times. A path
// naming no file (an empty directory, a glob matching nothing yet) lists as
// empty; a file that vanishes while being listed is skipped.
func (s *Source) listNew() ([]FileEntry, error) {
	paths, err := fileformat.Expand(s.opts.Path)
	if errors.Is(err, fileformat.ErrNoFiles) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("file source: list: %w", err)
	}
	var found []FileEntry
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("file source: list: %w", err)
		}
		if _, ok := s.seen[abs]; ok {
			continue
		}
		fi, err := os.Stat(abs)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("file source: list: %w", err)
		}
		found = append(found, FileEntry{Path: abs, Timestamp: fi.ModTime().UnixMilli()})
	}
	slices.SortFunc(found, func(a, b FileEntry) int { return strings.Compare(a.Path, b.Path) })
	return found, nil
}
