package rate

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/source"
)

const (
	// DefaultRowsPerSecond is Spark's default rowsPerSecond.
	DefaultRowsPerSecond = 1
	// MaxRowsPerSecond bounds the rate so that a row's timestamp is computed
	// without overflow ((v mod rate) * 1000 fits in an int64); no machine
	// comes near it.
	MaxRowsPerSecond = 1_000_000_000_000_000
	// DefaultBatchSize is the most rows per record Read returns, the same as
	// the file formats' (internal/fileformat.DefaultBatchSize).
	DefaultBatchSize = 8192
)

// Schema is the rate source's schema, Spark's: timestamp, value.
var Schema = arrow.NewSchema([]arrow.Field{
	{Name: "timestamp", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "value", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
}, nil)

// Options configure a rate source.
type Options struct {
	// RowsPerSecond is the rate; DefaultRowsPerSecond if zero.
	RowsPerSecond int64
	// Now is the wall clock; time.Now if nil. Tests inject their own.
	Now func() time.Time
	// BatchSize is the most rows per record; DefaultBatchSize if zero.
	BatchSize int
}

func (o Options) validate() (Options, error) {
	if o.RowsPerSecond == 0 {
		o.RowsPerSecond = DefaultRowsPerSecond
	}
	if o.RowsPerSecond < 0 || o.RowsPerSecond > MaxRowsPerSecond {
		return o, fmt.Errorf("rate source: rowsPerSecond %d is not between 1 and %d", o.RowsPerSecond, int64(MaxRowsPerSecond))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.BatchSize == 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.BatchSize < 0 {
		return o, fmt.Errorf("rate source: negative batch size %d", o.BatchSize)
	}
	return o, nil
}

// Source generates rows at a fixed rate.
type Source struct {
	opts Options
}

var _ source.Source = (*Source)(nil)

// New returns a rate source.
func New(opts Options) (*Source, error) {
	opts, err := opts.validate()
	if err != nil {
		return nil, err
	}
	return &Source{opts: opts}, nil
}

// Schema returns Schema.
func (s *Source) Schema() *arrow.Schema { return Schema }

// Latest returns the offset after the rows due by now (capped by
// limit.MaxRows), or start if none is due. With start nil it fixes the start
// time to now.
func (s *Source) Latest(ctx context.Context, start source.Offset, limit source.ReadLimit) (source.Offset, error) {
	now := s.opts.Now().UnixMilli()
	from := offset{startMs: now}
	if start != nil {
		var err error
		if from, err = parseOffset(start); err != nil {
			return nil, err
		}
	}
	end := dueRows(now-from.startMs, s.opts.RowsPerSecond)
	if limit.MaxRows > 0 && end-from.value > limit.MaxRows {
		end = from.value + limit.MaxRows
	}
	if end <= from.value {
		return start, nil
	}
	return offset{value: end, startMs: from.startMs}.encode(), nil
}

// dueRows returns how many rows have a timestamp at most elapsedMs after
// the start: row v is due when floor(v*1000/rate) <= elapsedMs, that is
// when v < (elapsedMs+1)*rate/1000, so the count is
// ceil((elapsedMs+1)*rate/1000). It saturates at math.MaxInt64.
func dueRows(elapsedMs, rate int64) int64 {
	if elapsedMs < 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(elapsedMs)+1, uint64(rate))
	lo, carry := bits.Add64(lo, 999, 0)
	hi += carry
	if hi >= 1000 {
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, 1000)
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(q)
}

// timestampMs returns the timestamp of row v in ms since the epoch:
// startMs + floor(v*1000/rate), computed without overflowing v*1000.
func timestampMs(startMs, v, rate int64) int64 {
	return startMs + (v/rate)*1000 + (v%rate)*1000/rate
}

// Read returns the rows with values start.value … end.value-1, in records
// of at most Options.BatchSize rows allocated from mem, generated as the
// reader is pulled. start nil is value 0 with end's start time.
func (s *Source) Read(ctx context.Context, start, end source.Offset, mem memory.Allocator) (batch.Reader, error) {
	to, err := parseOffset(end)
	if err != nil {
		return nil, err
	}
	from := offset{startMs: to.startMs}
	if start != nil {
		if from, err = parseOffset(start); err != nil {
			return nil, err
		}
	}
	switch {
	case from.startMs != to.startMs:
		return nil, fmt.Errorf("rate source: read (%s, %s]: offsets of different start times", start, end)
	case to.value < from.value:
		return nil, fmt.Errorf("rate source: read (%s, %s]: end before start", start, end)
	}
	return newReader(mem, from.value, to.value, to.startMs, s.opts), nil
}

// Commit does nothing: the source keeps no data.
func (s *Source) Commit(ctx context.Context, end source.Offset) error { return nil }

// Close does nothing.
func (s *Source) Close() error { return nil }
