package sinklog

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

// Log is the manifest log of one output directory as its writer sees it:
// the storage of <dir>/_sluice_metadata and, in memory, what the log says
// as of its newest batch.
//
// A Log is used by one goroutine at a time, and one Log writes a directory
// at a time (one query per output directory, as in Spark). Readers in any
// process use Files instead.
type Log struct {
	st       checkpoint.Storage
	interval int
	s        state
}

// Open reads the manifest log in st, a Storage rooted at the metadata
// directory. Batch id writes a compact file when (id+1) % compactInterval
// == 0. A corrupt log is a *checkpoint.CorruptionError naming the file.
func Open(ctx context.Context, st checkpoint.Storage, compactInterval int) (*Log, error) {
	if compactInterval < 1 {
		return nil, fmt.Errorf("manifest log: compact interval %d is not >= 1", compactInterval)
	}
	l := &Log{st: st, interval: compactInterval}
	if err := l.Reload(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// Reload reads the log again, for a writer that lost a race (Commit
// returned an error wrapping checkpoint.ErrExist). On error the Log is
// unchanged.
func (l *Log) Reload(ctx context.Context) error {
	s, err := readState(ctx, l.st)
	if err != nil {
		return err
	}
	l.s = s
	return nil
}

// Latest returns the newest batch logged; -1 if none.
func (l *Log) Latest() batch.ID { return l.s.latest }

// LatestCompact returns the batch of the newest compact file; -1 if none.
func (l *Log) LatestCompact() batch.ID { return l.s.compact }

// Files returns the committed files as of Latest, in the order they were
// added, all with Action ActionAdd. The slice belongs to the Log: the
// caller must not modify it, and it is valid until the next Commit or
// Reload.
func (l *Log) Files() []Status { return l.s.live }

// Commit creates batch id's manifest file — the batch's commit point —
// durably and create-exclusive. It lists added (the files the batch
// wrote, which must be durable already; Action is set to ActionAdd) and,
// if replace (Complete mode), a delete of every file committed before. A
// compaction batch (IsCompaction) writes "<id>.compact" instead: every
// file committed as of id. After Commit returns nil, Latest is id.
//
// If the file exists (another attempt committed the batch first) the
// error wraps checkpoint.ErrExist and the Log is unchanged: Reload to see
// what committed. Any other error leaves the Log unchanged too, but the
// file may exist even so (a Create that fails may have taken effect).
//
// REQUIRES: id > Latest(), and id == Latest()+1 unless the log is empty
// (the entries are dense). An id that breaks this is an error.
func (l *Log) Commit(ctx context.Context, id batch.ID, added []Status, replace bool) error {
	switch {
	case id < 0:
		return fmt.Errorf("commit batch %d: negative batch id", id)
	case id <= l.s.latest:
		return fmt.Errorf("commit batch %d: the log holds batches up to %d", id, l.s.latest)
	case l.s.latest >= 0 && id > l.s.latest+1:
		return fmt.Errorf("commit batch %d: the log ends at batch %d; a gap would lose files", id, l.s.latest)
	}
	c := l.s.next(id, added, replace, l.interval)
	body, err := encodeEntry(c.lines)
	if err != nil {
		return fmt.Errorf("commit batch %d: %w", id, err)
	}
	if err := l.st.Create(ctx, c.name, body); err != nil {
		return err
	}
	l.s.done(c)
	return nil
}

// Expire deletes the manifest files of batches below q, the batch of the
// compact file before the newest one (-1: nothing to do). A reader that
// listed the log just before the newest compaction reads q's compact file
// and the entries after it, so those stay until the next compaction
// (Spark's deleteExpiredLog keeps the same window).
func (l *Log) Expire(ctx context.Context, q batch.ID) error {
	if q < 0 {
		return nil
	}
	names, err := l.st.List(ctx, "")
	if err != nil {
		return err
	}
	for _, name := range names {
		if id, _, ok := ParseName(name); ok && id < q {
			if err := l.st.Delete(ctx, name); err != nil {
				return err
			}
		}
	}
	return nil
}

// ReadCompact returns the files q's compact file lists: every file
// committed as of batch q. A missing file is an error wrapping
// checkpoint.ErrNotExist.
func (l *Log) ReadCompact(ctx context.Context, q batch.ID) ([]Status, error) {
	return readEntry(ctx, l.st, entryName(q, true))
}

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
		id, compact, ok := ParseName(name)
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
func readEntry(ctx context.Context, st checkpoint.Storage, name string) ([]Status, error) {
	data, err := st.Read(ctx, name)
	if err != nil {
		return nil, err
	}
	return parseEntry(MetadataDir+"/"+name, data)
}
