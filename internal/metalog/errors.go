package metalog

import (
	"errors"
	"fmt"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
)

var (
	// ErrEmpty: the log has no entry (Latest).
	ErrEmpty = errors.New("log is empty")
	// ErrNewerVersion is the Err of the *checkpoint.CorruptionError for a
	// file whose version line is newer than this build reads.
	ErrNewerVersion = errors.New("log version too new")
)

// AlreadyLoggedError is returned by Add when the batch's entry exists: another
// writer (a concurrent run of the same query, or an earlier attempt of this
// one) logged it first. The existing file is unchanged. It wraps
// checkpoint.ErrExist.
type AlreadyLoggedError struct {
	Path string   // the entry, e.g. "offsets/7"
	ID   batch.ID // the batch id
	Err  error    // the Storage's error, wrapping checkpoint.ErrExist
}

func (e *AlreadyLoggedError) Error() string {
	return fmt.Sprintf("%s: batch %d already logged", e.Path, e.ID)
}

func (e *AlreadyLoggedError) Unwrap() error { return e.Err }

// SyntaxError is a problem found by a parser that does not know the file it
// reads: Offset counts bytes from the start of the text it was given.
// Record.Corrupt turns it into a *checkpoint.CorruptionError.
type SyntaxError struct {
	Offset int64  // byte offset of the problem in the parsed text, or -1
	Reason string // what is wrong
	Err    error  // underlying error, if any
}

func (e *SyntaxError) Error() string {
	msg := e.Reason
	if e.Offset >= 0 {
		msg = fmt.Sprintf("at byte %d: %s", e.Offset, msg)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// corrupt builds the corruption error of file path at byte off.
func corrupt(path string, off int64, reason string, err error) *checkpoint.CorruptionError {
	return &checkpoint.CorruptionError{Path: path, Offset: off, Reason: reason, Err: err}
}

// Corrupt returns the corruption error of the file at path for a problem err
// found at byte base of it. If err is a *SyntaxError its offset is taken as
// relative to base and its reason and cause are kept; prefix, if not empty,
// says which part of the file was being parsed.
func Corrupt(path string, base int64, prefix string, err error) *checkpoint.CorruptionError {
	reason, cause, off := err.Error(), error(nil), base
	var se *SyntaxError
	if errors.As(err, &se) {
		reason, cause = se.Reason, se.Err
		if se.Offset >= 0 {
			off = base + se.Offset
		}
	}
	if prefix != "" {
		reason = prefix + ": " + reason
	}
	return corrupt(path, off, reason, cause)
}
