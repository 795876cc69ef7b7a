package fileformat

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
)

// Reader is what Open returns: a batch.Reader over a list of files that also
// counts the rows it dropped.
type Reader interface {
	batch.Reader
	// Dropped is the number of malformed rows skipped so far in
	// DropMalformed mode (always 0 in the other modes).
	Dropped() int64
}

// fileReader reads one file. next returns records of at least one row, then
// io.EOF; close releases everything and closes the file.
type fileReader interface {
	next(ctx context.Context) (arrow.RecordBatch, error)
	droppedRows() int64
	close() error
}

type opener func(mem memory.Allocator, path string, schema *arrow.Schema, opts ReadOptions) (fileReader, error)

var openers = map[string]opener{CSV: openCSV, JSON: openJSON, Parquet: openParquet, Text: openText}

// Open returns a Reader over the rows of paths, read in order with opts. Its
// schema is InferSchema's: opts.Schema, or one inferred now (reading the
// start of every CSV or JSON file, or the footer of the first Parquet file).
// Rows are read lazily: a file is opened only by the Next that needs its
// first rows, and closed at its end. Records have at most opts.BatchSize rows
// and never span files; records come from mem.
//
// Next returns a *MalformedError for a bad row in FailFast mode; errors are
// sticky. Zero paths is an empty reader if the schema is known.
func Open(ctx context.Context, mem memory.Allocator, paths []string, opts ReadOptions) (Reader, error) {
	opts, err := opts.validate()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	schema, err := resolveSchema(paths, opts)
	if err != nil {
		return nil, err
	}
	return &multiReader{mem: mem, paths: paths, opts: opts, schema: schema, open: openers[opts.Format]}, nil
}

// multiReader reads its files one after the other.
type multiReader struct {
	mem     memory.Allocator
	paths   []string // files not yet opened
	opts    ReadOptions
	schema  *arrow.Schema
	open    opener
	cur     fileReader
	dropped int64 // by files already closed
	err     error // sticky
}

var _ Reader = (*multiReader)(nil)

func (r *multiReader) Schema() *arrow.Schema { return r.schema }

func (r *multiReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.err != nil {
		return nil, r.err
	}
	rec, err := r.next(ctx)
	if err != nil {
		r.err = err
		r.closeCurrent()
	}
	return rec, err
}

func (r *multiReader) next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if r.cur == nil {
			if len(r.paths) == 0 {
				return nil, io.EOF
			}
			cur, err := r.open(r.mem, r.paths[0], r.schema, r.opts)
			if err != nil {
				return nil, err
			}
			r.cur, r.paths = cur, r.paths[1:]
		}
		rec, err := r.cur.next(ctx)
		if err == io.EOF {
			if err := r.closeCurrent(); err != nil {
				return nil, err
			}
			continue
		}
		return rec, err
	}
}

func (r *multiReader) closeCurrent() error {
	if r.cur == nil {
		return nil
	}
	r.dropped += r.cur.droppedRows()
	err := r.cur.close()
	r.cur = nil
	if err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}

func (r *multiReader) Dropped() int64 {
	if r.cur != nil {
		return r.dropped + r.cur.droppedRows()
	}
	return r.dropped
}

// Close releases the open file, if any. It may be called more than once.
func (r *multiReader) Close() error {
	err := r.closeCurrent()
	r.paths = nil
	if r.err == nil {
		r.err = errClosed
	}
	return err
}

var errClosed = errors.New("fileformat: reader closed")
