package metalog

import (
	"bytes"
	"fmt"
	"strconv"
)

// maxVersionDigits bounds the version number: Spark parses it as a Java int,
// and anything longer than this is garbage rather than a version.
const maxVersionDigits = 9

// Record is one parsed log file: its version line split off.
type Record struct {
	Path    string // the file, relative to the checkpoint root
	Version int    // from the version line, between 1 and the log's version
	// Body is everything after the version line, without the one trailing
	// newline a reader tolerates. It may be empty.
	Body       []byte
	BodyOffset int64 // byte offset of Body in the file
}

// Corrupt returns the corruption error for a problem err found at byte off of
// the body (see the package-level Corrupt).
func (r Record) Corrupt(off int64, prefix string, err error) error {
	return Corrupt(r.Path, r.BodyOffset+off, prefix, err)
}

// ParseRecord splits data, the content of the log file at path, into its
// version and body. It returns a *checkpoint.CorruptionError naming path if
// data is empty, has no valid version line, ends in the version line, or has
// a version above maxVersion (then wrapping ErrNewerVersion).
func ParseRecord(path string, data []byte, maxVersion int) (Record, error) {
	if len(data) == 0 {
		return Record{}, corrupt(path, 0, "empty file", nil)
	}
	line, body, found := bytes.Cut(data, []byte{'\n'})
	v, ok := parseVersion(line)
	if !ok {
		return Record{}, corrupt(path, 0, fmt.Sprintf("missing or garbled version line %s", quoteStart(line)), nil)
	}
	if v > maxVersion {
		return Record{}, corrupt(path, 0, fmt.Sprintf(
			"written by a newer Sluice/Spark (v%d, this build reads up to v%d)", v, maxVersion), ErrNewerVersion)
	}
	if !found {
		return Record{}, corrupt(path, int64(len(line)), "truncated: the file ends after the version line", nil)
	}
	body = bytes.TrimSuffix(body, []byte{'\n'})
	return Record{Path: path, Version: v, Body: body, BodyOffset: int64(len(line)) + 1}, nil
}

// parseVersion parses "v<N>", N > 0 in decimal.
func parseVersion(line []byte) (int, bool) {
	if len(line) < 2 || line[0] != 'v' || len(line) > 1+maxVersionDigits {
		return 0, false
	}
	for _, c := range line[1:] {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	v, err := strconv.Atoi(string(line[1:]))
	if err != nil || v <= 0 {
		return 0, false
	}
	return v, true
}

// quoteStart quotes the start of b for an error message.
func quoteStart(b []byte) string {
	const max = 32
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}

// Format returns the bytes of a log file: the version line, then body.
//
// REQUIRES: version >= 1.
func Format(version int, body []byte) []byte {
	out := make([]byte, 0, len(body)+4)
	out = append(out, 'v')
	out = strconv.AppendInt(out, int64(version), 10)
	out = append(out, '\n')
	return append(out, body...)
}
