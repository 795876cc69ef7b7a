// Package sinklog is the manifest log of the file sink's output directory,
// <dir>/_sluice_metadata: Spark's FileStreamSinkLog. The sink (package
// sink/file) writes it; every reader that wants only committed output —
// the batch API's readers in the module root, and any tool — reads it
// through Files. It sits below the module root so that both can.
//
//	l, err := sinklog.Open(ctx, st, 10) // st: a checkpoint.Storage rooted at <dir>/_sluice_metadata
//	err = l.Commit(ctx, 7, []sinklog.Status{{Path: "part-00007-….parquet", Size: 800, ModTime: ms}}, false)
//	paths, err := sinklog.Files(ctx, "/data/out") // what committed, for readers
//
// # Protocol
//
// A writer commits batch N in two steps:
//
//  1. it writes the batch's data files in the output directory, each
//     durable (temp file, fsync, rename, fsync the directory) and named
//     afresh per attempt, so a replay never overwrites a file;
//  2. Commit creates the manifest file of batch N listing them,
//     create-exclusive and durably (checkpoint.Storage.Create).
//
// Step 2 is the commit point: once the file exists the batch is in the
// output. Data files that no manifest file names — a crash between the two
// steps, an attempt that lost the race for step 2 — are orphans: readers
// never see them. Of two attempts at step 2 exactly one succeeds; the
// other gets an error wrapping checkpoint.ErrExist. The ids of the
// manifest files are dense: a writer commits N+1 after N (the first may be
// any id), and Commit refuses an id that would leave a gap or one already
// logged.
//
// # Format
//
// Spark's FileStreamSinkLog format, under _sluice_metadata/ instead of
// _spark_metadata/ (so Spark does not mistake the directory for its own).
// The entry of batch N is the file N: the version line "v1", then one line
// per file, each preceded by '\n' and none at the end (an entry without
// files is "v1" alone):
//
//	v1
//	{"path":"part-00008-…-c000.parquet","size":800,"isDir":false,"modificationTime":1700000000000,"blockReplication":1,"blockSize":33554432,"action":"add"}
//	{"path":"part-00007-…-c000.parquet","size":700,"isDir":false,"modificationTime":1699999999000,"blockReplication":1,"blockSize":33554432,"action":"delete"}
//
// An entry's adds come first, then its deletes (a Complete-mode batch
// deletes every file committed before it). Applying an entry appends its
// adds to the committed files (an add of a path already there replaces it
// in place), then removes its deletes; a delete of an unknown path is
// ignored.
//
// Sluice writes paths relative to the output directory (so the directory
// can be moved); it reads absolute paths and file: URLs too, as Spark
// writes them (Resolve); other URL schemes are an error. A reader needs
// path and action; size and modificationTime must be integers if present;
// other fields are ignored. A newer version line is refused with an error
// that says so (wrapping metalog.ErrNewerVersion). A file that does not
// parse is a *checkpoint.CorruptionError naming it, with the byte offset
// and line. Names in the directory that are not "N" or "N.compact" (temp
// files, Hadoop .crc files) are ignored.
//
// # Compaction
//
// Every batch N with (N+1) % interval == 0 (IsCompaction; the sink's
// default interval is 10, Spark's) writes N.compact instead of N: the list
// of every file committed as of N, all with "action":"add" — the previous
// compact file plus the entries since, deletes applied. So the log is read
// as the newest compact file plus the entries after it, at most interval
// small files whatever the query's age. The entries after the newest
// compact file must be dense (N+1, N+2, …); a gap is corruption. Entries
// at or below the newest compact file are ignored.
//
// Once N.compact is durable the writer calls Expire with q, the previous
// compact file's batch: it deletes the manifest files below q. A reader
// that listed the log just before the compaction reads q.compact and the
// entries after it, so those stay until the next compaction (Spark's
// deleteExpiredLog keeps the same window). Data files of batches below q
// that q.compact (ReadCompact) does not list are then unreachable by any
// reader, and the writer may delete them. An interrupted expiry is
// finished by the next one.
//
// # Reading
//
// Files lists the newest compact file and the entries after it, and
// applies them in order. A file a concurrent compaction deletes between
// the listing and the read makes it list again (a few times at most).
//
// # Concurrency
//
// A Log is its writer's view, kept in memory; one Log writes a directory at
// a time and is used by one goroutine at a time. Any number of readers
// (Files), in any process, may read while it writes: they see the log as
// of some batch, whole.
package sinklog
