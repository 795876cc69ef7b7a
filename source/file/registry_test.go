package file

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/fileformat"
	"github.com/sluicestream/sluice/source"
)

func TestFactory(t *testing.T) {
	f := newFixture(t)
	f.write("a.csv", "id;name\n1;a\n")
	ckpt := t.TempDir()
	ctx := context.Background()
	opts := map[string]string{
		"path": f.in, "FORMAT": "CSV", "schema": "id BIGINT, name STRING", "header": "true",
		"delimiter": ";", "mode": "failfast", "maxFilesPerTrigger": "3", "latestFirst": "false",
		"checkpointLocation": ckpt, "sourceIndex": "2",
	}
	src, err := source.Open(ctx, Name, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	end, err := src.Latest(ctx, nil, source.ReadLimit{})
	if err != nil || string(end) != `{"logOffset":1}` {
		t.Fatalf("latest = %s, %v", end, err)
	}
	r, err := src.Read(ctx, nil, end, f.mem)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := batch.ReadAll(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	got := render(recs)
	batch.Release(recs)
	if got != "1 a" {
		t.Fatalf("rows %q", got)
	}
	st, err := checkpoint.OpenLocal(ckpt, checkpoint.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Read(ctx, "sources/2/1"); err != nil {
		t.Fatalf("the log is not in sources/2: %v", err)
	}
}

func TestFactoryErrors(t *testing.T) {
	f := newFixture(t)
	f.write("a.csv", "1,a\n")
	ckpt := t.TempDir()
	base := func(kv ...string) map[string]string {
		m := map[string]string{"path": f.in, "format": "csv", "schema": "id BIGINT", "checkpointLocation": ckpt}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "<delete>" {
				delete(m, kv[i])
			} else {
				m[kv[i]] = kv[i+1]
			}
		}
		return m
	}
	for _, c := range []struct {
		opts map[string]string
		want string
	}{
		{base("path", "<delete>"), `option "path" is required`},
		{base("path", filepath.Join(f.in, "nope")), `option "path"`},
		{base("format", "<delete>"), `option "format" is required`},
		{base("format", "avro"), `option "format": unknown format "avro"`},
		{base("schema", "<delete>"), `option "schema" is required for csv`},
		{base("schema", "id DECIMAL"), `option "schema": schema "id DECIMAL"`},
		{base("inferSchema", "true"), `options "schema" and "inferSchema" both given`},
		{base("inferSchema", "maybe"), `option "inferSchema": "maybe" is not true or false`},
		{base("header", "yes"), `option "header"`},
		{base("format", "json", "header", "true"), `option "header" applies to csv only`},
		{base("format", "text", "schema", "<delete>", "delimiter", ";"), `option "delimiter" applies to csv only`},
		{base("delimiter", ";;"), `option "delimiter": ";;" is not one character`},
		{base("mode", "lenient"), `option "mode": unknown mode "lenient"`},
		{base("maxFilesPerTrigger", "0"), `option "maxFilesPerTrigger": "0" is not a positive integer`},
		{base("latestFirst", "2"), `option "latestFirst"`},
		{base("checkpointLocation", "<delete>"), `option "checkpointLocation" is required`},
		{base("checkpointLocation", "nope://x"), `option "checkpointLocation"`},
		{base("sourceIndex", "-1"), `option "sourceIndex"`},
		{base("maxFileAge", "7d"), `unknown option "maxFileAge"`},
		{base("Path", f.in), `option "path" given twice`},
	} {
		if _, err := source.Open(context.Background(), Name, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("open %v:\n  %v\n  want %q", c.opts, err, c.want)
		}
	}
	for _, c := range []struct {
		opts Options
		want string
	}{
		{Options{Dir: "sources/0", Path: f.in, Format: CSV}, "no checkpoint storage"},
		{Options{Storage: checkpoint.NewMem(), Dir: "../x", Path: f.in, Format: CSV}, "not a checkpoint directory"},
		{Options{Storage: checkpoint.NewMem(), Dir: "sources/0", Path: f.in, Format: Text, MaxFilesPerTrigger: -1}, `"maxFilesPerTrigger": -1 is negative`},
		{Options{Storage: checkpoint.NewMem(), Dir: "sources/0", Path: f.in, Format: CSV, Schema: idName, Delimiter: '"'}, "delimiter"},
	} {
		if _, err := New(context.Background(), c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v): %v, want %q", c.opts, err, c.want)
		}
	}
}

// TestParquetSchemaFromFirstFile: Parquet needs no schema option; it comes
// from the first logged file.
func TestParquetSchemaFromFirstFile(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i, name := range []string{"a.parquet", "b.parquet"} {
		b := array.NewInt64Builder(f.mem)
		b.AppendValues([]int64{int64(i), int64(i) + 10}, nil)
		col := b.NewArray()
		b.Release()
		schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
		rec := array.NewRecordBatch(schema, []arrow.Array{col}, 2)
		col.Release()
		if err := fileformat.Write(ctx, filepath.Join(f.in, name), Parquet, batch.NewSliceReader(schema, rec), fileformat.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	f.opts.Format, f.opts.Schema = Parquet, nil
	s := f.open()
	if got := schemaString(s); got != "n: int64" {
		t.Fatalf("schema %s", got)
	}
	end := f.latest(s, "", 0)
	if got := f.read(s, "", end); got != "0\n10\n1\n11" {
		t.Fatalf("rows %q", got)
	}
}

// TestBadDelimiterLogsNothing: options are checked before New takes files
// for inference.
func TestBadDelimiterLogsNothing(t *testing.T) {
	f := newFixture(t)
	f.write("a.csv", "1,a\n")
	f.opts.Schema, f.opts.InferSchema, f.opts.Delimiter = nil, true, '\n'
	if _, err := New(context.Background(), f.opts); err == nil || !strings.Contains(err.Error(), "delimiter") {
		t.Fatalf("New: %v", err)
	}
	if ids, _ := f.st.List(context.Background(), "sources/0"); len(ids) != 0 {
		t.Fatalf("logged %v", ids)
	}
}
