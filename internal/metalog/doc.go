// Package metalog is the storage layer under the offset and commit logs: a
// log of small metadata files, one per micro-batch id, in one directory of a
// checkpoint.Storage, in the format Spark's HDFSMetadataLog uses, so that
// Sluice reads a Spark checkpoint and Spark reads Sluice's.
//
//	l := metalog.New(st, "offsets", 1)
//	err := l.Add(ctx, 7, body)      // *AlreadyLoggedError if offsets/7 exists
//	rec, err := l.Get(ctx, 7)       // rec.Version, rec.Body
//	last, err := l.Latest(ctx)      // ErrEmpty if the log has no entry
//	err = l.Purge(ctx, metalog.DefaultMinBatchesToRetain)
//
// Package offsetlog and package commitlog give the entries their types: each
// is a Typed log with a Codec of its own, which parses an entry's body (the
// bytes after the version line) and encodes it back; this package knows only
// the version line.
//
//	codec := metalog.Codec[Entry]{Version: 1, ParseBody: parseBody, EncodeBody: Entry.encodeBody}
//	l := metalog.NewTyped(st, "commits", codec)
//	err := l.Add(ctx, 7, e)         // encodes e; *AlreadyLoggedError as above
//	id, e, err := l.Latest(ctx)     // parses the newest entry
//
// The package also reads and writes the query metadata file at the
// checkpoint root (QueryMetadata), which has no version line and no batch id
// but the same JSON rules.
//
// # Files
//
// The entry of batch N is the file <dir>/N, N in decimal without sign or
// leading zeros. It is written once, with Storage.Create, so of two writers
// of one id exactly one succeeds and the other gets *AlreadyLoggedError; it
// is never rewritten. Other names in the directory are not entries and are
// ignored: Storage temp files, Hadoop ".N.crc" side files, Spark's
// "N.compact" files (compacted file-source and file-sink logs; offsets and
// commits never use them), and names Spark would parse as numbers but never
// writes ("007", "+7", "-1").
//
// An entry's bytes are
//
//	v<version> '\n' <body>
//
// The version is a decimal integer > 0 (Spark: MetadataVersionUtil). A
// version above the one the log was opened with is refused, as Spark refuses
// it: the file was written by a newer Sluice or Spark. The body's format is
// the typed log's. Sluice writes no newline after the body (Spark writes
// none); a reader accepts one, as hand-edited files have it, and ignores it.
//
// # Corruption
//
// Reading reports a file that no writer could have produced as a
// *checkpoint.CorruptionError naming the file: an empty file, a missing or
// garbled version line ("v", "x1", "v0", "v1x"), a file that ends in the
// version line, a version newer than this build reads (Err wraps
// ErrNewerVersion), and, from the typed logs, a body that does not parse.
// Errors from the Storage (I/O, a missing file, a cancelled context) are
// returned as they are, never as corruption: they may go away on retry,
// corruption does not.
//
// # Gaps
//
// Sluice writes ids in order, one entry per batch, and purges oldest first,
// so its logs are dense: the ids present are one run [first, last]. Ids
// below first were purged; that is never an error. A missing id inside the
// run (offsets 1, 2, 4) is a gap. Spark's own synchronous execution never
// leaves one either: HDFSMetadataLog assumes the ids between the lowest and
// the highest all exist and fails when one does not. But Spark with
// asyncProgressTrackingEnabled writes offsets and commits only every
// asyncProgressTrackingCheckpointIntervalMs and so leaves gaps on purpose;
// the fixture checkpoint-test-offsetId-commitId-inconsistent (offsets 1, 2,
// 4) is such a checkpoint, and Spark restarts it by re-running batch 4 from
// batch 2's offsets. Nothing in the checkpoint says whether async progress
// tracking was on, so this package cannot decide: List returns the ids that
// exist, gaps and all, and CheckDense (and the typed logs' ListDense) turns
// a gap into a *checkpoint.CorruptionError naming the missing file, for
// callers that expect dense ids — the engine, for the checkpoints it writes.
// Gaps returns the missing ids for a caller that wants to decide itself.
//
// # Concurrency
//
// A Log holds no state besides its Storage, directory and version, and a
// Typed log none besides its Log and Codec; both are safe for concurrent use,
// and as safe across processes as the Storage's Create is. Purge racing an
// Add of an old id may delete that id's new entry; the engine purges only
// ids far below the ones it writes.
package metalog
