package file

import (
	"fmt"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/fileformat"
)

// Format names, as Options.Format takes them.
const (
	CSV     = fileformat.CSV
	JSON    = fileformat.JSON // JSON lines
	Parquet = fileformat.Parquet
	Text    = fileformat.Text
)

// maxInferFiles bounds how many files schema inference reads: the first
// ones of the first log entry. Inference reads the start of every file it
// is given, and a first listing of a large backlog can hold thousands; a
// few dozen files catch the columns and types a directory has in practice.
const maxInferFiles = 32

// Options configure a file source. Errors from New name the option by its
// string name (the factory's), e.g. "maxFilesPerTrigger".
type Options struct {
	// Storage is the query's checkpoint, where the source keeps its log.
	Storage checkpoint.Storage
	// Dir is the log's directory in Storage: "sources/<i>", i being the
	// source's index in the query.
	Dir string

	// Path is the input: a directory (the files directly in it), a file, or
	// a glob (fileformat.Expand). Names starting with "." or "_" are skipped.
	Path string
	// Format is CSV, JSON, Parquet or Text.
	Format string
	// Schema is the rows' schema. Without one: CSV and JSON need
	// InferSchema; Parquet takes the first file's; Text is one string
	// column "value".
	Schema *arrow.Schema
	// InferSchema infers a CSV or JSON schema once, from the files of the
	// source's first log entry (at most maxInferFiles of them).
	InferSchema bool
	// Header: the first line of each CSV file names the columns.
	Header bool
	// Delimiter separates CSV fields; ',' if zero.
	Delimiter rune
	// Mode handles malformed CSV and JSON rows: "FAILFAST" (default),
	// "DROPMALFORMED" or "PERMISSIVE" (Spark's).
	Mode string
	// MaxFilesPerTrigger caps the files of one batch; 0 means no cap. The
	// engine's ReadLimit.MaxFiles, if lower, wins.
	MaxFilesPerTrigger int
	// LatestFirst takes new files in reverse name order, so that with a cap
	// the newest of a backlog go first.
	LatestFirst bool
	// BatchSize is the most rows per record; fileformat's default if zero.
	BatchSize int
}

// validate returns a copy of o checked, and the read options it implies
// (without a schema).
func (o Options) validate() (Options, fileformat.ReadOptions, error) {
	var ro fileformat.ReadOptions
	fail := func(format string, args ...any) (Options, fileformat.ReadOptions, error) {
		return o, ro, fmt.Errorf("file source: "+format, args...)
	}
	if o.Storage == nil {
		return fail("no checkpoint storage for the source log")
	}
	dir, err := checkpoint.ValidateDir(o.Dir)
	if err != nil || dir == "" {
		return fail("source log directory %q is not a checkpoint directory: %v", o.Dir, err)
	}
	o.Dir = dir
	if o.Path == "" {
		return fail("option %q is required", optPath)
	}
	if !strings.ContainsAny(o.Path, "*?[") {
		if _, err := os.Stat(o.Path); err != nil {
			return fail("option %q: %v", optPath, err)
		}
	}
	switch o.Format {
	case CSV, JSON, Parquet, Text:
	case "":
		return fail("option %q is required (csv, json, parquet or text)", optFormat)
	default:
		return fail("option %q: unknown format %q (want csv, json, parquet or text)", optFormat, o.Format)
	}
	mode := fileformat.FailFast
	if o.Mode != "" {
		if mode, err = fileformat.ParseMode(o.Mode); err != nil {
			return fail("option %q: %v", optMode, err)
		}
	}
	switch {
	case o.Schema != nil && o.InferSchema:
		return fail("options %q and %q both given; give one", optSchema, optInferSchema)
	case o.Schema == nil && !o.InferSchema && (o.Format == CSV || o.Format == JSON):
		return fail("option %q is required for %s (or set %q to true)", optSchema, o.Format, optInferSchema)
	case o.Format != CSV && o.Header:
		return fail("option %q applies to csv only", optHeader)
	case o.Format != CSV && o.Delimiter != 0:
		return fail("option %q applies to csv only", optDelimiter)
	case o.MaxFilesPerTrigger < 0:
		return fail("option %q: %d is negative", optMaxFiles, o.MaxFilesPerTrigger)
	case o.BatchSize < 0:
		return fail("batch size %d is negative", o.BatchSize)
	}
	ro = fileformat.ReadOptions{Format: o.Format, Schema: o.Schema, Header: o.Header,
		Delimiter: o.Delimiter, Mode: mode, BatchSize: o.BatchSize}
	// Let fileformat check the rest (delimiter, schema types) now, before
	// anything is logged: with a schema InferSchema reads no file.
	check := ro
	if check.Schema == nil {
		check.Schema = placeholderSchema
		if o.Format == Parquet {
			check.Format = Text
		}
	}
	if _, err := fileformat.InferSchema(nil, check); err != nil {
		return fail("%v", err)
	}
	return o, ro, nil
}

// placeholderSchema stands in for a schema still to be inferred when the
// read options are checked.
var placeholderSchema = arrow.NewSchema([]arrow.Field{{Name: "value", Type: arrow.BinaryTypes.String}}, nil)

// needsInference reports whether the schema comes from the files.
func (o Options) needsInference() bool {
	switch o.Format {
	case CSV, JSON:
		return o.Schema == nil
	case Parquet:
		return o.Schema == nil
	}
	return false
}
