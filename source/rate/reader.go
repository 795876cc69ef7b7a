package rate

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// reader generates rows next … end-1 on demand.
type reader struct {
	mem       memory.Allocator
	next, end int64 // values still to generate
	startMs   int64
	rate      int64
	batchSize int64
	vals      []int64 // scratch, one batch long
	ts        []arrow.Timestamp
}

func newReader(mem memory.Allocator, from, to, startMs int64, opts Options) *reader {
	return &reader{mem: mem, next: from, end: to, startMs: startMs, rate: opts.RowsPerSecond, batchSize: int64(opts.BatchSize)}
}

func (r *reader) Schema() *arrow.Schema { return Schema }

// Next returns the next record of at most batchSize rows, or io.EOF.
func (r *reader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.next >= r.end {
		return nil, io.EOF
	}
	n := min(r.end-r.next, r.batchSize)
	if int64(cap(r.vals)) < n {
		r.vals, r.ts = make([]int64, n), make([]arrow.Timestamp, n)
	}
	vals, ts := r.vals[:n], r.ts[:n]
	for i := range vals {
		v := r.next + int64(i)
		vals[i] = v
		ts[i] = arrow.Timestamp(timestampMs(r.startMs, v, r.rate) * 1000) // µs
	}
	r.next += n
	return r.record(vals, ts), nil
}

func (r *reader) record(vals []int64, ts []arrow.Timestamp) arrow.RecordBatch {
	tb := array.NewTimestampBuilder(r.mem, Schema.Field(0).Type.(*arrow.TimestampType))
	defer tb.Release()
	tb.AppendValues(ts, nil)
	vb := array.NewInt64Builder(r.mem)
	defer vb.Release()
	vb.AppendValues(vals, nil)
	tcol, vcol := tb.NewArray(), vb.NewArray()
	defer tcol.Release()
	defer vcol.Release()
	return array.NewRecordBatch(Schema, []arrow.Array{tcol, vcol}, int64(len(vals)))
}

// Close stops the reader; the rows not yet generated never are.
func (r *reader) Close() error {
	r.next = r.end
	return nil
}
