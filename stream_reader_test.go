package sluice_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice"
	srcmem "github.com/sluicestream/sluice/source/memory"
)

// TestReadStreamIsStreaming: a stream read is a streaming DataFrame, as is
// everything derived from it, and a batch action on it is refused with
// Spark's message; a batch DataFrame is not streaming.
func TestReadStreamIsStreaming(t *testing.T) {
	s, _ := streamSession(t)
	dir := t.TempDir()
	putFile(t, dir, "a.txt", "hello world\n")
	lines := s.ReadStream().Text(dir)
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	want := arrow.NewSchema([]arrow.Field{{Name: "value", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	if !lines.Schema().Equal(want) {
		t.Fatalf("schema %s, want %s", lines.Schema(), want)
	}
	counts := streamWordCount(lines)
	for _, df := range []*sluice.DataFrame{lines, counts} {
		if !df.IsStreaming() {
			t.Errorf("%v: not streaming", df.Columns())
		}
	}
	if s.Read().Text(filepath.Join(dir, "a.txt")).IsStreaming() {
		t.Error("a batch read is streaming")
	}
	if _, err := counts.Explain(); err != nil {
		t.Errorf("Explain: %v", err)
	}
	ctx := context.Background()
	actions := map[string]func() error{
		"Collect": func() error { _, err := counts.Collect(ctx); return err },
		"Count":   func() error { _, err := lines.Count(ctx); return err },
		"Show":    func() error { return counts.Show(io.Discard, 5) },
		"Write":   func() error { return lines.Write().JSON(filepath.Join(t.TempDir(), "out")) },
	}
	for name, action := range actions {
		err := action()
		if !errors.Is(err, sluice.ErrUnsupportedOperation) || !strings.Contains(err.Error(), "must be executed with writeStream.start()") {
			t.Errorf("%s on a stream: %v, want the unsupported-operation error", name, err)
		}
	}
}

// TestReadStreamSchemas: a file stream's schema is the one given (as a
// Schema or the "schema" option), inferred from the directory's files, or
// the format's own.
func TestReadStreamSchemas(t *testing.T) {
	s, _ := streamSession(t)
	dir := t.TempDir()
	putFile(t, dir, "a.csv", "id,name,score\n1,ada,2.5\n2,alan,3\n")
	given := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	inferred := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	for _, c := range []struct {
		name string
		df   *sluice.DataFrame
		want *arrow.Schema
	}{
		{"Schema", s.ReadStream().Schema(given).Option("header", "true").CSV(dir), given},
		{"option schema", s.ReadStream().Option("schema", "id INT, name STRING NOT NULL, score DOUBLE").
			Option("header", "true").CSV(dir), given},
		{"inferSchema", s.ReadStream().Option("inferSchema", "true").Option("HEADER", "true").CSV(dir), inferred},
		{"rate", s.ReadStream().Format("rate").Option("rowsPerSecond", "10").Load(), arrow.NewSchema([]arrow.Field{
			{Name: "timestamp", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
			{Name: "value", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		}, nil)},
	} {
		if err := c.df.Err(); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !c.df.Schema().Equal(c.want) || !c.df.IsStreaming() {
			t.Errorf("%s: schema %s (streaming %v), want %s", c.name, c.df.Schema(), c.df.IsStreaming(), c.want)
		}
	}
}

// TestReadStreamMemory reads a Go memory stream, given directly or by the
// name it is published under.
func TestReadStreamMemory(t *testing.T) {
	s, _ := streamSession(t)
	schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	stream := srcmem.New(schema)
	defer stream.Release()
	unpublish, err := srcmem.Publish(tableName(t, "in"), stream)
	if err != nil {
		t.Fatal(err)
	}
	defer unpublish()
	for _, df := range []*sluice.DataFrame{
		s.FromSource("events", stream),
		s.ReadStream().Format("memory").Option("name", tableName(t, "in")).Load(),
	} {
		if err := df.Err(); err != nil {
			t.Fatal(err)
		}
		if !df.IsStreaming() || !df.Schema().Equal(schema) {
			t.Errorf("streaming %v, schema %s", df.IsStreaming(), df.Schema())
		}
	}
	if err := s.FromSource("none", nil).Err(); err == nil {
		t.Error("FromSource(nil) did not fail")
	}
}

// TestReadStreamErrors: bad options and paths fail when the DataFrame is
// built, naming the option or the path.
func TestReadStreamErrors(t *testing.T) {
	s, _ := streamSession(t)
	dir, empty := t.TempDir(), t.TempDir()
	putFile(t, dir, "a.csv", "1,2\n")
	missing := filepath.Join(dir, "missing")
	for _, c := range []struct {
		name string
		df   *sluice.DataFrame
		want []string // substrings of the error
	}{
		{"csv without schema", s.ReadStream().CSV(dir), []string{dir, `"schema"`, `"inferSchema"`}},
		{"infer from no files", s.ReadStream().Option("inferSchema", "true").JSON(empty), []string{empty, "no files"}},
		{"missing path", s.ReadStream().Text(missing), []string{missing}},
		{"no path", s.ReadStream().Format("csv").Load(), []string{"no path"}},
		{"two paths", s.ReadStream().Format("csv").Load(dir, empty), []string{"one path"}},
		{"unknown option", s.ReadStream().Option("colour", "red").Text(dir), []string{`"colour"`}},
		{"bad maxFilesPerTrigger", s.ReadStream().Option("maxFilesPerTrigger", "many").Text(dir), []string{"maxFilesPerTrigger", "many"}},
		{"bad mode", s.ReadStream().Option("inferSchema", "true").Option("mode", "lenient").CSV(dir), []string{"mode", "lenient"}},
		{"checkpointLocation", s.ReadStream().Option("checkpointLocation", dir).Text(dir), []string{"checkpointLocation", "set by the query"}},
		{"schema twice", s.ReadStream().Schema(arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.BinaryTypes.String}}, nil)).
			Option("schema", "a STRING").CSV(dir), []string{"both"}},
		{"unspellable schema", s.ReadStream().Schema(arrow.NewSchema([]arrow.Field{{Name: "b", Type: arrow.BinaryTypes.Binary}}, nil)).
			CSV(dir), []string{`"b"`, "binary"}},
		{"no format", s.ReadStream().Load(), []string{"no format"}},
		{"unknown format", s.ReadStream().Format("kafka9").Load(), []string{`"kafka9"`, "registered"}},
		{"bad rate", s.ReadStream().Format("rate").Option("rowsPerSecond", "-1").Load(), []string{"rowsPerSecond"}},
		{"rate with another schema", s.ReadStream().Format("rate").
			Schema(arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)).Load(), []string{"differs"}},
	} {
		err := c.df.Err()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		t.Logf("%s: %v", c.name, err)
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", c.name, err, w)
			}
		}
	}
}
