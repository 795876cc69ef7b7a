package protocol

import (
	"errors"

	"github.com/sluicestream/sluice/batch"
)

// ErrInconsistent is the decision that the offset and commit logs cannot both
// be true: recovery refuses to guess. Every error Recover returns matches it
// with errors.Is; errors.As gives the *InconsistencyError with the details.
var ErrInconsistent = errors.New("inconsistent checkpoint logs")

// Reason says which rule an inconsistent checkpoint breaks.
type Reason int

const (
	// NegativeID: a log entry named by a negative batch id.
	NegativeID Reason = iota + 1
	// DuplicateID: one batch id listed twice in one log (say "3" and "03").
	DuplicateID
	// CommitAhead: a commit newer than the newest offset entry, or commits
	// with no offset log at all. A batch's offsets are logged before it runs
	// and its commit after, so this cannot happen without files going missing.
	CommitAhead
	// CommitWithoutOffsets: a commit, within the range the offset log still
	// holds (or the latest commit, wherever it is), whose offset entry is
	// missing.
	CommitWithoutOffsets
	// StartUnknown: batches to re-run, no commit, and the offset log does not
	// begin at batch 0, so the start offsets of the first re-run are gone.
	StartUnknown
)

var reasonNames = [...]string{
	NegativeID:           "negative-id",
	DuplicateID:          "duplicate-id",
	CommitAhead:          "commit-ahead",
	CommitWithoutOffsets: "commit-without-offsets",
	StartUnknown:         "start-unknown",
}

func (r Reason) String() string {
	if r > 0 && int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "unknown-reason"
}

// InconsistencyError is a refusal to recover: which rule, which batch, and a
// sentence saying why. It wraps ErrInconsistent.
type InconsistencyError struct {
	Reason Reason
	ID     batch.ID // the entry at fault
	msg    string
}

func (e *InconsistencyError) Error() string {
	return "inconsistent checkpoint logs: " + e.msg
}

// Unwrap makes errors.Is(err, ErrInconsistent) true.
func (e *InconsistencyError) Unwrap() error { return ErrInconsistent }

func inconsistent(r Reason, id batch.ID, msg string) *InconsistencyError {
	return &InconsistencyError{Reason: r, ID: id, msg: msg}
}
