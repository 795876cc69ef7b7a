package fileformat

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Format names, as ReadOptions.Format, Write and WriteDir take them.
const (
	CSV     = "csv"
	JSON    = "json" // JSON lines: one object per line
	Parquet = "parquet"
	Text    = "text"
)

// Mode says what a reader does with a malformed row, as Spark's "mode" option.
type Mode int

const (
	// FailFast stops at the first malformed row with a *MalformedError.
	FailFast Mode = iota
	// DropMalformed skips malformed rows and counts them (Reader.Dropped).
	DropMalformed
	// Permissive keeps malformed rows: the fields that cannot be parsed are
	// NULL and the raw line goes into the corrupt-record column.
	Permissive
)

// String returns Spark's spelling of the mode.
func (m Mode) String() string {
	switch m {
	case FailFast:
		return "FAILFAST"
	case DropMalformed:
		return "DROPMALFORMED"
	case Permissive:
		return "PERMISSIVE"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode reads Spark's spelling of a mode, in any case.
func ParseMode(s string) (Mode, error) {
	for _, m := range []Mode{FailFast, DropMalformed, Permissive} {
		if strings.EqualFold(s, m.String()) {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown mode %q (want FAILFAST, DROPMALFORMED or PERMISSIVE)", s)
}

const (
	// DefaultBatchSize is the number of rows per record: DataFusion's default,
	// large enough to amortise per-batch work in vectorised operators and small
	// enough that a batch of a few dozen columns stays in cache.
	DefaultBatchSize = 8192
	// DefaultInferRows is how many rows of each file inference reads. Inference
	// costs a second pass over the input before the real read, so it is bounded;
	// a thousand rows catches most mixed columns. Set InferRows < 0 to read all.
	DefaultInferRows = 1000
	// DefaultCorruptColumn is Spark's default columnNameOfCorruptRecord, so
	// queries written for Spark find the raw line where they expect it.
	DefaultCorruptColumn = "_corrupt_record"
	// DefaultDelimiter is the CSV field separator, as in RFC 4180 and Spark.
	DefaultDelimiter = ','
)

// ReadOptions say how Open and InferSchema read files. The zero value of every
// field but Format means its default.
type ReadOptions struct {
	Format string        // CSV, JSON, Parquet or Text
	Schema *arrow.Schema // nil: infer (csv, json), the first file's (parquet), value:string (text)
	Header bool          // csv: the first record of each file names the columns
	// Delimiter separates CSV fields; DefaultDelimiter if zero.
	Delimiter rune
	// Mode handles malformed csv and json rows; FailFast if zero.
	Mode Mode
	// CorruptColumn names the string column holding the raw malformed line in
	// Permissive mode; DefaultCorruptColumn if empty.
	CorruptColumn string
	// BatchSize is the most rows per record; DefaultBatchSize if zero.
	BatchSize int
	// InferRows is how many rows of each file schema inference reads;
	// DefaultInferRows if zero, every row if negative.
	InferRows int
}

// validate returns a copy of o with defaults filled in, or an error saying
// which option is wrong.
func (o ReadOptions) validate() (ReadOptions, error) {
	switch o.Format {
	case CSV, JSON, Parquet, Text:
	case "":
		return o, fmt.Errorf("read options: no format (want csv, json, parquet or text)")
	default:
		return o, fmt.Errorf("read options: unknown format %q (want csv, json, parquet or text)", o.Format)
	}
	if o.Delimiter == 0 {
		o.Delimiter = DefaultDelimiter
	}
	if !validDelimiter(o.Delimiter) {
		return o, fmt.Errorf("read options: invalid delimiter %q", o.Delimiter)
	}
	if o.Mode < FailFast || o.Mode > Permissive {
		return o, fmt.Errorf("read options: invalid mode %d", int(o.Mode))
	}
	if o.CorruptColumn == "" {
		o.CorruptColumn = DefaultCorruptColumn
	}
	if o.BatchSize < 0 {
		return o, fmt.Errorf("read options: negative batch size %d", o.BatchSize)
	}
	if o.BatchSize == 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.InferRows == 0 {
		o.InferRows = DefaultInferRows
	}
	return o, o.validateSchema()
}

func (o ReadOptions) validateSchema() error {
	if o.Schema == nil {
		return nil
	}
	switch o.Format {
	case Text:
		if o.Schema.NumFields() != 1 || !isStringType(o.Schema.Field(0).Type) {
			return fmt.Errorf("read options: a text schema has one string column, not %s", o.Schema)
		}
	case CSV, JSON:
		for _, f := range o.Schema.Fields() {
			if _, ok := kindOf(f.Type); !ok {
				return fmt.Errorf("read options: %s cannot read column %q of type %s", o.Format, f.Name, f.Type)
			}
			if o.Mode == Permissive && f.Name == o.CorruptColumn && f.Type.ID() != arrow.STRING {
				return fmt.Errorf("read options: corrupt-record column %q must be a string, not %s", f.Name, f.Type)
			}
		}
	}
	return nil
}

// permissive reports whether the format keeps malformed rows in a corrupt column.
func (o ReadOptions) permissive() bool {
	return o.Mode == Permissive && (o.Format == CSV || o.Format == JSON)
}

func validDelimiter(r rune) bool {
	return r != '"' && r != '\r' && r != '\n' && r > 0 && r != 0xFFFD && r <= 0x10FFFF
}

func isStringType(dt arrow.DataType) bool {
	return dt.ID() == arrow.STRING || dt.ID() == arrow.LARGE_STRING
}

// WriteOptions say how Write and WriteDir write files.
type WriteOptions struct {
	// Delimiter separates CSV fields; DefaultDelimiter if zero.
	Delimiter rune
	// Compression is the Parquet codec: "snappy" (default), "zstd", "gzip",
	// "lz4" or "none".
	Compression string
	// MaxRowsPerFile splits WriteDir's output into part files of at most this
	// many rows; zero writes a single part.
	MaxRowsPerFile int64
}

func (o WriteOptions) validate(format string) (WriteOptions, error) {
	switch format {
	case CSV, JSON, Parquet, Text:
	default:
		return o, fmt.Errorf("write options: unknown format %q (want csv, json, parquet or text)", format)
	}
	if o.Delimiter == 0 {
		o.Delimiter = DefaultDelimiter
	}
	if !validDelimiter(o.Delimiter) {
		return o, fmt.Errorf("write options: invalid delimiter %q", o.Delimiter)
	}
	if o.Compression == "" {
		o.Compression = "snappy"
	}
	if _, ok := parquetCodecs[o.Compression]; !ok {
		return o, fmt.Errorf("write options: unknown compression %q", o.Compression)
	}
	if o.MaxRowsPerFile < 0 {
		return o, fmt.Errorf("write options: negative max rows per file %d", o.MaxRowsPerFile)
	}
	return o, nil
}
