// Package file is the streaming file source: a directory of files of one
// format (CSV, JSON lines, Parquet or text, read by internal/fileformat)
// watched for new files, as Spark's FileStreamSource.
//
//	src, err := file.New(ctx, file.Options{
//		Storage: st, Dir: "sources/0", // the query's checkpoint; the source's log
//		Path: "in/", Format: file.CSV, Header: true, Schema: schema,
//		MaxFilesPerTrigger: 10,
//	})
//	end, err := src.Latest(ctx, start, source.ReadLimit{}) // {"logOffset":12}
//	r, err := src.Read(ctx, start, end, mem)               // the rows of files 11 and 12
//
// # The sequence of files
//
// The source keeps its own sequence of the files it has taken, in the order
// it took them. When Latest finds nothing in the sequence after its start,
// it lists the input path; the files not in the sequence, sorted by name
// (reversed with LatestFirst), are taken — at most MaxFilesPerTrigger, or
// the engine's ReadLimit.MaxFiles if lower — and appended. A file is taken
// once, by path: a file that appears with a name sorting before files
// already taken is still taken, at the end, as Spark takes files by arrival;
// a file rewritten under a name already taken is not taken again. Files the
// cap leaves behind are listed again by the next Latest, with whatever has
// arrived meanwhile.
//
// An offset is the number of files in the sequence up to it, as
// {"logOffset":N} (exactly these bytes). Read(start, end) reads files
// start+1 … end of the sequence, in order, one after the other. Note that
// Spark's logOffset numbers the entries of its log rather than counting
// files: the two agree only when every entry holds one file, so a Spark
// file-source checkpoint cannot be resumed by Sluice (nor the reverse).
//
// # The source log
//
// Before Latest returns an offset, the files it covers are durable in the
// source log, directory Options.Dir ("sources/<i>") of the query's
// checkpoint, so that a replay after a restart reads exactly the same files
// even if the directory changed since: new files are ignored for the logged
// range, and a logged file that was deleted fails the read with a
// *MissingFileError naming the file and its entry. On restart New rebuilds
// the sequence from the log.
//
// Each listing that takes files writes one entry, named by the offset at
// its end: the entry sources/0/5 after taking files 4 and 5 holds those two
// files. The format is Spark's FileStreamSourceLog's, through
// internal/metalog (written once with Storage.Create, a version line, then
// one compact JSON object per file, lines separated by '\n', no newline at
// the end):
//
//	v1
//	{"path":"/data/in/a.csv","timestamp":1719290931555,"batchId":5}
//	{"path":"/data/in/b.csv","timestamp":1719290932000,"batchId":5}
//
// path is the file's absolute path (Spark writes a URI, "file:/…"),
// timestamp its modification time in ms when it was listed, batchId the
// entry's name. Reading checks that the entries chain from offset 0 — entry
// K follows entry J and lists K-J files, all with batchId K, none listed
// before — and reports anything else as a *checkpoint.CorruptionError
// naming the entry.
//
// The log is never compacted (Spark compacts every 10 entries into
// "N.compact" files; Sluice neither writes nor reads them) and never purged:
// Commit does nothing, and the sequence and its set of seen paths stay in
// memory for the life of the source. Spark bounds that set with maxFileAge;
// this source does not.
//
// # Schema
//
// The schema is fixed when the source is created. It is Options.Schema (the
// "schema" option, in Spark's DDL: see ParseSchema), plus the corrupt-record
// column in PERMISSIVE mode. Without one: text is one string column "value";
// Parquet takes the schema stored in the first file; CSV and JSON need
// InferSchema, which infers the schema once, from the files of the first log
// entry (the first maxInferFiles of them). If the log is empty, New takes
// the first files at once, logging them, so that the files inferred from
// are the logged ones and a restart infers the same schema — as long as
// those files still exist.
//
// # Registry
//
// The package registers the source "file" with the string options path,
// format, schema, inferSchema, header, delimiter, mode, maxFilesPerTrigger,
// latestFirst (Spark's names, matched in any case), checkpointLocation (the
// query's checkpoint, opened with checkpoint.Open; required) and sourceIndex
// (default 0; the log goes to sources/<sourceIndex>). Unknown options and
// bad values are errors naming the option.
//
// # Caveats
//
// A file is read as it is when a batch reads it: one still being written
// when listed may be read half-written (write into a name starting with "."
// or "_", which are not listed, then rename), and one changed after it was
// logged replays with its new content. A Source is used by one goroutine at
// a time, and one query at a time may use a source log.
package file
