package benchdata

import (
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// EventSchema is the 6-column event schema of the stateless filter and
// projection workload: id, user, kind (one of EventKinds), amount in
// [0, 100) with four decimals (exact in a float64), ts (a millisecond
// apart from 2026-01-01 on), ok.
var EventSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "user", Type: arrow.PrimitiveTypes.Int64},
	{Name: "kind", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
}, nil)

// EventKinds are the values of the kind column, drawn uniformly.
var EventKinds = []string{"a", "b", "c", "d"}

// eventEpochMicros is 2026-01-01T00:00:00Z, the first event's ts.
const eventEpochMicros = 1_767_225_600_000_000

// Events are the event columns as Go slices, one entry per row; TS is in
// microseconds since the Unix epoch.
type Events struct {
	ID, User []int64
	Kind     []string
	Amount   []float64
	TS       []int64
	OK       []bool
}

// EventColumns returns the first n events of one fixed sequence: a smaller
// n gives a prefix of a larger n's events.
func EventColumns(n int) Events {
	r := rand.New(rand.NewPCG(5, 6))
	e := Events{make([]int64, n), make([]int64, n), make([]string, n), make([]float64, n), make([]int64, n), make([]bool, n)}
	for i := range n {
		e.ID[i] = int64(i)
		e.User[i] = r.Int64N(100_000)
		e.Kind[i] = EventKinds[r.IntN(len(EventKinds))]
		e.Amount[i] = float64(r.IntN(1_000_000)) / 10_000
		e.TS[i] = eventEpochMicros + int64(i)*1000
		e.OK[i] = r.IntN(2) == 0
	}
	return e
}

// EventRecords builds e as records of EventSchema of at most rows rows;
// the caller releases them.
func EventRecords(mem memory.Allocator, e Events, rows int) []arrow.RecordBatch {
	var recs []arrow.RecordBatch
	b := array.NewRecordBuilder(mem, EventSchema)
	defer b.Release()
	for start := 0; start < len(e.ID); start += rows {
		end := min(start+rows, len(e.ID))
		b.Field(0).(*array.Int64Builder).AppendValues(e.ID[start:end], nil)
		b.Field(1).(*array.Int64Builder).AppendValues(e.User[start:end], nil)
		b.Field(2).(*array.StringBuilder).AppendValues(e.Kind[start:end], nil)
		b.Field(3).(*array.Float64Builder).AppendValues(e.Amount[start:end], nil)
		ts := b.Field(4).(*array.TimestampBuilder)
		for _, t := range e.TS[start:end] {
			ts.Append(arrow.Timestamp(t))
		}
		b.Field(5).(*array.BooleanBuilder).AppendValues(e.OK[start:end], nil)
		recs = append(recs, b.NewRecordBatch())
	}
	return recs
}
