package fileformat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// jsonFile reads one JSON-lines file into records.
type jsonFile struct {
	path    string
	closer  io.Closer
	lines   lineReader
	index   map[string]int // column name → index in rb.cols
	vals    [][]byte       // the current row's raw value per column, nil if absent
	rb      *rowBuilder
	opts    ReadOptions
	dropped int64
	done    bool
}

func openJSON(mem memory.Allocator, path string, schema *arrow.Schema, opts ReadOptions) (fileReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return newJSONFile(mem, path, f, schema, opts), nil
}

// newJSONFile reads rc, which it closes, and names path in errors.
func newJSONFile(mem memory.Allocator, path string, rc io.ReadCloser, schema *arrow.Schema, opts ReadOptions) *jsonFile {
	corrupt := ""
	if opts.permissive() {
		corrupt = opts.CorruptColumn
	}
	r := &jsonFile{path: path, closer: rc, lines: lineReader{br: newInput(rc)}, opts: opts}
	r.rb = newRowBuilder(mem, schema, corrupt)
	r.index = make(map[string]int, len(r.rb.cols))
	for i, c := range r.rb.cols {
		if _, dup := r.index[c.name]; !dup {
			r.index[c.name] = i
		}
	}
	r.vals = make([][]byte, len(r.rb.cols))
	return r
}

func (r *jsonFile) next(ctx context.Context) (arrow.RecordBatch, error) {
	return r.rb.fill(r.opts.BatchSize, &r.done, r.readRow)
}

// readRow reads one line and appends it, drops it, or returns a
// *MalformedError, according to the mode. It reports false at the end.
func (r *jsonFile) readRow() (bool, error) {
	line, err := r.lines.next()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", r.path, err)
	}
	obj := trimSpace(line)
	if len(obj) == 0 {
		return true, nil
	}
	if err := checkObject(obj); err != nil {
		r.rb.nullCells()
		return true, r.malformed("", err, line)
	}
	clear(r.vals)
	sc := newObjectScanner(obj)
	for {
		key, val, ok := sc.next()
		if !ok {
			break
		}
		if i, ok := r.lookup(key); ok {
			r.vals[i] = val
		}
	}
	bad := -1
	for i, c := range r.rb.cols {
		if !c.parseJSON(r.vals[i]) {
			c.setNull()
			if bad < 0 {
				bad = i
			}
		}
	}
	if bad < 0 {
		r.rb.appendRow(nil)
		return true, nil
	}
	c := r.rb.cols[bad]
	if r.opts.Mode == FailFast {
		return true, r.malformed(c.name, cannotParse(string(r.vals[bad]), c.typ), line)
	}
	return true, r.malformed(c.name, nil, line)
}

// lookup finds the column of a quoted key.
func (r *jsonFile) lookup(key []byte) (int, bool) {
	content, s, ok := unquote(key)
	if !ok {
		return 0, false
	}
	var i int
	if content != nil {
		i, ok = r.index[string(content)]
	} else {
		i, ok = r.index[s]
	}
	return i, ok
}

func (r *jsonFile) malformed(col string, err error, line []byte) error {
	switch r.opts.Mode {
	case FailFast:
		return &MalformedError{Path: r.path, Line: r.lines.line, Column: col, Err: err}
	case DropMalformed:
		r.dropped++
	case Permissive:
		r.rb.appendRow(line)
	}
	return nil
}

func (r *jsonFile) droppedRows() int64 { return r.dropped }

func (r *jsonFile) close() error {
	r.rb.release()
	return r.closer.Close()
}

var errNotObject = errors.New("not a JSON object")

// checkObject returns nil if b is one valid JSON object, else why not.
func checkObject(b []byte) error {
	if !json.Valid(b) {
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		return errors.New("invalid JSON")
	}
	if b[0] != '{' {
		return errNotObject
	}
	return nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// parseJSON parses a raw JSON value (nil: absent) into c.cell; NULL and
// absent are NULL. It reports false if v is not a value of c's type: strings
// take any value (nested ones as their JSON text), numbers need a JSON number
// (or "NaN"/"Infinity"/"-Infinity" for floats), booleans true or false, and
// timestamps and dates a string in one of the accepted spellings.
func (c *column) parseJSON(v []byte) bool {
	c.cell = cell{}
	if len(v) == 0 || v[0] == 'n' {
		return true
	}
	switch {
	case v[0] == '"':
		content, s, ok := unquote(v)
		if !ok {
			return false
		}
		if c.kind.isString() {
			c.cell = cell{valid: true, b: content, s: s}
			return true
		}
		if content != nil {
			s = string(content)
		}
		if c.kind.isFloat() {
			if s != "NaN" && s != "Infinity" && s != "-Infinity" {
				return false
			}
		} else if c.kind != kTimestamp && c.kind != kDate32 {
			return false
		}
		return c.parseText(s)
	case c.kind.isString():
		c.cell = cell{valid: true, b: v}
		return true
	case v[0] == 't' || v[0] == 'f':
		if c.kind != kBool {
			return false
		}
		c.cell = cell{valid: true, i: b2i(v[0] == 't')}
		return true
	case v[0] == '{' || v[0] == '[':
		return false
	}
	if !c.kind.isInt() && !c.kind.isUint() && !c.kind.isFloat() {
		return false
	}
	return c.parseText(string(v))
}

// jsonInference accumulates a JSON schema over files: the union of keys in
// first-seen order, types widened.
type jsonInference struct {
	opts  ReadOptions
	names []string
	index map[string]int
	types []inferred
}

func inferJSONSchema(paths []string, opts ReadOptions) (*arrow.Schema, error) {
	inf := &jsonInference{opts: opts, index: map[string]int{}}
	rows := 0
	err := inferFiles(paths, func(path string, f *os.File) error {
		n, err := inf.file(path, f)
		rows += n
		return err
	})
	if err != nil {
		return nil, err
	}
	if rows == 0 {
		return nil, noRows(JSON, paths)
	}
	return arrow.NewSchema(fieldsOf(inf.names, inf.types), nil), nil
}

// file infers from the first InferRows objects of one file and returns how
// many it read.
func (inf *jsonInference) file(path string, r io.Reader) (int, error) {
	lines := lineReader{br: newInput(r)}
	n := 0
	for inf.opts.InferRows < 0 || n < inf.opts.InferRows {
		line, err := lines.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, fmt.Errorf("infer schema: read %s: %w", path, err)
		}
		obj := trimSpace(line)
		if len(obj) == 0 {
			continue
		}
		if err := checkObject(obj); err != nil {
			if inf.opts.Mode == FailFast {
				return n, &MalformedError{Path: path, Line: lines.line, Err: err}
			}
			continue
		}
		inf.object(obj)
		n++
	}
	return n, nil
}

func (inf *jsonInference) object(obj []byte) {
	sc := newObjectScanner(obj)
	for {
		key, val, ok := sc.next()
		if !ok {
			return
		}
		content, name, ok := unquote(key)
		if !ok {
			continue
		}
		var i int
		var seen bool
		if content != nil {
			i, seen = inf.index[string(content)]
		} else {
			i, seen = inf.index[name]
		}
		if !seen {
			if content != nil {
				name = string(content)
			}
			i = len(inf.names)
			inf.index[name] = i
			inf.names = append(inf.names, name)
			inf.types = append(inf.types, tNull)
		}
		inf.types[i] = merge(inf.types[i], jsonType(val))
	}
}
