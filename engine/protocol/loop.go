package protocol

import (
	"errors"
	"fmt"
	"slices"

	"github.com/sluicestream/sluice/batch"
)

// ErrInvalidProgress means a Progress that the running loop cannot be in:
// a bug in the caller, not a problem with the checkpoint.
var ErrInvalidProgress = errors.New("invalid progress")

// Sync and Async are the values of Progress.MaxUncommitted for the two
// checkpoint modes (DESIGN.md §4): synchronous mode waits for batch N's
// uploads before starting N+1; asynchronous mode lets N+1 run meanwhile.
const (
	Sync  = 1
	Async = MaxUncommitted
)

// Progress is what the running loop knows between two steps.
type Progress struct {
	// Committed is the latest batch whose commit is durable; NoBatch if none.
	Committed batch.ID
	// Started are the batches whose offset entry is written and whose commit
	// is not, ascending. The loop numbers new batches densely; right after
	// re-running a checkpoint with gaps they may skip ids.
	Started []batch.ID
	// Done are the batches of Started whose sink write and state uploads
	// have finished, in any order.
	Done []batch.ID
	// MaxUncommitted is how many batches may be uncommitted at once: Sync
	// (1) or Async (2).
	MaxUncommitted int
}

// Step is what the loop may do now.
type Step struct {
	// Commit lists the commits to write now, in this order: the oldest
	// started batches, as far as they are all done. A done batch waits
	// for the commits of every batch started before it.
	Commit []batch.ID
	// Start says batch Next may start (have its offsets logged) now. It is
	// decided on the commits already durable: after writing Commit, update
	// Progress and ask again.
	Start bool
	// Next is the id of the next new batch.
	Next batch.ID
	// WaitFor is, when Start is false, the batch whose commit the loop waits
	// for; NoBatch when Start is true.
	WaitFor batch.ID
}

// Next says what the running loop may do: which commits to write and
// whether a new batch may start. It is a pure function of p.
func Next(p Progress) (Step, error) {
	if err := p.validate(); err != nil {
		return Step{}, err
	}
	s := Step{Next: p.Committed + 1, WaitFor: NoBatch}
	if n := len(p.Started); n > 0 {
		s.Next = p.Started[n-1] + 1
	}
	for _, id := range p.Started {
		if !slices.Contains(p.Done, id) {
			break
		}
		s.Commit = append(s.Commit, id)
	}
	s.Start = len(p.Started) < p.MaxUncommitted
	if !s.Start {
		s.WaitFor = p.Started[0]
	}
	return s, nil
}

func (p Progress) validate() error {
	if p.MaxUncommitted < 1 {
		return fmt.Errorf("%w: MaxUncommitted %d, want at least 1", ErrInvalidProgress, p.MaxUncommitted)
	}
	if p.Committed < NoBatch {
		return fmt.Errorf("%w: committed batch %d", ErrInvalidProgress, p.Committed)
	}
	prev := p.Committed
	for _, id := range p.Started {
		if id <= prev {
			return fmt.Errorf("%w: started batch %d after %d: started batches ascend, after the last commit",
				ErrInvalidProgress, id, prev)
		}
		prev = id
	}
	for i, id := range p.Done {
		if !slices.Contains(p.Started, id) {
			return fmt.Errorf("%w: done batch %d is not a started, uncommitted batch", ErrInvalidProgress, id)
		}
		if slices.Contains(p.Done[:i], id) {
			return fmt.Errorf("%w: done batch %d listed twice", ErrInvalidProgress, id)
		}
	}
	return nil
}
