package batch

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Concat returns one record holding the rows of recs, in order. The caller
// owns the result and must Release it; recs are not released.
//
// Every record must have the columns of schema: the same names and types, in
// the same order (field metadata and nullability are not compared, so records
// read back from IPC or Parquet concatenate with freshly built ones). With no
// records the result is an empty record of schema. With exactly one record
// that record itself is returned with an extra reference, since copying it
// would buy nothing; otherwise the columns are copied into memory from mem.
func Concat(mem memory.Allocator, schema *arrow.Schema, recs []arrow.RecordBatch) (arrow.RecordBatch, error) {
	if schema == nil {
		return nil, fmt.Errorf("concat: nil schema")
	}
	var rows int64
	for i, rec := range recs {
		if rec == nil {
			return nil, fmt.Errorf("concat: record %d is nil", i)
		}
		if err := sameColumns(schema, rec.Schema()); err != nil {
			return nil, fmt.Errorf("concat: record %d: %w", i, err)
		}
		rows += rec.NumRows()
	}
	switch len(recs) {
	case 0:
		return emptyRecord(mem, schema), nil
	case 1:
		recs[0].Retain()
		return recs[0], nil
	}

	cols := make([]arrow.Array, schema.NumFields())
	defer releaseArrays(cols)
	parts := make([]arrow.Array, len(recs))
	for c := range cols {
		for r, rec := range recs {
			parts[r] = rec.Column(c)
		}
		col, err := array.Concatenate(parts, mem)
		if err != nil {
			return nil, fmt.Errorf("concat: column %q: %w", schema.Field(c).Name, err)
		}
		cols[c] = col
	}
	// NewRecordBatch takes its own references; the deferred release drops ours.
	return array.NewRecordBatch(schema, cols, rows), nil
}

// Split cuts rec into consecutive chunks of at most n rows each. The chunks
// are zero-copy slices that share rec's buffers; the caller owns them and must
// Release each one (rec itself stays owned by the caller). A record with no
// rows yields no chunks.
func Split(rec arrow.RecordBatch, n int) ([]arrow.RecordBatch, error) {
	if rec == nil {
		return nil, fmt.Errorf("split: nil record")
	}
	if n <= 0 {
		return nil, fmt.Errorf("split: chunk size %d, want > 0", n)
	}
	rows := rec.NumRows()
	if rows == 0 {
		return nil, nil
	}
	size := int64(n)
	out := make([]arrow.RecordBatch, 0, (rows+size-1)/size)
	for beg := int64(0); beg < rows; beg += size {
		out = append(out, rec.NewSlice(beg, min(beg+size, rows)))
	}
	return out, nil
}

// emptyRecord builds a zero-row record of schema. Empty arrays are built
// rather than sliced from something else so that the result owns no data.
func emptyRecord(mem memory.Allocator, schema *arrow.Schema) arrow.RecordBatch {
	cols := make([]arrow.Array, schema.NumFields())
	defer releaseArrays(cols)
	for i, f := range schema.Fields() {
		b := array.NewBuilder(mem, f.Type)
		cols[i] = b.NewArray()
		b.Release()
	}
	return array.NewRecordBatch(schema, cols, 0)
}

// sameColumns reports whether got has the column names and types of want.
func sameColumns(want, got *arrow.Schema) error {
	if got == nil {
		return fmt.Errorf("nil schema")
	}
	if got.NumFields() != want.NumFields() {
		return fmt.Errorf("%d columns, want %d", got.NumFields(), want.NumFields())
	}
	for i := range want.NumFields() {
		w, g := want.Field(i), got.Field(i)
		if w.Name != g.Name || !arrow.TypeEqual(w.Type, g.Type) {
			return fmt.Errorf("column %d is %s %s, want %s %s", i, g.Name, g.Type, w.Name, w.Type)
		}
	}
	return nil
}

// releaseArrays releases the non-nil arrays of arrs.
func releaseArrays(arrs []arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}
