package batch

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
)

// ID numbers the micro-batches of a streaming query, from 0, densely. It is the
// name of the batch's entry in the offset and commit logs.
type ID int64

// Reader is a pull stream of record batches with one schema.
//
// Next returns io.EOF after the last batch. The caller owns every record Next
// returns and must Release it. Close releases whatever the reader still holds;
// it may be called at any time, more than once, and before EOF.
type Reader interface {
	Schema() *arrow.Schema
	Next(ctx context.Context) (arrow.RecordBatch, error)
	Close() error
}

// sliceReader serves records from memory.
type sliceReader struct {
	schema *arrow.Schema
	recs   []arrow.RecordBatch
}

// NewSliceReader returns a Reader over recs. It takes ownership of one
// reference to each record: records not yet returned by Next are released by
// Close.
func NewSliceReader(schema *arrow.Schema, recs ...arrow.RecordBatch) Reader {
	return &sliceReader{schema: schema, recs: recs}
}

func (r *sliceReader) Schema() *arrow.Schema { return r.schema }

func (r *sliceReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(r.recs) == 0 {
		return nil, io.EOF
	}
	rec := r.recs[0]
	r.recs[0] = nil
	r.recs = r.recs[1:]
	return rec, nil
}

func (r *sliceReader) Close() error {
	for _, rec := range r.recs {
		rec.Release()
	}
	r.recs = nil
	return nil
}

// ReadAll drains r and closes it, returning every record in order. The caller
// releases the records; on error none are returned and all are released.
func ReadAll(ctx context.Context, r Reader) ([]arrow.RecordBatch, error) {
	defer r.Close()
	var out []arrow.RecordBatch
	for {
		rec, err := r.Next(ctx)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			for _, o := range out {
				o.Release()
			}
			return nil, err
		}
		out = append(out, rec)
	}
}

// Release releases every record in recs; nil entries are skipped.
func Release(recs []arrow.RecordBatch) {
	for _, rec := range recs {
		if rec != nil {
			rec.Release()
		}
	}
}
