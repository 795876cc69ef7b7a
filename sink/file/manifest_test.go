package file

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
)

// The manifest format, its parsing and corruption are package
// internal/sinklog's and tested there; these tests check the sink reads
// and continues a log it did not write.

// Spark's own file-sink log: a compact file and a later entry deleting a
// file, with absolute paths.
func TestSparkFixture(t *testing.T) {
	dir := t.TempDir()
	meta := filepath.Join(dir, MetadataDir)
	if err := os.Mkdir(meta, 0o755); err != nil {
		t.Fatal(err)
	}
	src := "../../testdata/spark-checkpoints/file-sink-log-version-2.1.0"
	for _, name := range []string{"7.compact", "8"} {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, meta, name, string(data))
	}
	got, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/a/b/1", "/a/b/2", "/a/b/3", "/a/b/4", "/a/b/5", "/a/b/6", "/a/b/7", "/a/b/8"}
	if !slices.Equal(got, want) {
		t.Fatalf("Files = %v, want %v", got, want)
	}
	// A sink opened on it continues after batch 8.
	s := openSink(t, Options{Path: dir})
	if s.log.Latest() != 8 || s.log.LatestCompact() != 7 {
		t.Fatalf("latest %d compact %d", s.log.Latest(), s.log.LatestCompact())
	}
}

// A corrupt manifest fails New and Files with a *checkpoint.CorruptionError
// naming the file and the directory.
func TestCorruptManifest(t *testing.T) {
	for _, c := range []struct{ name, content, want string }{
		{"0", "", "_sluice_metadata/0 at byte 0: empty file"},
		{"0", "v1\nnot json", "_sluice_metadata/0 at byte 5: line 1: not a JSON object"},
		{"0", "v2\n{}", "written by a newer Sluice/Spark"},
	} {
		dir := t.TempDir()
		meta := filepath.Join(dir, MetadataDir)
		os.Mkdir(meta, 0o755)
		writeFile(t, meta, c.name, c.content)
		var ce *checkpoint.CorruptionError
		_, err := Files(dir)
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), dir) {
			t.Errorf("%q: Files = %v, want a corruption error containing %q and the directory", c.content, err, c.want)
		}
		_, err = New(context.Background(), Options{Path: dir})
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), dir) {
			t.Errorf("%q: New = %v, want a corruption error containing %q and the directory", c.content, err, c.want)
		}
	}
}

func TestNoManifest(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "part-0.parquet", "x")
	if _, err := Files(dir); !errors.Is(err, ErrNoManifest) {
		t.Fatalf("Files of a plain directory: %v, want ErrNoManifest", err)
	}
	if HasManifest(dir) {
		t.Fatal("HasManifest of a plain directory")
	}
	got, err := Expand(dir)
	if err != nil || !slices.Equal(baseNames(got), []string{"part-0.parquet"}) {
		t.Fatalf("Expand of a plain directory = %v, %v; want its files", got, err)
	}
}
