// Package offsetlog records, per micro-batch, the source offsets that batch
// reads, with the watermark, timestamp and configuration it runs under. An
// entry is written before the batch runs and never rewritten; on restart
// every logged batch without a commit is run again with exactly what its
// entry says, which is what makes the replay deterministic.
//
//	l := offsetlog.New(st)
//	err := l.Add(ctx, 7, offsetlog.Entry{
//		Metadata: offsetlog.Metadata{BatchWatermarkMs: wm, BatchTimestampMs: now,
//			Conf: offsetlog.Conf{{Key: "spark.sql.shuffle.partitions", Value: "5"}}},
//		Offsets: []json.RawMessage{json.RawMessage(`{"logOffset":3}`), nil},
//	})
//	id, e, err := l.Latest(ctx) // errors.Is(err, offsetlog.ErrEmpty) on a new checkpoint
//
// # Format
//
// The entry of batch N is the file offsets/N, Spark's OffsetSeqLog format
// (version 1), so each side reads the other's checkpoints:
//
//	v1
//	{"batchWatermarkMs":0,"batchTimestampMs":1719290931555,"conf":{"spark.sql.shuffle.partitions":"5",...}}
//	<offset JSON of source 0>
//	<offset JSON of source 1>
//
// Lines are separated by '\n' and the last line has no newline after it
// (Spark writes none; a reader accepts one). Line 2 is the batch metadata,
// written compactly in this field order, as json4s writes Spark's
// OffsetSeqMetadata case class: batchWatermarkMs, batchTimestampMs, conf,
// then any fields this package does not know (Metadata.Extra, kept from the
// file read, verbatim). conf is omitted when Metadata.Conf is nil (Spark 2.1
// wrote no conf) and written, "{}" if empty, when it is not. Conf entries
// keep their order: Spark writes a Scala Map, whose order is a hash order,
// not sorted, and a rewrite must not reorder it. Strings are escaped as
// Jackson escapes them (metalog.AppendString).
//
// Then one line per source, in the query's source order: the source's
// offset JSON verbatim, or "-" for a source that has no offset yet. A line
// must be valid JSON (or "-"); Sluice does not otherwise interpret it.
//
// A file read with Parse and written with Encode is byte-identical to the
// original when the original is as Spark writes it (compact metadata, known
// fields first, strings escaped as Jackson escapes them, no trailing
// newline); otherwise it is equal in value.
//
// # Errors
//
// A file that does not parse is a *checkpoint.CorruptionError naming it
// (see package internal/metalog for the version line): an empty or
// truncated file, a missing or empty metadata line, metadata that is not a
// JSON object, a known field of the wrong type, a duplicate field or conf
// key, an offset line that is not JSON. A file cut short exactly at the end
// of an offset line cannot be told from an entry with fewer sources: the
// engine checks len(Entry.Offsets) against its sources, as Spark does.
//
// A Log is safe for concurrent use.
package offsetlog
