package memory

import (
	"fmt"
	"strconv"

	"github.com/sluicestream/sluice/source"
)

// encodeOffset returns the offset of n records: the decimal integer n.
func encodeOffset(n int64) source.Offset {
	return source.Offset(strconv.AppendInt(nil, n, 10))
}

// parseOffset reads an offset: nil is 0; anything else must be a
// non-negative JSON integer in canonical form (no sign, leading zeros,
// fraction or spaces), so that one position has one spelling.
func parseOffset(o source.Offset) (int64, error) {
	if o == nil {
		return 0, nil
	}
	n, err := strconv.ParseInt(string(o), 10, 64)
	if err != nil || n < 0 || string(encodeOffset(n)) != string(o) {
		return 0, fmt.Errorf("memory stream: offset %.40q is not a record count", o)
	}
	return n, nil
}
