package file

import (
	"fmt"
	"strconv"

	"github.com/sluicestream/sluice/internal/metalog"
	"github.com/sluicestream/sluice/source"
)

// fieldLogOffset is the offset's one field, named as Spark's
// FileStreamSourceOffset names it.
const fieldLogOffset = "logOffset"

// encodeOffset returns the offset after n files: {"logOffset":n}.
func encodeOffset(n int) source.Offset {
	b := append([]byte(`{"logOffset":`), strconv.Itoa(n)...)
	return source.Offset(append(b, '}'))
}

// parseOffset returns the number of files an offset covers; nil is 0.
func parseOffset(o source.Offset) (int, error) {
	if o == nil {
		return 0, nil
	}
	fields, err := metalog.ParseObject(o)
	if err == nil && (len(fields) != 1 || fields[0].Name != fieldLogOffset) {
		err = fmt.Errorf("want exactly the field %q", fieldLogOffset)
	}
	var n int64
	if err == nil {
		n, err = metalog.Int64(fieldLogOffset, fields[0].Value)
	}
	if err == nil && (n < 0 || int64(int(n)) != n) {
		err = fmt.Errorf("%s %d out of range", fieldLogOffset, n)
	}
	if err != nil {
		return 0, fmt.Errorf("file source: offset %.60q: %w", o, err)
	}
	return int(n), nil
}
