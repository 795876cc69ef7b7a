package batch

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// FromRecordReader adapts an arrow-go array.RecordReader (what arrow/ipc,
// pqarrow and the csv/json readers return) to a Reader. It takes ownership of
// one reference to rr: Close releases it.
//
// An array.RecordReader hands out a record that is only valid until its next
// call to Next, whereas a Reader's caller owns what it gets, so every record
// is retained before it is returned.
func FromRecordReader(rr array.RecordReader) Reader {
	return &recordReader{rr: rr}
}

type recordReader struct {
	rr array.RecordReader
}

func (r *recordReader) Schema() *arrow.Schema { return r.rr.Schema() }

func (r *recordReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.rr == nil {
		return nil, fmt.Errorf("read record: reader is closed")
	}
	if !r.rr.Next() {
		if err := r.rr.Err(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	rec := r.rr.RecordBatch()
	rec.Retain()
	return rec, nil
}

func (r *recordReader) Close() error {
	if r.rr != nil {
		r.rr.Release()
		r.rr = nil
	}
	return nil
}

// NewSplitReader returns a Reader that serves the records of r cut into
// chunks of at most n rows, for consumers that bound the size of what they
// process at once (a sink's request size, a state store's write batch). The
// chunks are zero-copy slices. It takes ownership of r: Close closes it.
//
// REQUIRES: n > 0.
func NewSplitReader(r Reader, n int) Reader {
	if n <= 0 {
		panic(fmt.Sprintf("batch: NewSplitReader chunk size %d, want > 0", n))
	}
	return &splitReader{r: r, n: n}
}

type splitReader struct {
	r       Reader
	n       int
	pending []arrow.RecordBatch // chunks of the last record not yet returned
}

func (s *splitReader) Schema() *arrow.Schema { return s.r.Schema() }

func (s *splitReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for len(s.pending) == 0 {
		rec, err := s.r.Next(ctx)
		if err != nil {
			return nil, err
		}
		if rec.NumRows() <= int64(s.n) {
			// Already small enough (an empty record included): pass it on.
			return rec, nil
		}
		s.pending, err = Split(rec, s.n)
		rec.Release()
		if err != nil {
			return nil, err
		}
	}
	rec := s.pending[0]
	s.pending[0] = nil
	s.pending = s.pending[1:]
	return rec, nil
}

func (s *splitReader) Close() error {
	Release(s.pending)
	s.pending = nil
	return s.r.Close()
}
