package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
)

// keyEncoder is the generic path of GroupTable: every row's key, all its
// columns, is encoded with batch.EncodeKeys into one byte string (NULLs and
// float edge cases — -0 against 0, NaNs — included, as key equality wants),
// and those strings go into a bytesTable. KeyColumns decodes the stored keys
// with batch.DecodeKeys.
type keyEncoder struct {
	types []arrow.DataType
	buf   batch.KeyBuffer // reused across batches
}

func newKeyEncoder(types []arrow.DataType) (*keyEncoder, error) {
	for i, dt := range types {
		if !batch.SupportedKeyType(dt) {
			return nil, fmt.Errorf("key column %d: cannot group or join on type %s", i, dt)
		}
	}
	return &keyEncoder{types: types}, nil
}

// encode fills e.buf with the keys of cols.
func (e *keyEncoder) encode(cols []arrow.Array) error {
	e.buf.Reset()
	return batch.EncodeKeys(cols, &e.buf)
}

func (e *keyEncoder) insert(t *bytesTable, cols []arrow.Array, groups []uint32) error {
	if err := e.encode(cols); err != nil {
		return fmt.Errorf("group table: %w", err)
	}
	data, offs := e.buf.Data, e.buf.Offsets
	for i := range groups {
		groups[i] = t.insert(data[offs[i]:offs[i+1]])
	}
	return nil
}

func (e *keyEncoder) find(t *bytesTable, cols []arrow.Array, groups []uint32) error {
	if err := e.encode(cols); err != nil {
		return fmt.Errorf("group table: %w", err)
	}
	data, offs := e.buf.Data, e.buf.Offsets
	for i := range groups {
		groups[i] = t.find(data[offs[i]:offs[i+1]])
	}
	return nil
}

// decode rebuilds the key columns from the encoded keys in t, in group
// order. The caller releases the arrays.
func (e *keyEncoder) decode(mem memory.Allocator, t *bytesTable) ([]arrow.Array, error) {
	keys := make([][]byte, t.len())
	for g := range keys {
		keys[g] = t.arena[t.offs[g]:t.offs[g+1]]
	}
	cols, err := batch.DecodeKeys(mem, e.types, keys)
	if err != nil {
		return nil, fmt.Errorf("group table: %w", err)
	}
	return cols, nil
}
