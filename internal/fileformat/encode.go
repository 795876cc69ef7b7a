package fileformat

import (
	"bufio"
	"bytes"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// encoder writes records of one schema in one format to a buffered writer.
type encoder interface {
	write(rec arrow.RecordBatch) error
	// finish writes whatever ends the file (the Parquet footer) and flushes.
	finish() error
}

func newEncoder(format string, w *bufio.Writer, schema *arrow.Schema, opts WriteOptions) (encoder, error) {
	switch format {
	case CSV:
		return newCSVEncoder(w, schema, opts.Delimiter)
	case JSON:
		return &jsonEncoder{w: w, schema: schema}, nil
	case Parquet:
		return newParquetEncoder(w, schema, opts.Compression)
	case Text:
		if schema.NumFields() != 1 || !isStringType(schema.Field(0).Type) {
			return nil, fmt.Errorf("text writes one string column, not %s", schema)
		}
		return &textEncoder{w: w}, nil
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// csvEncoder writes a header, then a line per row; NULL is an empty field and
// an empty string is "".
type csvEncoder struct {
	w       *bufio.Writer
	delim   []byte
	buf     []byte
	columns []appendFunc
}

func newCSVEncoder(w *bufio.Writer, schema *arrow.Schema, delim rune) (*csvEncoder, error) {
	e := &csvEncoder{w: w, delim: utf8.AppendRune(nil, delim)}
	for i, f := range schema.Fields() {
		if i > 0 {
			w.Write(e.delim)
		}
		e.field([]byte(f.Name), true)
	}
	return e, w.WriteByte('\n')
}

func (e *csvEncoder) write(rec arrow.RecordBatch) error {
	e.columns = e.columns[:0]
	for _, col := range rec.Columns() {
		e.columns = append(e.columns, textAppender(col))
	}
	for row := 0; row < int(rec.NumRows()); row++ {
		for j, col := range rec.Columns() {
			if j > 0 {
				e.w.Write(e.delim)
			}
			if col.IsNull(row) {
				continue
			}
			e.buf = e.columns[j](e.buf[:0], row)
			e.field(e.buf, isStringType(col.DataType()))
		}
		if err := e.w.WriteByte('\n'); err != nil {
			return err
		}
	}
	return nil
}

// field writes one field, quoted if it must be (as encoding/csv decides) or
// if it is an empty string, which unquoted would read as NULL.
func (e *csvEncoder) field(b []byte, isString bool) {
	if !e.needsQuotes(b) && !(isString && len(b) == 0) {
		e.w.Write(b)
		return
	}
	e.w.WriteByte('"')
	for {
		i := bytes.IndexByte(b, '"')
		if i < 0 {
			break
		}
		e.w.Write(b[:i+1])
		e.w.WriteByte('"')
		b = b[i+1:]
	}
	e.w.Write(b)
	e.w.WriteByte('"')
}

func (e *csvEncoder) needsQuotes(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if bytes.Contains(b, e.delim) || bytes.ContainsAny(b, "\"\r\n") {
		return true
	}
	r, _ := utf8.DecodeRune(b)
	return unicode.IsSpace(r)
}

func (e *csvEncoder) finish() error { return e.w.Flush() }

// jsonEncoder writes an object per row, keys in schema order, NULLs omitted
// (as Spark does).
type jsonEncoder struct {
	w       *bufio.Writer
	schema  *arrow.Schema
	keys    [][]byte // each field's `"name":`
	buf     []byte
	columns []appendFunc
}

func (e *jsonEncoder) write(rec arrow.RecordBatch) error {
	if e.keys == nil {
		for _, f := range e.schema.Fields() {
			e.keys = append(e.keys, append(appendJSONString(nil, f.Name), ':'))
		}
	}
	e.columns = e.columns[:0]
	for _, col := range rec.Columns() {
		e.columns = append(e.columns, jsonAppender(col))
	}
	for row := 0; row < int(rec.NumRows()); row++ {
		e.buf = append(e.buf[:0], '{')
		for j, col := range rec.Columns() {
			if col.IsNull(row) {
				continue
			}
			if len(e.buf) > 1 {
				e.buf = append(e.buf, ',')
			}
			e.buf = append(e.buf, e.keys[j]...)
			e.buf = e.columns[j](e.buf, row)
		}
		e.buf = append(e.buf, '}', '\n')
		if _, err := e.w.Write(e.buf); err != nil {
			return err
		}
	}
	return nil
}

func (e *jsonEncoder) finish() error { return e.w.Flush() }

// textEncoder writes the single string column a line per row; NULL is an
// empty line.
type textEncoder struct{ w *bufio.Writer }

func (e *textEncoder) write(rec arrow.RecordBatch) error {
	text := textAppender(rec.Column(0))
	var buf []byte
	for row := 0; row < int(rec.NumRows()); row++ {
		buf = buf[:0]
		if rec.Column(0).IsValid(row) {
			buf = text(buf, row)
		}
		buf = append(buf, '\n')
		if _, err := e.w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

func (e *textEncoder) finish() error { return e.w.Flush() }

// parquetRowGroupRows bounds a row group. Records are buffered into row
// groups (rather than one per record) so that columns compress and scan well;
// a million rows keeps the buffered row group's memory bounded.
const parquetRowGroupRows = 1 << 20

var parquetCodecs = map[string]compress.Compression{
	"none":   compress.Codecs.Uncompressed,
	"snappy": compress.Codecs.Snappy,
	"gzip":   compress.Codecs.Gzip,
	"zstd":   compress.Codecs.Zstd,
	"lz4":    compress.Codecs.Lz4Raw,
}

type parquetEncoder struct {
	w  *bufio.Writer
	fw *pqarrow.FileWriter
}

func newParquetEncoder(w *bufio.Writer, schema *arrow.Schema, codec string) (*parquetEncoder, error) {
	props := parquet.NewWriterProperties(
		parquet.WithCompression(parquetCodecs[codec]),
		parquet.WithMaxRowGroupLength(parquetRowGroupRows),
	)
	// w is not an io.Closer, so closing the writer leaves the file to us.
	fw, err := pqarrow.NewFileWriter(schema, w, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return nil, err
	}
	return &parquetEncoder{w: w, fw: fw}, nil
}

func (e *parquetEncoder) write(rec arrow.RecordBatch) error { return e.fw.WriteBuffered(rec) }

func (e *parquetEncoder) finish() error {
	if err := e.fw.Close(); err != nil {
		return err
	}
	return e.w.Flush()
}
