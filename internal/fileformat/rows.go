package fileformat

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// rowBuilder accumulates parsed rows into records of one schema. The data
// columns are filled cell by cell, then the row is appended whole, which lets
// a malformed row be dropped without undoing anything.
type rowBuilder struct {
	schema  *arrow.Schema
	cols    []*column            // data columns, in schema order
	corrupt *array.StringBuilder // the corrupt-record column, or nil
	order   []array.Builder      // every builder, in schema order
	rows    int
}

// newRowBuilder builds rows of schema. If corruptCol is not empty, the field
// of that name (which validate checked is a string) receives raw malformed
// lines rather than parsed values.
func newRowBuilder(mem memory.Allocator, schema *arrow.Schema, corruptCol string) *rowBuilder {
	rb := &rowBuilder{schema: schema}
	for _, f := range schema.Fields() {
		if corruptCol != "" && f.Name == corruptCol && rb.corrupt == nil {
			rb.corrupt = array.NewStringBuilder(mem)
			rb.order = append(rb.order, rb.corrupt)
			continue
		}
		c := newColumn(mem, f)
		rb.cols = append(rb.cols, c)
		rb.order = append(rb.order, c.b)
	}
	return rb
}

// appendRow appends every column's cell and, if there is a corrupt column,
// raw (NULL when raw is nil).
func (rb *rowBuilder) appendRow(raw []byte) {
	for _, c := range rb.cols {
		c.append()
	}
	if rb.corrupt != nil {
		if raw == nil {
			rb.corrupt.AppendNull()
		} else {
			rb.corrupt.BinaryBuilder.Append(raw)
		}
	}
	rb.rows++
}

// nullCells sets every cell to NULL.
func (rb *rowBuilder) nullCells() {
	for _, c := range rb.cols {
		c.setNull()
	}
}

// reserve makes room for n more rows.
func (rb *rowBuilder) reserve(n int) {
	for _, b := range rb.order {
		b.Reserve(n)
	}
}

// record returns the rows appended so far as a record the caller releases,
// and starts a new one.
func (rb *rowBuilder) record() arrow.RecordBatch {
	arrs := make([]arrow.Array, len(rb.order))
	for i, b := range rb.order {
		arrs[i] = b.NewArray()
	}
	rec := array.NewRecordBatch(rb.schema, arrs, int64(rb.rows))
	for _, a := range arrs {
		a.Release()
	}
	rb.rows = 0
	return rec
}

func (rb *rowBuilder) release() {
	for _, b := range rb.order {
		b.Release()
	}
	rb.order = nil
}

// fill appends rows read by readRow until the batch holds size rows or the
// input ends (readRow reports false; *done is set so later calls stop at
// once), and returns them as a record, or io.EOF when there are none.
func (b *rowBuilder) fill(size int, done *bool, readRow func() (bool, error)) (arrow.RecordBatch, error) {
	b.reserve(min(size, 1024))
	for !*done && b.rows < size {
		more, err := readRow()
		if err != nil {
			return nil, err
		}
		*done = !more
	}
	if b.rows == 0 {
		return nil, io.EOF
	}
	return b.record(), nil
}
