// Package fileformat reads and writes the file formats Sluice shares between
// the batch API's readers and writers and, later, the streaming file source
// and file sink: CSV, JSON lines, Parquet and plain text.
//
// Reading turns a list of files into one batch.Reader with one schema:
//
//	paths, err := fileformat.Expand("data/*.csv") // a file, a directory or a glob
//	r, err := fileformat.Open(ctx, mem, paths, fileformat.ReadOptions{Format: "csv", Header: true})
//	defer r.Close()
//	rec, err := r.Next(ctx) // the caller releases every record
//
// Files are read in the order given, one at a time, and a file is opened only
// when a Next needs its rows; a record never spans two files. Without a schema,
// CSV and JSON schemas are inferred from the first ReadOptions.InferRows rows of
// every file (InferSchema); Parquet takes the schema of the first file.
//
// Malformed input follows Spark's modes. FailFast (the default) stops at the
// first bad row with a *MalformedError naming the file, the 1-based line and
// the column; DropMalformed skips the row and counts it (Reader.Dropped);
// Permissive keeps the row with the bad fields NULL and the raw line in a
// string column (ReadOptions.CorruptColumn, "_corrupt_record" by default) that
// is added to the schema.
//
// Writing drains a batch.Reader into one file (Write) or a directory of
// part-NNNNN files (WriteDir). Every file is first written to a temporary file
// in the same directory whose name starts with ".", fsynced, and renamed into
// place, then the directory is fsynced: a reader never sees a partial file, and
// Expand never lists a temporary one.
//
// # Formats
//
// CSV: RFC 4180 as encoding/csv reads it — fields separated by the delimiter
// (',' by default), optionally quoted with '"' (a quote inside a quoted field
// is doubled), records ending in \n or \r\n, blank lines skipped, a leading
// UTF-8 BOM ignored; as in encoding/csv, a \r\n inside a quoted field reads
// as \n. With a header, the first record of every file names the
// columns (duplicates get their index appended, empty names become _cN);
// without one, columns are _c0, _c1, …, and a given schema maps columns by
// position. An empty field is NULL for every type; the writer writes NULL as
// an empty field and an empty string as "" (which reads back as NULL).
//
// JSON lines: one JSON object per line (blank lines skipped). Keys map to
// columns by name; missing keys are NULL, keys not in the schema are ignored,
// and a repeated key keeps its last value. Nested objects and arrays are not
// expanded: they are kept as their JSON text in a string column. NaN and
// ±Infinity floats are written as the strings "NaN", "Infinity", "-Infinity"
// and read back from them.
//
// Values: integers in base 10; floats as Go's shortest representation with
// ".0" added to integral values (so they infer back as floats); booleans
// true/false (any case when reading CSV); timestamps as RFC 3339 in UTC
// ("2024-01-02T03:04:05.123456Z"), and read from "2006-01-02",
// "2006-01-02T15:04:05[.fff…][Z|±hh:mm]" or the same with a space for the T —
// a timestamp without a zone is taken as UTC; dates as "2006-01-02".
// Inference widens per column int64 → float64 → bool → timestamp → string:
// int64 and float64 merge to float64, any other conflict becomes string, and a
// column with only NULLs is a string. JSON strings are never inferred as
// timestamps (Spark's default too); give a schema to read them as such.
//
// Parquet: through arrow-go's pqarrow, Snappy-compressed by default, with the
// Arrow schema stored in the file so types round-trip. A given schema projects
// columns by name; a column missing from a file reads as NULL.
//
// Text: one row per line, in a single string column named "value", without
// the line ending (\n or \r\n).
//
// Concurrency: a Reader is not safe for concurrent use. Write and WriteDir may
// run concurrently on different paths.
package fileformat
