package sluice

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/internal/fileformat"
	"github.com/sluicestream/sluice/internal/sinklog"
	"github.com/sluicestream/sluice/plan"
)

// DataFrameReader reads files into a DataFrame, as Spark's spark.read. Set
// options, then call a format method. Paths may be files, directories (every
// visible file inside) or globs. A directory the file sink writes (one
// holding _sluice_metadata) reads as the files its manifest commits, as
// Spark reads a directory holding _spark_metadata.
type DataFrameReader struct {
	s      *Session
	schema *arrow.Schema
	opts   map[string]string
	err    error
}

// Read starts reading files.
func (s *Session) Read() *DataFrameReader {
	return &DataFrameReader{s: s, opts: map[string]string{}}
}

// Schema sets the schema instead of inferring it.
func (r *DataFrameReader) Schema(s *arrow.Schema) *DataFrameReader {
	r.schema = s
	return r
}

// Option sets a reader option, with Spark's names: header ("true"/"false"),
// delimiter (alias sep), mode (FAILFAST, DROPMALFORMED, PERMISSIVE),
// columnNameOfCorruptRecord, inferSchema rows (samplingRows).
func (r *DataFrameReader) Option(key, value string) *DataFrameReader {
	r.opts[strings.ToLower(key)] = value
	return r
}

// CSV reads comma-separated files.
func (r *DataFrameReader) CSV(paths ...string) *DataFrame { return r.Load("csv", paths...) }

// JSON reads JSON-lines files: one object per line.
func (r *DataFrameReader) JSON(paths ...string) *DataFrame { return r.Load("json", paths...) }

// Parquet reads Parquet files.
func (r *DataFrameReader) Parquet(paths ...string) *DataFrame { return r.Load("parquet", paths...) }

// Text reads text files into one string column "value", a row per line.
func (r *DataFrameReader) Text(paths ...string) *DataFrame { return r.Load("text", paths...) }

// Load reads files of the given format (csv, json, parquet, text).
//
// A path that is a directory holding _sluice_metadata, the output of the
// streaming file sink, reads exactly the files the sink's manifest lists
// as committed: not the part files of a batch that never committed (a
// crash between its files and its manifest entry), not files a
// Complete-mode batch replaced, not the manifest itself. Any other path
// expands as fileformat.Expand does (a glob over such directories lists
// their files without the manifest, as in Spark). Such a directory may
// commit no file at all; then the schema must be set (except for text,
// whose schema is fixed).
func (r *DataFrameReader) Load(format string, paths ...string) *DataFrame {
	opts, err := r.readOptions(format)
	if err != nil {
		return r.s.errFrame(fmt.Errorf("read %s: %w", format, err))
	}
	if len(paths) == 0 {
		return r.s.errFrame(fmt.Errorf("read %s: no paths given", format))
	}
	var files []string
	for _, p := range paths {
		fs, err := expand(p)
		if err != nil {
			return r.s.errFrame(fmt.Errorf("read %s: %w", format, err))
		}
		files = append(files, fs...)
	}
	schema := r.schema
	if len(files) == 0 && schema == nil && opts.Format != fileformat.Text {
		return r.s.errFrame(fmt.Errorf("read %s: %s: the file sink committed no files, so there is no schema to infer; set one with Schema",
			format, strings.Join(paths, ", ")))
	}
	if schema == nil || opts.Mode == fileformat.Permissive {
		if schema, err = fileformat.InferSchema(files, opts); err != nil {
			return r.s.errFrame(fmt.Errorf("read %s: %w", format, err))
		}
	}
	name := strings.Join(paths, ",")
	return r.s.frame(plan.NewScan(&fileTable{name: name, paths: files, opts: opts, schema: schema}), nil)
}

// expand returns the files path names: for a directory the file sink
// writes, the committed files its manifest lists (sinklog.Files);
// otherwise fileformat.Expand's. The first may be empty.
func expand(path string) ([]string, error) {
	if sinklog.HasManifest(path) {
		return sinklog.Files(context.Background(), path)
	}
	return fileformat.Expand(path)
}

func (r *DataFrameReader) readOptions(format string) (fileformat.ReadOptions, error) {
	o := fileformat.ReadOptions{Format: format, Schema: r.schema}
	for k, v := range r.opts {
		switch k {
		case "header":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return o, fmt.Errorf("option header: %q is not true or false", v)
			}
			o.Header = b
		case "delimiter", "sep":
			rs := []rune(v)
			if len(rs) != 1 {
				return o, fmt.Errorf("option %s: %q is not one character", k, v)
			}
			o.Delimiter = rs[0]
		case "mode":
			switch strings.ToUpper(v) {
			case "FAILFAST":
				o.Mode = fileformat.FailFast
			case "DROPMALFORMED":
				o.Mode = fileformat.DropMalformed
			case "PERMISSIVE":
				o.Mode = fileformat.Permissive
			default:
				return o, fmt.Errorf("option mode: %q is not FAILFAST, DROPMALFORMED or PERMISSIVE", v)
			}
		case "columnnameofcorruptrecord":
			o.CorruptColumn = v
		case "samplingrows":
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return o, fmt.Errorf("option samplingRows: %q is not a positive number", v)
			}
			o.InferRows = n
		default:
			return o, fmt.Errorf("unknown option %q", k)
		}
	}
	return o, nil
}
