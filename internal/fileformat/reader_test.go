package fileformat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestParquetProjection(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	recs := sampleRecords(mem, false)
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	path := filepath.Join(dir, "all.parquet")
	if err := Write(context.Background(), path, Parquet, retained(allTypes, recs), WriteOptions{Compression: "zstd"}); err != nil {
		t.Fatal(err)
	}
	want := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "missing", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	}, nil)
	_, back, _ := readFiles(t, mem, []string{path}, ReadOptions{Format: Parquet, Schema: want, BatchSize: 4})
	got := render(back)
	if n := strings.Count(got, "\n") - 2*2; n != 14 { // two strings hold one newline each
		t.Errorf("read %d rows, want 14:\n%s", n, got)
	}
	if !strings.HasPrefix(got, "plain|∅|-128\ncomma, and \"quotes\"|∅|-108\n") {
		t.Errorf("projected rows:\n%s", got)
	}

	// A file without any wanted column reads as rows of NULLs.
	only := arrow.NewSchema([]arrow.Field{{Name: "zz", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	_, nulls, _ := readFiles(t, mem, []string{path}, ReadOptions{Format: Parquet, Schema: only, BatchSize: 10})
	if len(nulls) != 2 || nulls[0].NumRows() != 10 || nulls[1].NumRows() != 4 || nulls[0].Column(0).NullN() != 10 {
		t.Errorf("null rows: %s", render(nulls))
	}

	wrong := arrow.NewSchema([]arrow.Field{{Name: "i8", Type: arrow.PrimitiveTypes.Int64}}, nil)
	err := readErr(t, mem, []string{path}, ReadOptions{Format: Parquet, Schema: wrong})
	if want := `read ` + path + `: column "i8" is int8 in the file, the schema wants int64`; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestOpenIsLazy(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	a := writeFile(t, dir, "a.csv", "1\n")
	b := filepath.Join(dir, "b.csv") // does not exist yet
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	ctx := context.Background()
	r, err := Open(ctx, mem, []string{a, b, b}, ReadOptions{Format: CSV, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rec, err := r.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	writeFile(t, dir, "b.csv", "2\n")
	rec, err = r.Next(ctx)
	if err != nil {
		t.Fatalf("b.csv, written after Open: %v", err)
	}
	rec.Release()
	os.Remove(b)
	_, err = r.Next(ctx)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), b) {
		t.Errorf("reading a removed file: %v", err)
	}
	if _, again := r.Next(ctx); again != err {
		t.Errorf("error not sticky: %v then %v", err, again)
	}
}

func TestOpenCancelledAndClosed(t *testing.T) {
	mem := checkedMem(t)
	p := writeFile(t, t.TempDir(), "a.txt", "x\ny\n")
	ctx, cancel := context.WithCancel(context.Background())
	r, err := Open(ctx, mem, []string{p, p}, ReadOptions{Format: Text, BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := r.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	cancel()
	if _, err := r.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Next after cancel: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Error(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestOpenNoPaths(t *testing.T) {
	mem := checkedMem(t)
	r, err := Open(context.Background(), mem, nil, ReadOptions{Format: Text})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(context.Background()); err == nil {
		t.Error("Next over no files returned a record")
	}
	r.Close()
	if _, err := Open(context.Background(), mem, nil, ReadOptions{Format: JSON}); err == nil {
		t.Error("inferring over no files succeeded")
	}
}

func TestReadOptionsValidate(t *testing.T) {
	list := arrow.ListOf(arrow.PrimitiveTypes.Int64)
	one := func(dt arrow.DataType) *arrow.Schema {
		return arrow.NewSchema([]arrow.Field{{Name: "_corrupt_record", Type: dt}}, nil)
	}
	tests := []struct {
		opts ReadOptions
		want string
	}{
		{ReadOptions{}, "no format"},
		{ReadOptions{Format: "xml"}, `unknown format "xml"`},
		{ReadOptions{Format: CSV, Delimiter: '"'}, "invalid delimiter"},
		{ReadOptions{Format: CSV, Delimiter: '\n'}, "invalid delimiter"},
		{ReadOptions{Format: CSV, Mode: 7}, "invalid mode 7"},
		{ReadOptions{Format: CSV, BatchSize: -1}, "negative batch size"},
		{ReadOptions{Format: CSV, Schema: one(list)}, `csv cannot read column "_corrupt_record" of type list`},
		{ReadOptions{Format: JSON, Mode: Permissive, Schema: one(arrow.PrimitiveTypes.Int64)}, "must be a string"},
		{ReadOptions{Format: Text, Schema: one(arrow.PrimitiveTypes.Int64)}, "a text schema has one string column"},
	}
	for _, tt := range tests {
		_, err := tt.opts.validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("validate(%+v) = %v, want %q", tt.opts, err, tt.want)
		}
	}
	o, err := ReadOptions{Format: CSV}.validate()
	if err != nil || o.BatchSize != DefaultBatchSize || o.InferRows != DefaultInferRows || o.Delimiter != ',' || o.CorruptColumn != DefaultCorruptColumn {
		t.Errorf("defaults: %+v, %v", o, err)
	}
	if _, err := (WriteOptions{Compression: "brotli9"}).validate(Parquet); err == nil {
		t.Error("unknown compression accepted")
	}
}

func TestParseMode(t *testing.T) {
	for _, m := range []Mode{FailFast, DropMalformed, Permissive} {
		got, err := ParseMode(strings.ToLower(m.String()))
		if err != nil || got != m {
			t.Errorf("ParseMode(%s) = %v, %v", m, got, err)
		}
	}
	if _, err := ParseMode("lenient"); err == nil {
		t.Error("ParseMode accepted an unknown mode")
	}
}

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range append(sampleStrings, "", "\x00\x1f\x7f", "bad \xff utf8", "\u2028\u2029", "<&>", "é\xc3") {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := string(appendJSONString(nil, s)) + "\n"; got != want.String() {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want.String())
		}
	}
}

// TestCSVCarriageReturnInQuotes documents a limit of encoding/csv: a \r\n
// inside a quoted field reads back as \n.
func TestCSVCarriageReturnInQuotes(t *testing.T) {
	mem := checkedMem(t)
	p := writeFile(t, t.TempDir(), "crlf.csv", "\"a\r\nb\"\r\n")
	_, recs, _ := readFiles(t, mem, []string{p}, ReadOptions{Format: CSV})
	if got := recs[0].Column(0).ValueStr(0); got != "a\nb" {
		t.Errorf("read %q", got)
	}
}
