package fileformat

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// textSchema is the schema of text files when none is given, as in Spark.
var textSchema = arrow.NewSchema([]arrow.Field{{Name: "value", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)

// textFile reads one text file, a row per line.
type textFile struct {
	path   string
	closer io.Closer
	lines  lineReader
	schema *arrow.Schema
	b      array.Builder
	bin    *array.BinaryBuilder
	batch  int
	done   bool
}

func openText(mem memory.Allocator, path string, schema *arrow.Schema, opts ReadOptions) (fileReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r := &textFile{path: path, closer: f, lines: lineReader{br: newInput(f)}, schema: schema, batch: opts.BatchSize}
	switch b := array.NewBuilder(mem, schema.Field(0).Type).(type) {
	case *array.StringBuilder:
		r.b, r.bin = b, b.BinaryBuilder
	case *array.LargeStringBuilder:
		r.b, r.bin = b, b.BinaryBuilder
	}
	return r, nil
}

func (r *textFile) next(ctx context.Context) (arrow.RecordBatch, error) {
	n := 0
	for ; !r.done && n < r.batch; n++ {
		line, err := r.lines.next()
		if err == io.EOF {
			r.done = true
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", r.path, err)
		}
		r.bin.Append(line)
	}
	if n == 0 {
		return nil, io.EOF
	}
	arr := r.b.NewArray()
	defer arr.Release()
	return array.NewRecordBatch(r.schema, []arrow.Array{arr}, int64(n)), nil
}

func (r *textFile) droppedRows() int64 { return 0 }

func (r *textFile) close() error {
	r.b.Release()
	return r.closer.Close()
}
