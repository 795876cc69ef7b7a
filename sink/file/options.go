package file

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/sluicestream/sluice/internal/fileformat"
	"github.com/sluicestream/sluice/sink"
)

// DefaultCompactInterval is how many batches pass between compact files:
// Spark's spark.sql.streaming.fileSink.log.compactInterval default. A
// reader reads at most this many files besides the compact one, and a
// compaction rewrites the list of every committed file, so the interval
// trades read cost against write cost; Spark's value keeps both small.
const DefaultCompactInterval = 10

// Options configure a file sink.
type Options struct {
	// Path is the output directory; it is created if needed.
	Path string
	// Format is fileformat.Parquet (the default, as Spark's), CSV, JSON or
	// Text. CSV files start with a header line.
	Format string
	// CompactInterval: every batch id with (id+1) % CompactInterval == 0
	// writes a compact file; DefaultCompactInterval if 0.
	CompactInterval int
	// Write holds the CSV delimiter, the Parquet compression and
	// MaxRowsPerFile (Spark's maxRecordsPerFile): a batch writes one part
	// file per MaxRowsPerFile rows, one part if zero.
	Write fileformat.WriteOptions
}

// parquetCodecs are the compressions fileformat writes Parquet with.
var parquetCodecs = []string{"snappy", "zstd", "gzip", "lz4", "none"}

// validate returns o with defaults filled in and Path made absolute, or an
// error naming the wrong option.
func (o Options) validate() (Options, error) {
	if o.Path == "" {
		return o, fmt.Errorf("file sink: no path")
	}
	abs, err := filepath.Abs(o.Path)
	if err != nil {
		return o, fmt.Errorf("file sink: path %q: %w", o.Path, err)
	}
	o.Path = abs
	switch o.Format {
	case "":
		o.Format = fileformat.Parquet
	case fileformat.Parquet, fileformat.CSV, fileformat.JSON, fileformat.Text:
	default:
		return o, fmt.Errorf("file sink: format %q is not parquet, csv, json or text", o.Format)
	}
	switch {
	case o.CompactInterval < 0:
		return o, fmt.Errorf("file sink: compactInterval %d is negative", o.CompactInterval)
	case o.CompactInterval == 0:
		o.CompactInterval = DefaultCompactInterval
	}
	if o.Write.MaxRowsPerFile < 0 {
		return o, fmt.Errorf("file sink: maxRecordsPerFile %d is negative", o.Write.MaxRowsPerFile)
	}
	if c := o.Write.Compression; c != "" && o.Format != fileformat.Parquet {
		return o, fmt.Errorf("file sink: compression %q applies to parquet, not %s", c, o.Format)
	} else if c != "" && !slices.Contains(parquetCodecs, c) {
		return o, fmt.Errorf("file sink: compression %q is not one of %v", c, parquetCodecs)
	}
	if d := o.Write.Delimiter; d != 0 && (d == '"' || d == '\r' || d == '\n' || d == utf8.RuneError || d < 0) {
		return o, fmt.Errorf("file sink: delimiter %q cannot separate CSV fields", d)
	}
	return o, nil
}

// formats are the names the sink registers: "file" takes a format option,
// the others are Spark's format names (writeStream.format("parquet")).
var formats = map[string]string{
	"file":             "",
	fileformat.Parquet: fileformat.Parquet,
	fileformat.CSV:     fileformat.CSV,
	fileformat.JSON:    fileformat.JSON,
	fileformat.Text:    fileformat.Text,
}

func init() {
	for name, format := range formats {
		sink.Register(name, func(ctx context.Context, opts map[string]string) (sink.Sink, error) {
			o, err := parseOptions(name, format, opts)
			if err != nil {
				return nil, err
			}
			return New(ctx, o)
		})
	}
}

// optionNames lists the string options, for error messages.
var optionNames = []string{"path", "format", "compactInterval", "maxRecordsPerFile", "compression", "sep", "delimiter"}

// parseOptions reads the string options of the sink registered as name,
// whose format is fixed unless it is "".
func parseOptions(name, format string, opts map[string]string) (Options, error) {
	o := Options{Format: format}
	for k, v := range opts {
		if err := o.set(name, format, k, v); err != nil {
			return o, fmt.Errorf("%s sink: option %s: %w", name, k, err)
		}
	}
	if opts["sep"] != "" && opts["delimiter"] != "" {
		return o, fmt.Errorf("%s sink: options sep and delimiter are synonyms; give one", name)
	}
	if o.Path == "" {
		return o, fmt.Errorf("%s sink: option path is required: it names the output directory", name)
	}
	return o, nil
}

func (o *Options) set(name, format, k, v string) error {
	switch k {
	case "path":
		o.Path = v
	case "format":
		if format != "" && v != format {
			return fmt.Errorf("the %s sink writes %s, not %q", name, format, v)
		}
		o.Format = v
	case "compactInterval":
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("%q is not an integer >= 1", v)
		}
		o.CompactInterval = n
	case "maxRecordsPerFile":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not an integer >= 0", v)
		}
		o.Write.MaxRowsPerFile = n
	case "compression":
		if v == "uncompressed" { // Spark's spelling
			v = "none"
		}
		o.Write.Compression = v
	case "sep", "delimiter":
		r, size := utf8.DecodeRuneInString(v)
		if size == 0 || size != len(v) {
			return fmt.Errorf("%q is not one character", v)
		}
		o.Write.Delimiter = r
	default:
		return fmt.Errorf("unknown (known: %v)", optionNames)
	}
	return nil
}
