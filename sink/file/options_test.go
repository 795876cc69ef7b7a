package file

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/internal/fileformat"
	"github.com/sluicestream/sluice/sink"
)

func TestFactory(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		opts map[string]string
		err  string
	}{
		{"file", map[string]string{}, "file sink: option path is required"},
		{"parquet", map[string]string{"path": dir, "bogus": "1"}, "parquet sink: option bogus: unknown (known: [path format"},
		{"csv", map[string]string{"path": dir, "format": "json"}, `csv sink: option format: the csv sink writes csv, not "json"`},
		{"file", map[string]string{"path": dir, "format": "orc"}, `file sink: format "orc" is not parquet, csv, json or text`},
		{"file", map[string]string{"path": dir, "compactInterval": "0"}, `option compactInterval: "0" is not an integer >= 1`},
		{"file", map[string]string{"path": dir, "maxRecordsPerFile": "-1"}, `option maxRecordsPerFile: "-1" is not an integer >= 0`},
		{"csv", map[string]string{"path": dir, "sep": ";;"}, `option sep: ";;" is not one character`},
		{"csv", map[string]string{"path": dir, "sep": ";", "delimiter": ","}, "options sep and delimiter are synonyms"},
		{"csv", map[string]string{"path": dir, "sep": "\""}, `delimiter '"' cannot separate CSV fields`},
		{"json", map[string]string{"path": dir, "compression": "zstd"}, `compression "zstd" applies to parquet, not json`},
		{"parquet", map[string]string{"path": dir, "compression": "brotli"}, `compression "brotli" is not one of`},
	} {
		_, err := sink.Open(ctx, c.name, c.opts)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("Open(%s, %v) = %v, want %q", c.name, c.opts, err, c.err)
		}
	}
	for _, c := range []struct {
		name string
		opts map[string]string
		want Options
	}{
		{"file", map[string]string{"path": dir}, Options{Path: dir, Format: "parquet", CompactInterval: 10}},
		{"parquet", map[string]string{"path": dir, "compression": "uncompressed", "compactInterval": "5"},
			Options{Path: dir, Format: "parquet", CompactInterval: 5, Write: fileformat.WriteOptions{Compression: "none"}}},
		{"csv", map[string]string{"path": dir, "sep": ";", "maxRecordsPerFile": "100", "format": "csv"},
			Options{Path: dir, Format: "csv", CompactInterval: 10, Write: fileformat.WriteOptions{Delimiter: ';', MaxRowsPerFile: 100}}},
		{"text", map[string]string{"path": dir}, Options{Path: dir, Format: "text", CompactInterval: 10}},
	} {
		s, err := sink.Open(ctx, c.name, c.opts)
		if err != nil {
			t.Errorf("Open(%s, %v): %v", c.name, c.opts, err)
			continue
		}
		if got := s.(*Sink).opts; got != c.want {
			t.Errorf("Open(%s, %v) options %+v, want %+v", c.name, c.opts, got, c.want)
		}
		s.Close()
	}
}

// tracked records whether the sink closed the reader.
type tracked struct {
	batch.Reader
	closed bool
}

func (r *tracked) Close() error { r.closed = true; return r.Reader.Close() }

func TestRefusals(t *testing.T) {
	mem := checkedMem(t)
	ctx := context.Background()
	dir := t.TempDir()
	s := openSink(t, Options{Path: dir})
	mustWrite(t, s, 0, sink.Append, rowsReader(mem, seq(0, 1)))
	for _, c := range []struct {
		id   batch.ID
		mode sink.OutputMode
		err  string
	}{
		{1, sink.Update, "output mode update is not supported"},
		{1, sink.OutputMode(7), "invalid output mode"},
		{-1, sink.Append, "negative batch id"},
		{3, sink.Append, "the manifest ends at batch 0; writing 3 would leave a gap"},
	} {
		r := &tracked{Reader: rowsReader(mem, seq(0, 1))}
		err := s.Write(ctx, c.id, c.mode, r)
		if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), dir) {
			t.Errorf("Write(%d, %v) = %v, want %q", c.id, c.mode, err, c.err)
		}
		if !r.closed {
			t.Errorf("Write(%d, %v) did not close the reader", c.id, c.mode)
		}
	}
	r := &tracked{Reader: rowsReader(mem, seq(0, 1))}
	if err := s.Write(ctx, 0, sink.Append, r); err != nil || !r.closed {
		t.Fatalf("replay: %v, closed %v", err, r.closed)
	}
	s.Close()
	if err := s.Write(ctx, 1, sink.Append, rowsReader(mem, seq(0, 1))); err == nil {
		t.Fatal("Write after Close succeeded")
	}
	if got := mustFiles(t, dir); len(got) != 1 {
		t.Fatalf("refused writes changed the output: %v", got)
	}
}

// failing fails after its first record.
type failing struct {
	batch.Reader
	n int
}

func (f *failing) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if f.n++; f.n > 1 {
		return nil, errors.New("source broke")
	}
	return f.Reader.Next(ctx)
}

// A reader error mid-batch removes the parts already written and commits
// nothing.
func TestReaderErrorRemovesParts(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	s := openSink(t, Options{Path: dir, Write: fileformat.WriteOptions{MaxRowsPerFile: 1}})
	err := s.Write(context.Background(), 0, sink.Append, &failing{Reader: rowsReader(mem, seq(0, 2), seq(2, 3))})
	if err == nil || !strings.Contains(err.Error(), "source broke") {
		t.Fatalf("Write = %v", err)
	}
	if got := partsOnDisk(t, dir); len(got) != 0 {
		t.Fatalf("parts left: %v", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != MetadataDir {
		t.Fatalf("directory holds %v", entries)
	}
	mustWrite(t, s, 0, sink.Append, rowsReader(mem, seq(0, 2)))
}

func TestOpenRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, ".part-00003-x-c000.parquet.tmp-12345", "half a part")
	writeFile(t, dir, ".keep", "not ours")
	openSink(t, Options{Path: dir})
	if exists(dir, ".part-00003-x-c000.parquet.tmp-12345") || !exists(dir, ".keep") {
		t.Fatal("stale temp kept or another file removed")
	}
}

func TestExpand(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	if _, err := Files(dir); !errors.Is(err, ErrNoManifest) {
		t.Fatalf("Files of a plain directory: %v", err)
	}
	writeFile(t, dir, "a.csv", "v\n1\n")
	if got, err := Expand(dir); err != nil || !slices.Equal(baseNames(got), []string{"a.csv"}) {
		t.Fatalf("Expand of a plain directory: %v, %v", got, err)
	}
	out := filepath.Join(dir, "out")
	s := openSink(t, Options{Path: out, Format: fileformat.CSV})
	if got, err := Expand(out); err != nil || len(got) != 0 {
		t.Fatalf("Expand of an empty sink output: %v, %v", got, err)
	}
	mustWrite(t, s, 0, sink.Append, rowsReader(mem, seq(0, 2)))
	writeFile(t, out, "part-00001-00000000-0000-4000-8000-000000000000-c000.csv", "v,s\n99,x\n") // an orphan
	got, err := Expand(out)
	if err != nil || len(got) != 1 || !HasManifest(out) {
		t.Fatalf("Expand of a sink output: %v, %v", got, err)
	}
	plain, _ := fileformat.Expand(out)
	if len(plain) != 2 {
		t.Fatalf("fileformat.Expand lists %v: the orphan should be visible to it", plain)
	}
	if got, want := committedValues(t, mem, out, fileformat.CSV), seq(0, 2); !slices.Equal(got, want) {
		t.Fatalf("committed %v, want %v", got, want)
	}
}
