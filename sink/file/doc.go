// Package file is the file sink: it writes every micro-batch as Parquet,
// CSV, JSON-lines or text files in an output directory, exactly once,
// through a manifest log kept in the directory — Spark's FileStreamSink and
// its FileStreamSinkLog.
//
//	s, err := file.New(ctx, file.Options{Path: "/data/out", Format: fileformat.Parquet})
//	err = s.Write(ctx, id, sink.Append, r)
//	paths, err := file.Files("/data/out") // what committed, for readers
//
// or by name: sink.Open(ctx, "parquet", {"path": "/data/out"}) — the names
// are "file" (with a "format" option, default parquet), "parquet", "csv",
// "json" and "text"; the other options are compactInterval,
// maxRecordsPerFile, compression (parquet: snappy, zstd, gzip, lz4, none or
// uncompressed) and sep or delimiter (csv).
//
// # Protocol
//
// Write(id) for a batch id the manifest does not hold yet:
//
//  1. writes the batch's rows as new part files,
//     part-<id, 5 digits>-<uuid>-c<nnn>.<ext>, a fresh uuid per attempt and
//     one file per Options.Write.MaxRowsPerFile rows (no file for a batch
//     without rows); each is written to a temp file, fsynced, renamed and
//     its directory fsynced (fileformat.Write), so it is durable;
//  2. creates the batch's manifest entry _sluice_metadata/<id> listing
//     them, create-exclusive and durably (checkpoint.Local: temp file,
//     fsync, hard link that fails if the name exists, fsync the directory).
//
// Step 2 is the commit point. The sink needs no Committer: once the entry
// exists the batch is in the output, and the engine's commits/<id> only
// says whether the batch will be re-run. If the process dies:
//
//   - before step 2: the part files exist but no entry names them. They
//     are orphans: readers of the manifest never see them, the engine
//     re-runs the batch (new uuid, so nothing is overwritten), and a later
//     compaction deletes them. Temp files of an interrupted part are
//     removed when the sink is opened again.
//   - after step 2, before commits/<id>: the engine re-runs the batch and
//     Write skips it, because the manifest holds the id. (Write skips every
//     id at or below the newest logged one, as Spark's FileStreamSink does;
//     so a directory must not be reused by a new query whose ids start
//     again at 0.)
//
// If the entry already exists when step 2 runs (another attempt committed
// the batch in between), the files just written are removed and Write
// returns nil. A Create that fails for another reason may have taken effect
// nonetheless, so the parts are kept then; if the entry is missing they are
// orphans like any other.
//
// Output modes: Append adds the batch's files to the directory's committed
// content. Complete makes them its whole content: the entry also marks
// every file committed before as deleted ("action":"delete"), so a reader
// sees exactly the latest result. Update is refused, as Spark refuses it.
//
// # Manifest format and compaction
//
// The manifest log is package internal/sinklog, which documents it in
// full: Spark's FileStreamSinkLog format under _sluice_metadata/ instead
// of _spark_metadata/ (so Spark does not mistake the directory for its
// own). The entry of batch N is the file N: the version line "v1", then one
// JSON line per file ({"path":…,"size":…,"modificationTime":…,"action":"add"}
// or "delete"), paths relative to the output directory. A corrupt file is
// a *checkpoint.CorruptionError naming it.
//
// Every batch N with (N+1) % CompactInterval == 0 (default 10, Spark's)
// writes N.compact instead of N: every file committed as of N. Readers
// read the newest compact file and the entries after it. Once N.compact
// is durable the sink deletes the manifest files of batches below the
// previous compact file, then the part files of those batches that the
// previous compact file does not list — orphans of failed attempts and
// files a Complete-mode batch replaced. So in Complete mode the directory
// holds the results of at most about 2×CompactInterval batches. A
// compaction interrupted by a crash is finished by the next one. The
// compact file itself still lists every committed file: in Append mode it
// grows with the output (Spark's retention option, SPARK-27188, is not
// implemented).
//
// # Reading committed output
//
// A reader that wants only committed output must read the manifest, not
// list the directory: Files lists the committed files, Expand is
// fileformat.Expand with a manifest directory expanding to Files, and
// OpenReader opens a batch reader over them. The batch API does so:
// DataFrameReader.Load given such a directory reads its committed files
// (through internal/sinklog, as this package sits above the module root).
// The streaming file source does not yet.
//
// # Concurrency
//
// One Sink writes a directory at a time, used by one goroutine at a time
// (the sink.Sink contract); it keeps what the manifest says in memory. Any
// number of readers (Files, Expand, OpenReader), in any process, may read
// while it writes: they see the manifest as of some batch, whole.
package file
