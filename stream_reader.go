package sluice

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/source"
)

// DataStreamReader reads a stream into a streaming DataFrame, as Spark's
// spark.readStream. Set the format and options, then call Load or a format
// method. Nothing is read until a query over the DataFrame starts
// (DataFrame.WriteStream), but the options are checked and the schema is
// resolved here, so that the DataFrame's columns are known.
//
// Sources are found by name in the source registry (source.Open), so the
// packages that implement them must be linked in, as database/sql drivers
// are:
//
//	import _ "github.com/sluicestream/sluice/source/file" // csv, json, parquet, text
//	import _ "github.com/sluicestream/sluice/source/rate" // rate
//
// The file formats (csv, json, parquet, text) read a directory (or a glob)
// and take new files as they appear. Their options are the file source's,
// with Spark's names, in any case: schema (Spark's DDL, or use Schema),
// inferSchema, header, delimiter (alias sep), mode (FAILFAST,
// DROPMALFORMED, PERMISSIVE), maxFilesPerTrigger, latestFirst. As in Spark
// a CSV or JSON stream needs a schema, or inferSchema "true": the schema is
// then inferred from the files in the directory now (at most 32 of them)
// and fixed for the query. Any other format is a registered source given
// the options as they are ("rate": rowsPerSecond; "memory": name).
type DataStreamReader struct {
	s      *Session
	format string
	schema *arrow.Schema
	opts   map[string]string // as the caller spelled the keys; one per key in any case
}

// ReadStream starts reading a stream.
func (s *Session) ReadStream() *DataStreamReader {
	return &DataStreamReader{s: s, opts: map[string]string{}}
}

// Format sets the source: csv, json, parquet, text, or the name of a
// registered source (rate, memory, …).
func (r *DataStreamReader) Format(name string) *DataStreamReader {
	r.format = name
	return r
}

// Schema sets the rows' schema instead of the "schema" option or inference.
func (r *DataStreamReader) Schema(s *arrow.Schema) *DataStreamReader {
	r.schema = s
	return r
}

// Option sets a source option. Keys match in any case; a later value
// replaces an earlier one.
func (r *DataStreamReader) Option(key, value string) *DataStreamReader {
	deleteOption(r.opts, key)
	r.opts[key] = value
	return r
}

// Options sets several source options.
func (r *DataStreamReader) Options(opts map[string]string) *DataStreamReader {
	for k, v := range opts {
		r.Option(k, v)
	}
	return r
}

// CSV streams the CSV files of a directory.
func (r *DataStreamReader) CSV(path string) *DataFrame { return r.Format(fileCSV).Load(path) }

// JSON streams the JSON-lines files of a directory.
func (r *DataStreamReader) JSON(path string) *DataFrame { return r.Format(fileJSON).Load(path) }

// Parquet streams the Parquet files of a directory.
func (r *DataStreamReader) Parquet(path string) *DataFrame {
	return r.Format(fileParquet).Load(path)
}

// Text streams the lines of the text files of a directory, one string
// column "value".
func (r *DataStreamReader) Text(path string) *DataFrame { return r.Format(fileText).Load(path) }

// Load returns the streaming DataFrame of the source. path, if given, is
// the option "path": for the file formats the directory (or glob) to watch.
func (r *DataStreamReader) Load(path ...string) *DataFrame {
	if len(path) > 1 {
		return r.s.errFrame(fmt.Errorf("read stream %s: one path (a directory or a glob), not %d", r.format, len(path)))
	}
	if len(path) == 1 {
		r.Option("path", path[0])
	}
	var t *streamSource
	var err error
	if isFileFormat(r.format) {
		t, err = r.fileSource()
	} else {
		t, err = r.registeredSource()
	}
	if err != nil {
		return r.s.errFrame(err)
	}
	return r.s.frame(plan.NewScan(t), nil)
}

// FromSource returns a streaming DataFrame over src, a source the caller
// made and keeps: queries read it but never close it, so one source (a
// source/memory stream in a test, say) serves a query that is stopped and
// started again. name describes it in plans and errors. A source that keeps
// its own log in the checkpoint, as the file source does, belongs to one
// query's checkpoint: use ReadStream for it.
func (s *Session) FromSource(name string, src source.Source) *DataFrame {
	if src == nil {
		return s.errFrame(fmt.Errorf("from source %q: nil source", name))
	}
	return s.frame(plan.NewScan(&streamSource{desc: name, schema: src.Schema(), src: src}), nil)
}

// IsStreaming reports whether the DataFrame reads a stream, so that it runs
// only as a streaming query (WriteStream), as Spark's isStreaming.
func (df *DataFrame) IsStreaming() bool {
	return df.err == nil && isStreaming(df.node)
}

// The file formats, which the "file" source reads.
const (
	fileCSV     = "csv"
	fileJSON    = "json"
	fileParquet = "parquet"
	fileText    = "text"
	fileSource  = "file" // the registered name of the file source
)

func isFileFormat(f string) bool {
	switch strings.ToLower(f) {
	case fileCSV, fileJSON, fileParquet, fileText:
		return true
	}
	return false
}

// implementations names the package that registers each source and sink
// this package knows by name, for the error saying which to import.
var implementations = map[string]string{
	"source " + fileSource:         "source/file",
	"source rate":                  "source/rate",
	"source memory":                "source/memory",
	"sink console":                 "sink/console",
	"sink memory":                  "sink/memory",
	"sink file":                    "sink/file",
	"sink parquet":                 "sink/file",
	"sink csv":                     "sink/file",
	"sink json":                    "sink/file",
	"sink text":                    "sink/file",
	"state store provider rocksdb": "statestore/rocksdb",
	"state store provider memory":  "statestore/mem",
}

// notRegistered is the error for a source or sink (kind) that no linked
// package registered under name.
func notRegistered(kind, name string, registered []string) error {
	if pkg, ok := implementations[kind+" "+name]; ok {
		return fmt.Errorf("%s %q is not registered: import _ %q", kind, name, "github.com/sluicestream/sluice/"+pkg)
	}
	return fmt.Errorf("unknown %s %q; registered: %v", kind, name, registered)
}

// queryOptions are the options of the file source that the reader or the
// query sets; the caller may not.
var queryOptions = []string{"checkpointLocation", "sourceIndex", "format"}

// fileSource checks the options of a file format and resolves its schema by
// opening the file source once over a scratch checkpoint, then returns the
// source's spec: the same options, with the schema fixed.
func (r *DataStreamReader) fileSource() (*streamSource, error) {
	format := strings.ToLower(r.format)
	opts := map[string]string{}
	for k, v := range r.opts {
		switch {
		case slices.ContainsFunc(queryOptions, func(q string) bool { return strings.EqualFold(k, q) }):
			return nil, fmt.Errorf("read stream %s: option %q is set by the query, not by the reader", format, k)
		case strings.EqualFold(k, "sep"):
			k = "delimiter" // Spark's alias; the file source knows one name
		}
		opts[k] = v
	}
	path := lookup(opts, "path")
	fail := func(err error) (*streamSource, error) {
		return nil, fmt.Errorf("read stream %s %q: %w", format, path, err)
	}
	if path == "" {
		return nil, fmt.Errorf("read stream %s: no path given: Load(dir) or option \"path\"", format)
	}
	if r.schema != nil {
		if lookup(opts, "schema") != "" {
			return fail(fmt.Errorf("both Schema and option \"schema\" given; give one"))
		}
		ddl, err := schemaDDL(r.schema)
		if err != nil {
			return fail(fmt.Errorf("Schema: %w", err))
		}
		opts["schema"] = ddl
	}
	opts["format"] = format
	inferred := lookup(opts, "schema") == "" && format != fileText
	schema, err := probeFileSource(opts)
	if err != nil {
		return fail(err)
	}
	// Fix an inferred schema, as Spark infers once per query start: the
	// running source then reads with it rather than inferring again, from
	// the files of its own first batch.
	if ddl, err := schemaDDL(schema); err == nil && inferred {
		deleteOption(opts, "inferSchema")
		opts["schema"] = ddl
	}
	t := &streamSource{desc: format + " " + path, schema: schema, name: fileSource, opts: opts}
	// The query applies maxFilesPerTrigger (checked by the probe) as the
	// engine's read limit, not the source: a source capping itself would
	// also cap the offset an AvailableNow trigger runs up to, so that the
	// query would stop after the first batch instead of reading everything
	// in batches of that many files.
	if v := lookup(opts, "maxFilesPerTrigger"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n <= 0 {
			return fail(fmt.Errorf("option maxFilesPerTrigger: %q is not a positive integer", v))
		}
		t.maxFiles = n
		deleteOption(opts, "maxFilesPerTrigger")
	}
	return t, nil
}

// deleteOption removes option key, in any case, from opts.
func deleteOption(opts map[string]string, key string) {
	for k := range opts {
		if strings.EqualFold(k, key) {
			delete(opts, k)
		}
	}
}

// probeFileSource opens the file source with opts over a scratch checkpoint,
// to check the options and learn the schema (inferred from the first files
// of the directory if need be), and closes it.
func probeFileSource(opts map[string]string) (*arrow.Schema, error) {
	if !slices.Contains(source.Names(), fileSource) {
		return nil, notRegistered("source", fileSource, source.Names())
	}
	scratch, err := os.MkdirTemp("", "sluice-readstream-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	o := withOptions(opts, map[string]string{"checkpointLocation": scratch, "sourceIndex": "0"})
	src, err := source.Open(context.Background(), fileSource, o)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return src.Schema(), nil
}

// registeredSource opens the registered source of r's format once, to check
// the options and learn the schema, and returns its spec; the query opens it
// again when it starts.
func (r *DataStreamReader) registeredSource() (*streamSource, error) {
	name := r.format
	if name == "" {
		return nil, fmt.Errorf("read stream: no format: set one with Format (csv, json, parquet, text, rate, …)")
	}
	if !slices.Contains(source.Names(), name) {
		return nil, fmt.Errorf("read stream: %w", notRegistered("source", name, source.Names()))
	}
	opts := withOptions(r.opts, nil)
	src, err := source.Open(context.Background(), name, opts)
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", name, err)
	}
	schema := src.Schema()
	if err := src.Close(); err != nil {
		return nil, fmt.Errorf("read stream %s: close: %w", name, err)
	}
	if r.schema != nil && !sameColumns(r.schema, schema) {
		return nil, fmt.Errorf("read stream %s: Schema (%s) differs from the source's own schema (%s)", name, columns(r.schema), columns(schema))
	}
	desc := name
	if p := lookup(opts, "path"); p != "" {
		desc += " " + p
	}
	return &streamSource{desc: desc, schema: schema, name: name, opts: opts}, nil
}

// lookup returns the value of option key in any case, "" if unset.
func lookup(opts map[string]string, key string) string {
	for k, v := range opts {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// withOptions returns a copy of opts with extra set over it (keys in any
// case).
func withOptions(opts, extra map[string]string) map[string]string {
	out := make(map[string]string, len(opts)+len(extra))
	for k, v := range opts {
		if lookup(extra, k) == "" {
			out[k] = v
		}
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}
