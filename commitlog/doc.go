// Package commitlog records which micro-batches are done. The entry of batch
// N is written once batch N's output and state are durable, in batch order,
// and never rewritten; on restart the highest committed batch is where
// recovery starts, and every later batch in the offset log runs again.
//
//	l := commitlog.New(st)
//	err := l.Add(ctx, 7, commitlog.Entry{NextBatchWatermarkMs: wm})
//	id, e, err := l.Latest(ctx) // errors.Is(err, commitlog.ErrEmpty): nothing committed
//
// # Format
//
// The entry of batch N is the file commits/N, Spark's CommitLog format
// (version 1), with no newline at the end (a reader accepts one):
//
//	v1
//	{"nextBatchWatermarkMs":1717622949519}
//
// The JSON is written compactly: nextBatchWatermarkMs first, as json4s
// writes Spark's CommitMetadata, then the fields this package does not
// interpret, verbatim and in order (Entry.Extra). Spark 4 may add
// "stateUniqueIds": empty, {}, in the v1 fixture
// checkpoint-version-4.0.0-tws-avro, filled in with state checkpoint format
// v2. Sluice may add its own, such as references to the state checkpoint a
// batch committed — give them names Spark will not use (a "sluice" prefix).
// Spark ignores fields it does not know, and this package keeps them, so a
// file read and written again is byte-identical when it was written the way
// Spark writes it, and equal in value otherwise.
//
// Spark 2.1–2.2 wrote "{}" (no watermark field); it reads as watermark 0
// and is written back with the field, as current Spark writes it. A file of
// only the version line, which Spark would read as "{}", no writer ever
// produced: it is reported as truncated. Spark 4's checkpoint format v2
// writes "v2" commit files; this build refuses them as newer.
//
// # Errors
//
// A file that does not parse is a *checkpoint.CorruptionError naming it:
// empty or truncated, a missing or garbled version line, a newer version,
// JSON that is not one object or has a duplicate field, a watermark that is
// not an integer, or anything after the JSON line.
//
// A Log is safe for concurrent use.
package commitlog
