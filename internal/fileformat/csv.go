package fileformat

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// newCSVReader reads records from r the way every CSV reader here does:
// variable field counts (checked by the caller, which knows the schema) and
// records reused between calls.
func newCSVReader(r io.Reader, delim rune) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return cr
}

// csvFile reads one CSV file into records.
type csvFile struct {
	path    string
	closer  io.Closer
	cr      *csv.Reader
	tee     *rawTee // keeps raw input, Permissive mode only
	start   int64   // input offset where the next record starts
	header  bool    // the next record is a header to skip
	rb      *rowBuilder
	opts    ReadOptions
	dropped int64
	done    bool
}

func openCSV(mem memory.Allocator, path string, schema *arrow.Schema, opts ReadOptions) (fileReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return newCSVFile(mem, path, f, schema, opts), nil
}

// newCSVFile reads rc, which it closes, and names path in errors.
func newCSVFile(mem memory.Allocator, path string, rc io.ReadCloser, schema *arrow.Schema, opts ReadOptions) *csvFile {
	r := &csvFile{path: path, closer: rc, header: opts.Header, opts: opts}
	var in io.Reader = newInput(rc)
	corrupt := ""
	if opts.permissive() {
		r.tee = &rawTee{r: in}
		in = r.tee
		corrupt = opts.CorruptColumn
	}
	r.cr = newCSVReader(in, opts.Delimiter)
	r.rb = newRowBuilder(mem, schema, corrupt)
	return r
}

func (r *csvFile) next(ctx context.Context) (arrow.RecordBatch, error) {
	return r.rb.fill(r.opts.BatchSize, &r.done, r.readRow)
}

// readRow reads one record and appends it, drops it, or returns a
// *MalformedError, according to the mode. It reports false at the end.
func (r *csvFile) readRow() (bool, error) {
	fields, err := r.cr.Read()
	start, end := r.start, r.cr.InputOffset()
	r.start = end
	if err == io.EOF {
		return false, nil
	}
	if pe := parseError(err); pe != nil {
		if r.header && r.opts.Mode != FailFast {
			r.header = false // a bad header is skipped like a good one
			r.forget(end)
			return true, nil
		}
		r.rb.nullCells()
		return true, r.malformed(int64(pe.Line), "", pe.Err, start, end)
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", r.path, err)
	}
	if r.header {
		r.header = false
		r.forget(end)
		return true, nil
	}
	line, _ := r.cr.FieldPos(0)
	if len(fields) != len(r.rb.cols) {
		r.parse(fields)
		err := fmt.Errorf("expected %d fields, found %d", len(r.rb.cols), len(fields))
		return true, r.malformed(int64(line), "", err, start, end)
	}
	if bad := r.parse(fields); bad >= 0 {
		c := r.rb.cols[bad]
		if r.opts.Mode == FailFast {
			return true, &MalformedError{Path: r.path, Line: int64(line), Column: c.name, Err: cannotParse(fields[bad], c.typ)}
		}
		return true, r.malformed(int64(line), c.name, nil, start, end)
	}
	r.rb.appendRow(nil)
	r.forget(end)
	return true, nil
}

// parse parses fields into the columns' cells, NULL where a field is missing
// or bad, and returns the index of the first bad field or -1.
func (r *csvFile) parse(fields []string) int {
	bad := -1
	for i, c := range r.rb.cols {
		if i >= len(fields) {
			c.setNull()
		} else if !c.parseText(fields[i]) {
			c.setNull()
			if bad < 0 {
				bad = i
			}
		}
	}
	return bad
}

// malformed handles a bad record that spans input offsets [start, end).
func (r *csvFile) malformed(line int64, col string, err error, start, end int64) error {
	switch r.opts.Mode {
	case FailFast:
		return &MalformedError{Path: r.path, Line: line, Column: col, Err: err}
	case DropMalformed:
		r.dropped++
	case Permissive:
		raw := bytes.TrimLeft(trimEOL(r.tee.slice(start, end)), "\r\n")
		r.rb.appendRow(raw)
		r.forget(end)
	}
	return nil
}

// forget lets the raw-input buffer drop what precedes offset end.
func (r *csvFile) forget(end int64) {
	if r.tee != nil {
		r.tee.discard(end)
	}
}

func (r *csvFile) droppedRows() int64 { return r.dropped }

func (r *csvFile) close() error {
	r.rb.release()
	return r.closer.Close()
}

// parseError returns err as a *csv.ParseError, or nil. (It checks for nil
// first: errors.As moves its target to the heap, once per row otherwise.)
func parseError(err error) *csv.ParseError {
	if err == nil {
		return nil
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

// csvInference accumulates a CSV schema over files: names from the first
// file that has a record, types merged by position.
type csvInference struct {
	opts  ReadOptions
	names []string
	types []inferred
	rows  int64
}

func inferCSVSchema(paths []string, opts ReadOptions) (*arrow.Schema, error) {
	inf := &csvInference{opts: opts}
	err := inferFiles(paths, func(path string, f *os.File) error { return inf.file(path, f) })
	if err != nil {
		return nil, err
	}
	if inf.names == nil {
		return nil, noRows(CSV, paths)
	}
	return arrow.NewSchema(fieldsOf(inf.names, inf.types), nil), nil
}

func (inf *csvInference) file(path string, r io.Reader) error {
	cr := newCSVReader(newInput(r), inf.opts.Delimiter)
	first := true
	for n := 0; inf.opts.InferRows < 0 || n < inf.opts.InferRows; {
		fields, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if pe := parseError(err); pe != nil {
			if inf.opts.Mode == FailFast {
				return &MalformedError{Path: path, Line: int64(pe.Line), Err: pe.Err}
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("infer schema: read %s: %w", path, err)
		}
		if inf.names == nil {
			inf.setNames(fields)
		}
		if first && inf.opts.Header {
			first = false
			continue
		}
		first = false
		for i := range min(len(fields), len(inf.types)) {
			inf.types[i] = inferText(inf.types[i], fields[i])
		}
		n++
	}
	return nil
}

// setNames names the columns after a header record, or _c0, _c1, … after
// the first record's width. As Spark does, empty names become _cN and
// repeated names get their index appended.
func (inf *csvInference) setNames(fields []string) {
	inf.names = make([]string, len(fields))
	inf.types = make([]inferred, len(fields))
	count := make(map[string]int, len(fields))
	for _, f := range fields {
		count[f]++
	}
	for i, f := range fields {
		switch {
		case !inf.opts.Header || f == "":
			inf.names[i] = "_c" + strconv.Itoa(i)
		case count[f] > 1:
			inf.names[i] = f + strconv.Itoa(i)
		default:
			inf.names[i] = f
		}
	}
}
