package protocol

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/sluicestream/sluice/batch"
)

// OffsetEntry is what recovery needs of offsets/ID. The source offsets
// themselves stay with the engine: this package only names entries.
type OffsetEntry struct {
	ID          batch.ID
	WatermarkMs int64 // batchWatermarkMs: the watermark batch ID runs with
	TimestampMs int64 // batchTimestampMs: the batch's processing time
}

// CommitEntry is what recovery needs of commits/ID.
type CommitEntry struct {
	ID              batch.ID
	NextWatermarkMs int64 // nextBatchWatermarkMs; 0 when the entry has none
}

// LogState is what the offset and commit logs hold: one entry per file
// present, in any order.
//
// Recover reads the metadata of the latest commit and of the offset entries
// from the latest commit on (all of them when nothing is committed); the
// others are only ids and may carry zero metadata. So the engine lists both
// directories and reads one commit and, for a checkpoint Sluice wrote, at
// most MaxUncommitted+1 offset files.
type LogState struct {
	Offsets []OffsetEntry
	Commits []CommitEntry
}

// Recover decides how a query restarts from what its logs say. It is a pure
// function; see the package documentation for the rules. An error is an
// *InconsistencyError (errors.Is(err, ErrInconsistent)).
func Recover(s LogState) (Decision, error) {
	offs, err := sortedOffsets(s.Offsets)
	if err != nil {
		return Decision{}, err
	}
	commits, err := sortedCommits(s.Commits)
	if err != nil {
		return Decision{}, err
	}
	if len(offs) == 0 {
		if len(commits) == 0 {
			return Decision{Kind: Fresh, FirstBatch: 0, StartFrom: NoBatch, Committed: NoBatch}, nil
		}
		c := commits[len(commits)-1].ID
		return Decision{}, inconsistent(CommitAhead, c,
			fmt.Sprintf("commits/%d exists but the offset log is empty", c))
	}
	if len(commits) == 0 {
		return rerunUncommitted(offs)
	}
	return recoverCommitted(offs, commits)
}

// rerunUncommitted decides for offset entries and no commit at all: every
// logged batch runs again, the first from the sources' initial offsets.
func rerunUncommitted(offs []OffsetEntry) (Decision, error) {
	if first := offs[0].ID; first != 0 {
		return Decision{}, inconsistent(StartUnknown, first, fmt.Sprintf(
			"nothing is committed and the oldest offset entry is offsets/%d: the start offsets of batch %d (the end offsets of batch %d) are gone",
			first, first, first-1))
	}
	d := Decision{Kind: Rerun, Committed: NoBatch}
	d.setRerun(NoBatch, offs)
	return d, nil
}

// recoverCommitted decides when both logs have entries.
func recoverCommitted(offs []OffsetEntry, commits []CommitEntry) (Decision, error) {
	latest, last := offs[len(offs)-1], commits[len(commits)-1]
	if last.ID > latest.ID {
		return Decision{}, inconsistent(CommitAhead, last.ID, fmt.Sprintf(
			"commits/%d is ahead of the latest offset entry offsets/%d: a batch's offsets are logged before it runs",
			last.ID, latest.ID))
	}
	ci, ok := findOffset(offs, last.ID)
	if !ok {
		return Decision{}, inconsistent(CommitWithoutOffsets, last.ID, fmt.Sprintf(
			"the latest commit, commits/%d, has no offsets/%d entry: the start offsets of batch %d are unknown",
			last.ID, last.ID, last.ID+1))
	}
	stale, err := staleCommits(offs, commits[:len(commits)-1])
	if err != nil {
		return Decision{}, err
	}
	d := Decision{
		Committed:      last.ID,
		StaleCommits:   stale,
		MissingCommits: missingCommits(offs[:ci], commits),
	}
	if ci == len(offs)-1 {
		d.Kind = Resume
		d.FirstBatch = last.ID + 1
		d.StartFrom = last.ID
		// As Spark does: the watermark never goes back, and a commit whose
		// writer did not record nextBatchWatermarkMs reads as 0.
		d.WatermarkMs = max(last.NextWatermarkMs, offs[ci].WatermarkMs)
		return d, nil
	}
	d.Kind = Rerun
	d.setRerun(last.ID, offs[ci+1:])
	return d, nil
}

// setRerun fills the re-run part of d: every entry of todo, in order, each
// starting where the previous logged entry (start, for the first) ended.
func (d *Decision) setRerun(start batch.ID, todo []OffsetEntry) {
	d.StartFrom = start
	d.FirstBatch = todo[0].ID
	d.WatermarkMs = todo[0].WatermarkMs
	prev := start
	for _, o := range todo {
		if o.ID > prev+1 {
			d.Gaps = append(d.Gaps, Span{First: prev + 1, Last: o.ID - 1})
		}
		d.Rerun = append(d.Rerun, Replay{ID: o.ID, From: prev, WatermarkMs: o.WatermarkMs, TimestampMs: o.TimestampMs})
		prev = o.ID
	}
	d.TooManyUncommitted = len(d.Rerun) > MaxUncommitted
}

// staleCommits checks the commits other than the latest: one without an
// offset entry is a purge leftover when it is older than every offset entry,
// and an inconsistency otherwise.
func staleCommits(offs []OffsetEntry, commits []CommitEntry) ([]batch.ID, error) {
	var stale []batch.ID
	for _, c := range commits {
		if _, ok := findOffset(offs, c.ID); ok {
			continue
		}
		if c.ID > offs[0].ID {
			return nil, inconsistent(CommitWithoutOffsets, c.ID, fmt.Sprintf(
				"commits/%d has no offsets/%d entry, yet the offset log holds batches %d to %d",
				c.ID, c.ID, offs[0].ID, offs[len(offs)-1].ID))
		}
		stale = append(stale, c.ID)
	}
	return stale, nil
}

// missingCommits returns the ids of offs (all older than the latest commit)
// that have no commit.
func missingCommits(offs []OffsetEntry, commits []CommitEntry) []batch.ID {
	var missing []batch.ID
	for _, o := range offs {
		if _, ok := slices.BinarySearchFunc(commits, o.ID, func(c CommitEntry, id batch.ID) int {
			return cmp.Compare(c.ID, id)
		}); !ok {
			missing = append(missing, o.ID)
		}
	}
	return missing
}

func findOffset(offs []OffsetEntry, id batch.ID) (int, bool) {
	return slices.BinarySearchFunc(offs, id, func(o OffsetEntry, id batch.ID) int {
		return cmp.Compare(o.ID, id)
	})
}

// sortedOffsets returns a sorted copy of offs, refusing negative and repeated
// ids.
func sortedOffsets(offs []OffsetEntry) ([]OffsetEntry, error) {
	s := slices.Clone(offs)
	slices.SortFunc(s, func(a, b OffsetEntry) int { return cmp.Compare(a.ID, b.ID) })
	return s, checkIDs("offsets", len(s), func(i int) batch.ID { return s[i].ID })
}

// sortedCommits returns a sorted copy of commits, refusing negative and
// repeated ids.
func sortedCommits(commits []CommitEntry) ([]CommitEntry, error) {
	s := slices.Clone(commits)
	slices.SortFunc(s, func(a, b CommitEntry) int { return cmp.Compare(a.ID, b.ID) })
	return s, checkIDs("commits", len(s), func(i int) batch.ID { return s[i].ID })
}

// checkIDs checks n ascending ids of one log: none negative, none repeated.
func checkIDs(log string, n int, id func(int) batch.ID) error {
	if n > 0 && id(0) < 0 {
		return inconsistent(NegativeID, id(0), fmt.Sprintf("%s/%d: negative batch id", log, id(0)))
	}
	for i := 1; i < n; i++ {
		if id(i) == id(i-1) {
			return inconsistent(DuplicateID, id(i), fmt.Sprintf("%s/%d is listed twice", log, id(i)))
		}
	}
	return nil
}
