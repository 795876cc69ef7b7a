package mem

import (
	"bytes"
	"encoding/binary"
	"io"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// putTimeLen is the length of the put time that prefixes every value the
// provider writes to a changelog or data file.
const putTimeLen = 8

// encodeChangelog returns version's changelog holding ops, in order.
func encodeChangelog(version int64, ops []op) ([]byte, error) {
	var buf bytes.Buffer
	w := statestore.NewChangelogWriter(&buf, version)
	var val []byte
	for _, o := range ops {
		var err error
		if o.del {
			err = w.Delete(o.key)
		} else {
			val = appendValue(val[:0], o.value, o.putNanos)
			err = w.Put(o.key, val)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// encodeData returns the data file of a snapshot of version: a changelog
// that puts every entry of t.
func encodeData(version int64, t *table) ([]byte, error) {
	var buf bytes.Buffer
	w := statestore.NewChangelogWriter(&buf, version)
	var val []byte
	for _, e := range t.entries {
		val = appendValue(val[:0], e.value, e.putNanos)
		if err := w.Put(e.key, val); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// appendValue appends a stored value: the put time, then the value.
func appendValue(dst, value []byte, putNanos int64) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, uint64(putNanos))
	return append(dst, value...)
}

// apply reads the changelog (or data file) of version at path from r into
// state. (The row count a changelog may carry is of no use here: state is
// a map and knows its size.)
func apply(path string, r io.Reader, version int64, state map[string]entry) error {
	_, err := statestore.ReadChangelog(path, r, version, func(key, value []byte, deleted bool) error {
		if deleted {
			delete(state, string(key))
			return nil
		}
		if len(value) < putTimeLen {
			return &checkpoint.CorruptionError{Path: path, Offset: -1, Reason: "value shorter than its put time"}
		}
		k := string(key)
		state[k] = entry{
			key:      []byte(k),
			value:    bytes.Clone(value[putTimeLen:]),
			putNanos: int64(binary.LittleEndian.Uint64(value)),
		}
		return nil
	})
	return err
}
