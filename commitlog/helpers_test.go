package commitlog_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
)

// errInjected is the I/O error failingStorage returns.
var errInjected = errors.New("injected I/O error")

// failingStorage wraps a Storage and fails Read, Create, List or Delete,
// as named in fail, with errInjected.
type failingStorage struct {
	checkpoint.Storage
	mu   sync.Mutex
	fail map[string]bool
}

func failing(st checkpoint.Storage, ops ...string) *failingStorage {
	f := &failingStorage{Storage: st, fail: map[string]bool{}}
	for _, op := range ops {
		f.fail[op] = true
	}
	return f
}

func (f *failingStorage) err(op, path string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail[op] {
		return &os.PathError{Op: strings.ToLower(op), Path: path, Err: errInjected}
	}
	return nil
}

func (f *failingStorage) Read(ctx context.Context, p string) ([]byte, error) {
	if err := f.err("Read", p); err != nil {
		return nil, err
	}
	return f.Storage.Read(ctx, p)
}

func (f *failingStorage) Create(ctx context.Context, p string, data []byte) error {
	if err := f.err("Create", p); err != nil {
		return err
	}
	return f.Storage.Create(ctx, p, data)
}

func (f *failingStorage) List(ctx context.Context, dir string) ([]string, error) {
	if err := f.err("List", dir); err != nil {
		return nil, err
	}
	return f.Storage.List(ctx, dir)
}

func (f *failingStorage) Delete(ctx context.Context, p string) error {
	if err := f.err("Delete", p); err != nil {
		return err
	}
	return f.Storage.Delete(ctx, p)
}

// wantCorrupt fails t unless err is a *checkpoint.CorruptionError naming
// path whose message contains every one of want.
func wantCorrupt(t *testing.T, err error, path string, want ...string) *checkpoint.CorruptionError {
	t.Helper()
	var ce *checkpoint.CorruptionError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T), want a *checkpoint.CorruptionError", err, err)
	}
	if ce.Path != path {
		t.Errorf("CorruptionError.Path = %q, want %q", ce.Path, path)
	}
	msg := err.Error()
	if !strings.Contains(msg, path) {
		t.Errorf("error %q does not name %s", msg, path)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not say %q", msg, w)
		}
	}
	return ce
}

// wantIOError fails t unless err is the injected I/O error and not a
// corruption error.
func wantIOError(t *testing.T, err error) {
	t.Helper()
	var ce *checkpoint.CorruptionError
	switch {
	case err == nil:
		t.Fatal("no error, want the injected I/O error")
	case errors.As(err, &ce):
		t.Fatalf("I/O error reported as corruption: %v", err)
	case !errors.Is(err, errInjected):
		t.Fatalf("error %v does not wrap the injected I/O error", err)
	}
}

// fixturesDir returns the Spark checkpoint fixtures: shared/fixtures/
// spark-checkpoints in the nearest ancestor of the working directory (the
// package directory) that has one, which is the directory beside the
// repository. It fails the test if there is none.
func fixturesDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "shared", "fixtures", "spark-checkpoints")
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return p
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	t.Fatalf("Spark checkpoint fixtures not found: no shared/fixtures/spark-checkpoints in %s or any directory above it", dir)
	return ""
}

// loadDir copies the files of the fixture directory src (recursively) into
// a fresh Mem storage under dst.
func loadDir(t testing.TB, src, dst string) checkpoint.Storage {
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

// storages are the Storage implementations the log tests run against, each
// opened fresh for one test.
var storages = []struct {
	name string
	open func(t *testing.T) checkpoint.Storage
}{
	{"mem", func(t *testing.T) checkpoint.Storage { return checkpoint.NewMem() }},
	{"local", func(t *testing.T) checkpoint.Storage {
		st, err := checkpoint.OpenLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return st
	}},
}
