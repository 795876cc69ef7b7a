package fileformat

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrNoFiles is returned (wrapped) by Expand when a path names no file.
var ErrNoFiles = errors.New("no input files")

// MalformedError reports a row that cannot be read with the schema: bad CSV
// quoting, a wrong number of fields, invalid JSON, or a value that does not
// parse as its column's type. It is distinct from I/O errors, which are
// returned as they come.
type MalformedError struct {
	Path   string // the file, as given to Open
	Line   int64  // 1-based line where the row starts
	Column string // the column, or "" if the whole row is bad
	Err    error
}

func (e *MalformedError) Error() string {
	line := strconv.FormatInt(e.Line, 10)
	if e.Column == "" {
		return "read " + e.Path + " line " + line + ": " + e.Err.Error()
	}
	return "read " + e.Path + " line " + line + " column " + strconv.Quote(e.Column) + ": " + e.Err.Error()
}

func (e *MalformedError) Unwrap() error { return e.Err }

// maxQuoted is how much of a bad value an error message shows.
const maxQuoted = 64

// cannotParse is the error for a value that is not of its column's type.
func cannotParse(value string, typ fmt.Stringer) error {
	if len(value) > maxQuoted {
		value = value[:maxQuoted] + "…"
	}
	return fmt.Errorf("cannot parse %q as %s", value, typ)
}
