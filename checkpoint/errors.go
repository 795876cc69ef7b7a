package checkpoint

import "fmt"

// CorruptionError says a checkpoint file exists but its content is not what
// a writer could have produced: truncated, garbled, failing its checksum, or
// of a version this build cannot read. It is distinct from an I/O error,
// which may go away on retry; corruption does not.
type CorruptionError struct {
	Path   string // the file, relative to the checkpoint root
	Offset int64  // byte offset of the problem, or -1 when not known
	Reason string // what is wrong, e.g. "missing version line"
	Err    error  // the underlying parse error, if any
}

func (e *CorruptionError) Error() string {
	msg := "corrupt checkpoint file " + e.Path
	if e.Offset >= 0 {
		msg += fmt.Sprintf(" at byte %d", e.Offset)
	}
	msg += ": " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *CorruptionError) Unwrap() error { return e.Err }
