package rate

import (
	"fmt"
	"strconv"

	"github.com/sluicestream/sluice/internal/metalog"
	"github.com/sluicestream/sluice/source"
)

// offset is a position of the rate source.
type offset struct {
	value   int64 // rows handed out: values 0 … value-1
	startMs int64 // timestamp of row 0, ms since the epoch
}

// Offset field names.
const (
	fieldValue = "value"
	fieldStart = "startMs"
)

// encode returns o as canonical JSON: {"value":N,"startMs":S}.
func (o offset) encode() source.Offset {
	b := make([]byte, 0, 48)
	b = append(b, `{"value":`...)
	b = strconv.AppendInt(b, o.value, 10)
	b = append(b, `,"startMs":`...)
	b = strconv.AppendInt(b, o.startMs, 10)
	return source.Offset(append(b, '}'))
}

// parseOffset reads an offset written by encode (any JSON spelling of the
// same object is accepted). nil is not an offset here: callers handle the
// start themselves.
func parseOffset(o source.Offset) (offset, error) {
	fields, err := metalog.ParseObject(o)
	if err != nil {
		return offset{}, fmt.Errorf("rate source: offset %.60q: %w", o, err)
	}
	var out offset
	var seen int
	for _, f := range fields {
		var dst *int64
		switch f.Name {
		case fieldValue:
			dst = &out.value
		case fieldStart:
			dst = &out.startMs
		default:
			return offset{}, fmt.Errorf("rate source: offset %.60q: unknown field %q", o, f.Name)
		}
		if *dst, err = metalog.Int64(f.Name, f.Value); err != nil {
			return offset{}, fmt.Errorf("rate source: offset %.60q: %w", o, err)
		}
		seen++
	}
	if seen != 2 {
		return offset{}, fmt.Errorf("rate source: offset %.60q: want fields %q and %q", o, fieldValue, fieldStart)
	}
	if out.value < 0 {
		return offset{}, fmt.Errorf("rate source: offset %.60q: negative value", o)
	}
	return out, nil
}
