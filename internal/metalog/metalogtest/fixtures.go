package metalogtest

import (
	"bytes"
	"context"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
)

// FixturesDir returns the Spark checkpoint fixtures: testdata/
// spark-checkpoints at the module root (the nearest ancestor of the package
// directory that has it), a byte-for-byte copy of Spark's test resources
// kept in the repository so a clean checkout tests them (provenance in its
// SOURCE.md). It fails the test if there is none.
func FixturesDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "testdata", "spark-checkpoints")
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return p
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	t.Fatalf("Spark checkpoint fixtures not found: no testdata/spark-checkpoints in %s or any directory above it", dir)
	return ""
}

// Fixtures returns the fixture files whose path relative to FixturesDir,
// with "/" separators, match accepts, by that path. It fails the test if
// there are fewer than min; what names them in the message ("offset log").
func Fixtures(t testing.TB, what string, min int, match func(rel string) bool) map[string][]byte {
	t.Helper()
	root := FixturesDir(t)
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if !match(rel) {
			return nil
		}
		data, err := os.ReadFile(p)
		files[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < min {
		t.Fatalf("found %d %s fixtures under %s, want at least %d", len(files), what, root, min)
	}
	return files
}

// InDir reports whether the file rel (a "/"-separated path) is directly in
// a directory called dir: InDir("x/offsets/0", "offsets").
func InDir(rel, dir string) bool { return path.Base(path.Dir(rel)) == dir }

// LoadDir copies the files of the fixture directory src (recursively) into
// a fresh Mem storage under dst.
func LoadDir(t testing.TB, src, dst string) checkpoint.Storage {
	t.Helper()
	st := checkpoint.NewMem()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		name := filepath.ToSlash(filepath.Join(dst, rel))
		return st.Create(context.Background(), name, data)
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// CopyFixture copies the fixture checkpoint name (a directory under
// FixturesDir) to a temporary directory and opens it with the local
// storage, as the engine opens a checkpoint; it returns the directory too,
// to look at the files on disk.
func CopyFixture(t testing.TB, name string) (dir string, st checkpoint.Storage) {
	t.Helper()
	dir = t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(FixturesDir(t), name))); err != nil {
		t.Fatal(err)
	}
	local, err := checkpoint.OpenLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, local
}

// CheckFuzzSeeds checks that the seed corpus of the fuzz target fuzz, in
// testdata/fuzz/<fuzz> of the package directory, holds every one of files
// (by fixture path, as Fixtures returns them), so the fuzzer starts from
// real files. To refresh it, write each fixture as
// testdata/fuzz/<fuzz>/spark-<path with / and . as _> in the Go corpus
// format ("go test fuzz v1" then a []byte(...) line).
func CheckFuzzSeeds(t *testing.T, fuzz string, files map[string][]byte) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", fuzz)
	for rel, data := range files {
		name := "spark-" + strings.NewReplacer("/", "_", ".", "_").Replace(rel)
		seed, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("fixture %s has no seed: %v", rel, err)
			continue
		}
		if got, err := decodeSeed(seed); err != nil || !bytes.Equal(got, data) {
			t.Errorf("seed %s differs from fixture %s: %q, %v", name, rel, got, err)
		}
	}
}

// decodeSeed reads a one-value []byte corpus file of go test -fuzz.
func decodeSeed(seed []byte) ([]byte, error) {
	s := strings.TrimSpace(strings.TrimPrefix(string(seed), "go test fuzz v1\n"))
	s = strings.TrimSuffix(strings.TrimPrefix(s, "[]byte("), ")")
	v, err := strconv.Unquote(s)
	return []byte(v), err
}
