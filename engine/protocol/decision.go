package protocol

import (
	"fmt"
	"strings"

	"github.com/sluicestream/sluice/batch"
)

// NoBatch stands for "no batch": nothing committed yet, or, as a start, the
// sources' initial offsets.
const NoBatch batch.ID = -1

// MaxUncommitted is the most batches Sluice's own loop ever leaves
// uncommitted: batch N+1 may run while batch N's state uploads, never N+2
// (DESIGN.md §4). Recovery accepts more, since a checkpoint written by Spark
// or by a future Sluice may differ, and flags it in Decision.TooManyUncommitted.
const MaxUncommitted = 2

// Kind is the shape of a recovery.
type Kind int

const (
	// Fresh: both logs are empty; run batch 0 from the sources' initial
	// offsets with watermark 0.
	Fresh Kind = iota + 1
	// Resume: every logged batch is committed; run the new batch C+1 from
	// the end offsets of batch C.
	Resume
	// Rerun: offset entries exist beyond the last commit; run each of them
	// again, in order, with exactly what was logged.
	Rerun
)

func (k Kind) String() string {
	switch k {
	case Fresh:
		return "fresh"
	case Resume:
		return "resume"
	case Rerun:
		return "rerun"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Replay is one logged, uncommitted batch to run again. Its end offsets,
// watermark and timestamp are those of offsets/ID; its start offsets are the
// end offsets of offsets/From (NoBatch: the sources' initial offsets).
type Replay struct {
	ID          batch.ID
	From        batch.ID
	WatermarkMs int64
	TimestampMs int64
}

// Decision is what Recover says to do. The engine restores state as of batch
// Committed (the state version that batch wrote), then runs FirstBatch with
// start offsets StartFrom and watermark WatermarkMs; for a Rerun, FirstBatch
// is Rerun[0] and the rest of Rerun follows before any new batch.
type Decision struct {
	Kind Kind

	// FirstBatch is the id of the first batch the engine runs: 0 (Fresh),
	// C+1 (Resume) or the oldest uncommitted logged batch (Rerun).
	FirstBatch batch.ID
	// StartFrom is the offset entry whose end offsets are the start offsets
	// of FirstBatch; NoBatch means the sources' initial offsets.
	StartFrom batch.ID
	// Committed is the latest commit C, NoBatch if there is none.
	Committed batch.ID
	// WatermarkMs is the event-time watermark FirstBatch runs with.
	WatermarkMs int64
	// Rerun lists the batches to run again, ascending; empty unless Kind is
	// Rerun. Rerun[0].From == StartFrom and Rerun[i].From == Rerun[i-1].ID.
	Rerun []Replay

	// The fields below never change what to do; they are irregularities the
	// engine should log. None occurs in a checkpoint Sluice wrote and
	// purged without interruption.

	// TooManyUncommitted: more than MaxUncommitted batches to re-run.
	TooManyUncommitted bool
	// Gaps are batch ids between StartFrom and the last re-run batch that
	// have no offset entry. Spark's async progress tracking leaves such gaps:
	// the next logged batch covers them (its start is the previous logged
	// entry), so they are not run on their own.
	Gaps []Span
	// MissingCommits are offset entries older than the latest commit with
	// no commit of their own. Commits are written in batch order, so the
	// latest commit proves them done (Spark decides the same way).
	MissingCommits []batch.ID
	// StaleCommits are commits older than the oldest offset entry and
	// without one: left behind by a purge interrupted between the two logs.
	StaleCommits []batch.ID
}

// Span is the batch ids First to Last, inclusive.
type Span struct{ First, Last batch.ID }

func (s Span) String() string {
	if s.First == s.Last {
		return fmt.Sprint(int64(s.First))
	}
	return fmt.Sprintf("%d-%d", s.First, s.Last)
}

// String renders the decision for a log line and for the test scripts: the
// decision on the first line, one line per re-run batch, one per irregularity.
func (d Decision) String() string {
	var b strings.Builder
	switch d.Kind {
	case Fresh:
		fmt.Fprintf(&b, "fresh: run batch %d from %s, watermark %d\n", d.FirstBatch, from(d.StartFrom), d.WatermarkMs)
	case Resume:
		fmt.Fprintf(&b, "resume after commit %d: run batch %d from %s, watermark %d\n",
			d.Committed, d.FirstBatch, from(d.StartFrom), d.WatermarkMs)
	case Rerun:
		if d.Committed == NoBatch {
			fmt.Fprintf(&b, "rerun %d logged batch(es), none committed:\n", len(d.Rerun))
		} else {
			fmt.Fprintf(&b, "rerun %d logged batch(es) after commit %d:\n", len(d.Rerun), d.Committed)
		}
		for _, r := range d.Rerun {
			fmt.Fprintf(&b, "  batch %d from %s, watermark %d, timestamp %d\n", r.ID, from(r.From), r.WatermarkMs, r.TimestampMs)
		}
	default:
		fmt.Fprintf(&b, "%v\n", d.Kind)
	}
	if d.TooManyUncommitted {
		fmt.Fprintf(&b, "note: %d uncommitted batches, more than the %d Sluice leaves\n", len(d.Rerun), MaxUncommitted)
	}
	if len(d.Gaps) > 0 {
		spans := make([]string, len(d.Gaps))
		for i, g := range d.Gaps {
			spans[i] = g.String()
		}
		fmt.Fprintf(&b, "note: offset log gaps (covered by the next logged batch): %s\n", strings.Join(spans, " "))
	}
	note(&b, "missing commits (done: a later commit exists)", d.MissingCommits)
	note(&b, "stale commits (older than every offset entry)", d.StaleCommits)
	return b.String()
}

func from(id batch.ID) string {
	if id == NoBatch {
		return "the initial offsets"
	}
	return fmt.Sprintf("offsets/%d", id)
}

func note(b *strings.Builder, what string, ids []batch.ID) {
	if len(ids) == 0 {
		return
	}
	fmt.Fprintf(b, "note: %s: %s\n", what, formatIDs(ids))
}

func formatIDs(ids []batch.ID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(int64(id))
	}
	return strings.Join(s, " ")
}
