package engine

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
)

// stateCodec turns the state columns of an aggregation's groups into store
// values and back, many rows per call: the per-key cost of a streaming
// aggregation is a map lookup and a copy, never a decoder set up per row.
type stateCodec interface {
	// encode appends one value per row of cols, which have n rows, to buf.
	encode(cols []arrow.Array, n int, buf *batch.KeyBuffer) error
	// decode returns the state columns of the rows whose values are vals.
	decode(mem memory.Allocator, vals [][]byte) ([]arrow.Array, error)
}

// newStateCodec picks the row encoding when every state type has one: the
// value is then batch.EncodeKeys of the row's state columns, a few bytes per
// aggregate. Other states (decimals, lists) are kept as one-row Arrow IPC
// streams: larger and slower, but any type.
func newStateCodec(schema *arrow.Schema) stateCodec {
	types := make([]arrow.DataType, schema.NumFields())
	for i, f := range schema.Fields() {
		if !batch.SupportedKeyType(f.Type) {
			return ipcCodec{schema: schema}
		}
		types[i] = f.Type
	}
	return rowCodec{types: types}
}

// rowCodec encodes state rows with the order-preserving key encoding, whose
// decoder rebuilds whole columns at once.
type rowCodec struct{ types []arrow.DataType }

func (c rowCodec) encode(cols []arrow.Array, n int, buf *batch.KeyBuffer) error {
	if len(cols) > 0 {
		return batch.EncodeKeys(cols, buf)
	}
	// An aggregation without aggregates (a distinct) keeps only its keys:
	// n empty values.
	if len(buf.Offsets) == 0 {
		buf.Offsets = append(buf.Offsets, 0)
	}
	end := buf.Offsets[len(buf.Offsets)-1]
	for range n {
		buf.Offsets = append(buf.Offsets, end)
	}
	return nil
}

func (c rowCodec) decode(mem memory.Allocator, vals [][]byte) ([]arrow.Array, error) {
	if len(c.types) == 0 {
		return nil, nil
	}
	return batch.DecodeKeys(mem, c.types, vals)
}

// ipcCodec keeps each row as a one-row Arrow IPC stream of schema.
type ipcCodec struct{ schema *arrow.Schema }

func (c ipcCodec) encode(cols []arrow.Array, n int, buf *batch.KeyBuffer) error {
	if len(buf.Offsets) == 0 {
		buf.Offsets = append(buf.Offsets, 0)
	}
	rec := array.NewRecordBatch(c.schema, cols, int64(n))
	defer rec.Release()
	for i := range n {
		row := rec.NewSlice(int64(i), int64(i+1))
		v, err := batch.EncodeIPC(c.schema, []arrow.RecordBatch{row})
		row.Release()
		if err != nil {
			return fmt.Errorf("encode state row: %w", err)
		}
		buf.Data = append(buf.Data, v...)
		if len(buf.Data) > math.MaxInt32 {
			return fmt.Errorf("encode state rows: %d bytes exceed the 2 GiB a KeyBuffer holds", len(buf.Data))
		}
		buf.Offsets = append(buf.Offsets, int32(len(buf.Data)))
	}
	return nil
}

func (c ipcCodec) decode(mem memory.Allocator, vals [][]byte) ([]arrow.Array, error) {
	rows := make([]arrow.RecordBatch, 0, len(vals))
	defer func() { batch.Release(rows) }()
	for _, v := range vals {
		// The IPC reader may alias its input, and v is only valid until the
		// store's next call: decode a copy.
		s, recs, err := batch.DecodeIPC(mem, append([]byte(nil), v...))
		if err != nil {
			return nil, err
		}
		if len(recs) != 1 || recs[0].NumRows() != 1 || !sameFieldTypes(s, c.schema) {
			batch.Release(recs)
			return nil, fmt.Errorf("state value is not one row of %s", c.schema)
		}
		rows = append(rows, recs[0])
	}
	rec, err := batch.Concat(mem, c.schema, rows)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	cols := rec.Columns()
	for _, c := range cols {
		c.Retain()
	}
	return cols, nil
}
