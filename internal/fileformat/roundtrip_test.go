package fileformat

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
)

var tsUTC = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// allTypes has every type the CSV and JSON readers build.
var allTypes = arrow.NewSchema([]arrow.Field{
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true},
	{Name: "ts", Type: tsUTC, Nullable: true},
	{Name: "tsns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
}, nil)

var sampleStrings = []string{"plain", "comma, and \"quotes\"", "line\nbreak\nand more", " leading space", "ünïcødé ✓", "tab\tand \x01 control", `back\slash {"json": [1]}`}

// sampleRecords returns two records of allTypes with NULLs, extremes and
// awkward strings; with nonFinite, floats include NaN and infinities.
func sampleRecords(mem memory.Allocator, nonFinite bool) []arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, allTypes)
	defer b.Release()
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	floats := []float64{0, 1, -2.5, 1e300, 3.0e-7, 123456789}
	if nonFinite {
		floats = append(floats, math.NaN(), math.Inf(1), math.Inf(-1))
	}
	var recs []arrow.RecordBatch
	for part := range 2 {
		for i := range 7 {
			row := part*7 + i
			if row == 3 {
				for _, fb := range b.Fields() {
					fb.AppendNull()
				}
				continue
			}
			b.Field(0).(*array.Int64Builder).Append(int64(row-5) * (math.MaxInt64 / 9))
			b.Field(1).(*array.Int8Builder).Append(int8(row*20 - 128))
			b.Field(2).(*array.Int32Builder).Append(int32(row * -1000))
			b.Field(3).(*array.Uint64Builder).Append(math.MaxUint64 - uint64(row))
			b.Field(4).(*array.Uint16Builder).Append(uint16(row * 5000))
			b.Field(5).(*array.Float64Builder).Append(floats[row%len(floats)])
			b.Field(6).(*array.Float32Builder).Append(float32(floats[row%len(floats)]) / 3)
			b.Field(7).(*array.BooleanBuilder).Append(row%2 == 0)
			b.Field(8).(*array.StringBuilder).Append(sampleStrings[row%len(sampleStrings)])
			b.Field(9).(*array.LargeStringBuilder).Append(sampleStrings[(row+1)%len(sampleStrings)])
			ts := t0.Add(time.Duration(row-7) * 49 * time.Hour)
			b.Field(10).(*array.TimestampBuilder).Append(arrow.Timestamp(ts.UnixMicro()))
			b.Field(11).(*array.TimestampBuilder).Append(arrow.Timestamp(ts.UnixNano() + int64(row)))
			b.Field(12).(*array.Date32Builder).Append(arrow.Date32FromTime(ts))
		}
		recs = append(recs, b.NewRecordBatch())
	}
	return recs
}

func TestRoundTrip(t *testing.T) {
	for _, format := range []string{Parquet, CSV, JSON} {
		t.Run(format, func(t *testing.T) {
			mem := checkedMem(t)
			recs := sampleRecords(mem, true)
			defer batch.Release(recs)
			path := filepath.Join(t.TempDir(), "out."+format)
			if err := Write(context.Background(), path, format, retained(allTypes, recs), WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			opts := ReadOptions{Format: format, Header: true, Schema: allTypes, BatchSize: 5}
			if format == Parquet {
				opts.Schema = nil // the file's own schema
			}
			schema, back, _ := readFiles(t, mem, []string{path}, opts)
			if !schema.Equal(allTypes) {
				t.Fatalf("schema %s, want %s", schema, allTypes)
			}
			if !tableEqual(allTypes, recs, back) {
				t.Errorf("read back:\n%s\nwant:\n%s", render(back), render(recs))
			}
			assertNoTempFiles(t, filepath.Dir(path))
		})
	}
}

// inferable has the types inference produces, so a file written from it
// infers back to it.
var inferable = arrow.NewSchema([]arrow.Field{
	{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "ts", Type: tsUTC, Nullable: true},
}, nil)

func TestRoundTripInferred(t *testing.T) {
	for _, format := range []string{CSV, JSON} {
		t.Run(format, func(t *testing.T) {
			mem := checkedMem(t)
			recs := sampleRecords(mem, format == CSV) // JSON spells NaN as a string
			defer batch.Release(recs)
			var proj []arrow.RecordBatch
			for _, r := range recs {
				cols := []arrow.Array{r.Column(0), r.Column(5), r.Column(7), r.Column(8), r.Column(10)}
				proj = append(proj, array.NewRecordBatch(inferable, cols, r.NumRows()))
			}
			defer batch.Release(proj)
			path := filepath.Join(t.TempDir(), "out."+format)
			if err := Write(context.Background(), path, format, retained(inferable, proj), WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			schema, back, _ := readFiles(t, mem, []string{path}, ReadOptions{Format: format, Header: true})
			if format == JSON {
				// JSON has no timestamp type: inference keeps the text.
				checkSchema(t, schema, "i:int64, f:float64, b:bool, s:utf8, ts:utf8")
				return
			}
			if !schema.Equal(inferable) {
				t.Fatalf("schema %s, want %s", schema, inferable)
			}
			if !tableEqual(inferable, proj, back) {
				t.Errorf("read back:\n%s\nwant:\n%s", render(back), render(proj))
			}
		})
	}
}

func TestRoundTripText(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	in := writeFile(t, dir, "in.txt", "first\r\n\nthird line\nno newline at end")
	_, recs, _ := readFiles(t, mem, []string{in}, ReadOptions{Format: Text, BatchSize: 3})
	checkRows(t, recs, "first\n\nthird line\nno newline at end\n")
	out := filepath.Join(dir, "out.txt")
	if err := Write(context.Background(), out, Text, retained(textSchema, recs), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := "first\n\nthird line\nno newline at end\n"; string(got) != want {
		t.Errorf("wrote %q, want %q", got, want)
	}
}

func TestCSVWriterSpelling(t *testing.T) {
	mem := checkedMem(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a,b", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Second, TimeZone: "America/New_York"}, Nullable: true},
	}, nil)
	rec, _, err := array.RecordFromJSON(mem, schema, strings.NewReader(`[
		{"a,b": "", "f": 2, "ts": "2024-06-01T12:00:00Z"},
		{"a,b": null, "f": null, "ts": null},
		{"a,b": "x", "f": 0.1, "ts": null}
	]`))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, format := range []string{CSV, JSON} {
		rec.Retain()
		path := filepath.Join(t.TempDir(), "out")
		if err := Write(context.Background(), path, format, batch.NewSliceReader(schema, rec), WriteOptions{Delimiter: ';'}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sb.Write(b)
	}
	rec.Release()
	want := `a,b;f;ts
"";2.0;2024-06-01T12:00:00Z
;;
x;0.1;
{"a,b":"","f":2.0,"ts":"2024-06-01T12:00:00Z"}
{}
{"a,b":"x","f":0.1}
`
	if sb.String() != want {
		t.Errorf("wrote:\n%s\nwant:\n%s", sb.String(), want)
	}
}

func TestWriteDir(t *testing.T) {
	for _, format := range []string{Parquet, CSV, JSON} {
		t.Run(format, func(t *testing.T) {
			mem := checkedMem(t)
			recs := sampleRecords(mem, true) // 2 records of 7 rows
			defer batch.Release(recs)
			dir := filepath.Join(t.TempDir(), "out")
			err := WriteDir(context.Background(), dir, format, retained(allTypes, recs), WriteOptions{MaxRowsPerFile: 5})
			if err != nil {
				t.Fatal(err)
			}
			names := dirNames(t, dir)
			ext := extensions[format]
			want := "_SUCCESS part-00000." + ext + " part-00001." + ext + " part-00002." + ext
			if names != want {
				t.Errorf("files %s, want %s", names, want)
			}
			paths, err := Expand(dir)
			if err != nil {
				t.Fatal(err)
			}
			_, back, _ := readFiles(t, mem, paths, ReadOptions{Format: format, Header: true, Schema: allTypes})
			if !tableEqual(allTypes, recs, back) {
				t.Errorf("read back:\n%s\nwant:\n%s", render(back), render(recs))
			}
			if len(back) != 3 || back[0].NumRows() != 5 || back[2].NumRows() != 4 {
				t.Errorf("parts hold %d records, want 5+5+4 rows", len(back))
			}
		})
	}
}

func TestWriteDirEmptyAndExisting(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if err := WriteDir(context.Background(), dir, CSV, batch.NewSliceReader(inferable), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, want := dirNames(t, dir), "_SUCCESS part-00000.csv"; got != want {
		t.Errorf("files %s, want %s", got, want)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "part-00000.csv"))
	if string(b) != "i,f,b,s,ts\n" {
		t.Errorf("empty part holds %q, want the header", b)
	}
	err := WriteDir(context.Background(), dir, CSV, batch.NewSliceReader(inferable), WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("writing into a full directory: %v, want a not-empty error", err)
	}
}

// failingReader returns its records, then an error.
type failingReader struct {
	batch.Reader
	err error
}

func (r *failingReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	rec, err := r.Reader.Next(ctx)
	if err != nil {
		return nil, r.err
	}
	return rec, nil
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	for _, format := range []string{Parquet, CSV} {
		recs := sampleRecords(mem, true)
		r := &failingReader{Reader: batch.NewSliceReader(allTypes, recs...), err: os.ErrDeadlineExceeded}
		path := filepath.Join(dir, "out."+format)
		if err := Write(context.Background(), path, format, r, WriteOptions{}); err == nil {
			t.Fatal("Write succeeded over a failing reader")
		}
		recs = sampleRecords(mem, true)
		r = &failingReader{Reader: batch.NewSliceReader(allTypes, recs...), err: os.ErrDeadlineExceeded}
		err := WriteDir(context.Background(), filepath.Join(dir, "parts"+format), format, r, WriteOptions{MaxRowsPerFile: 3})
		if err == nil {
			t.Fatal("WriteDir succeeded over a failing reader")
		}
		if got := dirNames(t, filepath.Join(dir, "parts"+format)); got != "" {
			t.Errorf("failed WriteDir left %s", got)
		}
	}
	if got := dirNames(t, dir); got != "partscsv partsparquet" {
		t.Errorf("failed writes left %s", got)
	}
}

func TestWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "x.txt", "old\n")
	mem := checkedMem(t)
	b := array.NewStringBuilder(mem)
	b.Append("new")
	arr := b.NewArray()
	b.Release()
	rec := array.NewRecordBatch(textSchema, []arrow.Array{arr}, 1)
	arr.Release()
	if err := Write(context.Background(), path, Text, batch.NewSliceReader(textSchema, rec), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "new\n" {
		t.Errorf("file holds %q", got)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode())
	}
	assertNoTempFiles(t, dir)
}

// retained returns a reader over its own references to recs, leaving recs
// to the caller.
func retained(schema *arrow.Schema, recs []arrow.RecordBatch) batch.Reader {
	own := make([]arrow.RecordBatch, len(recs))
	for i, r := range recs {
		r.Retain()
		own[i] = r
	}
	return batch.NewSliceReader(schema, own...)
}

func dirNames(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	for _, n := range strings.Fields(dirNames(t, dir)) {
		if strings.HasPrefix(n, ".") {
			t.Errorf("temporary file %s left in %s", n, dir)
		}
	}
}
