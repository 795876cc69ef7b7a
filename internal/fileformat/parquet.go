package fileformat

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// parquetFile reads one Parquet file, projected onto the reader's schema:
// columns are found by name, and a column the file lacks reads as NULL.
type parquetFile struct {
	path   string
	pf     *file.Reader
	rr     pqarrow.RecordReader // nil if the file has none of the columns
	schema *arrow.Schema
	from   []int // per output column, its index in rr's records, or -1
	mem    memory.Allocator
	left   int64 // rows not yet returned, when rr is nil
	batch  int64
}

func openParquet(mem memory.Allocator, path string, schema *arrow.Schema, opts ReadOptions) (fileReader, error) {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	r := &parquetFile{path: path, pf: pf, schema: schema, mem: mem, batch: int64(opts.BatchSize)}
	if err := r.init(); err != nil {
		r.close()
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return r, nil
}

// init maps the wanted columns onto the file's and opens a record reader
// over the leaves of the columns found.
func (r *parquetFile) init() error {
	props := pqarrow.ArrowReadProperties{BatchSize: r.batch}
	fr, err := pqarrow.NewFileReader(r.pf, props, r.mem)
	if err != nil {
		return err
	}
	have, err := fr.Schema()
	if err != nil {
		return err
	}
	// The record reader returns each file column once, in the order its
	// leaves first appear in the list it is given.
	var leaves []int
	pos := map[int]int{} // file column → index in the reader's records
	r.from = make([]int, r.schema.NumFields())
	for i, want := range r.schema.Fields() {
		r.from[i] = -1
		idx := have.FieldIndices(want.Name)
		if len(idx) == 0 {
			continue
		}
		got := have.Field(idx[0])
		if !arrow.TypeEqual(got.Type, want.Type) {
			return fmt.Errorf("column %q is %s in the file, the schema wants %s", want.Name, got.Type, want.Type)
		}
		p, ok := pos[idx[0]]
		if !ok {
			p = len(pos)
			pos[idx[0]] = p
			leaves = appendLeaves(leaves, fr.Manifest.Fields[idx[0]])
		}
		r.from[i] = p
	}
	if len(pos) == 0 {
		r.left = r.pf.NumRows()
		return nil
	}
	r.rr, err = fr.GetRecordReader(context.Background(), leaves, nil)
	return err
}

func appendLeaves(dst []int, f pqarrow.SchemaField) []int {
	if f.IsLeaf() {
		return append(dst, f.ColIndex)
	}
	for _, c := range f.Children {
		dst = appendLeaves(dst, c)
	}
	return dst
}

func (r *parquetFile) next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.rr == nil {
		return r.nulls()
	}
	rec, err := r.rr.Read()
	if err == io.EOF || (err == nil && rec == nil) {
		return nil, io.EOF
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", r.path, err)
	}
	n := rec.NumRows()
	cols := make([]arrow.Array, len(r.from))
	for i, f := range r.from {
		if f >= 0 {
			cols[i] = rec.Column(f)
			cols[i].Retain()
		} else {
			cols[i] = array.MakeArrayOfNull(r.mem, r.schema.Field(i).Type, int(n))
		}
	}
	out := array.NewRecordBatch(r.schema, cols, n)
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}

// nulls serves a file that has none of the wanted columns: its row count in
// rows of NULLs.
func (r *parquetFile) nulls() (arrow.RecordBatch, error) {
	if r.left == 0 {
		return nil, io.EOF
	}
	n := min(r.left, r.batch)
	r.left -= n
	cols := make([]arrow.Array, r.schema.NumFields())
	for i, f := range r.schema.Fields() {
		cols[i] = array.MakeArrayOfNull(r.mem, f.Type, int(n))
	}
	out := array.NewRecordBatch(r.schema, cols, n)
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}

func (r *parquetFile) droppedRows() int64 { return 0 }

func (r *parquetFile) close() error {
	if r.rr != nil {
		r.rr.Release()
		r.rr = nil
	}
	return r.pf.Close()
}

// parquetSchema is the Arrow schema of the first file.
func parquetSchema(paths []string) (*arrow.Schema, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("parquet schema: no files; give a schema")
	}
	pf, err := file.OpenParquetFile(paths[0], false)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", paths[0], err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", paths[0], err)
	}
	s, err := fr.Schema()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", paths[0], err)
	}
	return withoutUnsetFieldIDs(s), nil
}

// parquetFieldID is the field metadata key pqarrow fills with the Parquet
// field id, "-1" when the writer set none.
const parquetFieldID = "PARQUET:field_id"

// withoutUnsetFieldIDs drops the field-id metadata of top-level fields that
// have no id, so that a schema read from a file written by Sluice equals the
// schema it was written with.
func withoutUnsetFieldIDs(s *arrow.Schema) *arrow.Schema {
	fields := s.Fields()
	for i, f := range fields {
		if id, ok := f.Metadata.GetValue(parquetFieldID); ok && id == "-1" {
			var keys, vals []string
			for j, k := range f.Metadata.Keys() {
				if k != parquetFieldID {
					keys, vals = append(keys, k), append(vals, f.Metadata.Values()[j])
				}
			}
			fields[i].Metadata = arrow.NewMetadata(keys, vals)
			if len(keys) == 0 {
				fields[i].Metadata = arrow.Metadata{}
			}
		}
	}
	md := s.Metadata()
	return arrow.NewSchema(fields, &md)
}
