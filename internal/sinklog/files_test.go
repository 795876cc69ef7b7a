package sinklog

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
)

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
	got, err := Files(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/a/b/1", "/a/b/2", "/a/b/3", "/a/b/4", "/a/b/5", "/a/b/6", "/a/b/7", "/a/b/8"}
	if !slices.Equal(got, want) {
		t.Fatalf("Files = %v, want %v", got, want)
	}
}

// Files lists what the log commits, resolved against the directory, and
// nothing else in it: not orphans, not the log itself.
func TestFiles(t *testing.T) {
	dir := t.TempDir()
	meta := filepath.Join(dir, MetadataDir)
	st, err := checkpoint.OpenLocal(meta)
	if err != nil {
		t.Fatal(err)
	}
	l := openLog(t, st, 10)
	mustCommit(t, l, 0, false, "part-0", "sub/part-1")
	mustCommit(t, l, 1, false, MetadataDir+"/0", "/elsewhere/part-2") // a hand-edited entry
	writeFile(t, dir, "part-orphan", "never committed")
	if !HasManifest(dir) || HasManifest(meta) || HasManifest(filepath.Join(dir, "part-orphan")) {
		t.Fatal("HasManifest")
	}
	got, err := Files(t.Context(), dir)
	want := []string{filepath.Join(dir, "part-0"), filepath.Join(dir, "sub", "part-1"), "/elsewhere/part-2"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("Files = %v, %v; want %v", got, err, want)
	}
	// A relative directory resolves relative paths.
	t.Chdir(dir)
	got, err = Files(t.Context(), ".")
	if err != nil || !slices.Equal(got, []string{"part-0", filepath.Join("sub", "part-1"), "/elsewhere/part-2"}) {
		t.Fatalf("Files(.) = %v, %v", got, err)
	}
}

func TestNoManifest(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, MetadataDir, "a file, not a directory")
	for _, d := range []string{dir, filepath.Join(dir, "missing")} {
		if _, err := Files(t.Context(), d); !errors.Is(err, ErrNoManifest) || !strings.Contains(err.Error(), d) {
			t.Errorf("Files(%s) = %v, want ErrNoManifest naming the directory", d, err)
		}
		if HasManifest(d) {
			t.Errorf("HasManifest(%s)", d)
		}
	}
}

func TestResolve(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"part-1.parquet", "/out/part-1.parquet", ""},
		{"sub/part-1.parquet", "/out/sub/part-1.parquet", ""},
		{"/abs/x", "/abs/x", ""},
		{"file:/tmp/out/x", "/tmp/out/x", ""},
		{"file:///tmp/out/x%20y", "/tmp/out/x y", ""},
		{"hdfs://nn/out/x", "", "not a local file"},
		{"part-0000:3.parquet", "/out/part-0000:3.parquet", ""},
		{"s3a://bucket/x", "", "not a local file"},
	} {
		got, err := Resolve("/out", c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Resolve(%q) = %q, %v; want error %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}
