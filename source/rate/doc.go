// Package rate is Spark's rate source: it generates rows at a fixed rate,
// for testing and benchmarking queries without outside input.
//
//	src, err := rate.New(rate.Options{RowsPerSecond: 100})
//	end, err := src.Latest(ctx, nil, source.ReadLimit{}) // {"value":1,"startMs":1719290931555}
//	r, err := src.Read(ctx, nil, end, mem)               // the row with value 0
//
// Rows have two columns, as in Spark: timestamp (timestamp[us, UTC]) and
// value (int64). Row v, for v = 0, 1, 2, …, has value v and timestamp
//
//	startMs + floor(v * 1000 / rowsPerSecond)   milliseconds since the epoch
//
// where startMs is the wall-clock time of the query's first Latest,
// truncated to the millisecond. The rows are therefore a pure function of the
// offsets: a replay, after a restart too, produces the same rows.
//
// # Offsets
//
// An offset is {"value":N,"startMs":S} (exactly these bytes: no spaces,
// this field order): N rows, values 0 … N-1, have been handed out, and S is
// the start time. S is fixed by the first Latest (start nil) and carried in
// every offset after it, which is why it lives in the offset and not in the
// source: the offset log is the only durable place a source without a
// checkpoint directory has. Read(start, end) returns values start.value …
// end.value-1.
//
// Latest returns the rows due by now — those whose timestamp is at or before
// the clock — capped by ReadLimit.MaxRows; start itself if none is due. Row 0
// is due at startMs, so the first Latest returns a non-empty range.
//
// Not supported: rampUpTime (an error unless 0); numPartitions is accepted
// and ignored, since a Read is one stream of records.
//
// # Registry
//
// The package registers the source "rate" with the options rowsPerSecond
// (default 1), rampUpTime (only 0) and numPartitions (ignored).
//
// A Source is used by one goroutine at a time (source package rules).
package rate
