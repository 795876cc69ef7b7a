package fsutil

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// fsUnderTest gives each FS implementation a fresh directory to work in.
func fsUnderTest(t *testing.T) map[string]func(t *testing.T) (FS, string) {
	return map[string]func(t *testing.T) (FS, string){
		"OS": func(t *testing.T) (FS, string) { return OS, t.TempDir() },
		"CrashFS": func(t *testing.T) (FS, string) {
			c := NewCrashFS()
			if err := c.MkdirAll("/tmp/test", 0o755); err != nil {
				t.Fatal(err)
			}
			return c, "/tmp/test"
		},
		"FaultFS": func(t *testing.T) (FS, string) { return NewFaultFS(OS), t.TempDir() },
	}
}

// TestFSBehaviour checks that the FS implementations report the same
// outcomes and error classes as the operating system, so code tested on
// CrashFS behaves the same on a disk.
func TestFSBehaviour(t *testing.T) {
	for name, open := range fsUnderTest(t) {
		t.Run(name, func(t *testing.T) {
			fsys, dir := open(t)
			p := func(name string) string { return filepath.Join(dir, name) }
			wantErrno := func(what string, err error, errno syscall.Errno) {
				t.Helper()
				if !errors.Is(err, errno) {
					t.Errorf("%s: error %v, want %v", what, err, errno)
				}
			}
			mustWrite(t, fsys, p("a"), "alpha")
			f, err := fsys.OpenFile(p("a"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err == nil {
				f.Close()
			}
			wantErrno("O_EXCL on an existing file", err, syscall.EEXIST)
			if !errors.Is(err, fs.ErrExist) {
				t.Errorf("O_EXCL error %v does not wrap fs.ErrExist", err)
			}
			_, err = fsys.Open(p("missing"))
			wantErrno("Open missing", err, syscall.ENOENT)
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Open missing: %v does not wrap fs.ErrNotExist", err)
			}
			_, err = fsys.ReadFile(p("a/below"))
			wantErrno("ReadFile below a file", err, syscall.ENOTDIR)

			// Link: never overwrites; shares content.
			wantErrno("Link onto an existing name", fsys.Link(p("a"), p("a")), syscall.EEXIST)
			mustWrite(t, fsys, p("b"), "beta")
			wantErrno("Link onto b", fsys.Link(p("a"), p("b")), syscall.EEXIST)
			mustRead(t, fsys, p("b"), "beta")
			if err := fsys.Link(p("a"), p("c")); err != nil {
				t.Fatal(err)
			}
			mustRead(t, fsys, p("c"), "alpha")

			// Rename replaces a file.
			if err := fsys.Rename(p("b"), p("a")); err != nil {
				t.Fatal(err)
			}
			mustRead(t, fsys, p("a"), "beta")
			mustRead(t, fsys, p("c"), "alpha")
			_, err = fsys.Stat(p("b"))
			wantErrno("Stat renamed-away name", err, syscall.ENOENT)

			// Directories.
			wantErrno("Mkdir existing", fsys.Mkdir(p("a"), 0o755), syscall.EEXIST)
			if err := fsys.MkdirAll(p("d/e/f"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := fsys.MkdirAll(p("d/e/f"), 0o755); err != nil {
				t.Fatalf("MkdirAll of an existing dir: %v", err)
			}
			if err := fsys.MkdirAll(p("a/x"), 0o755); err == nil {
				t.Errorf("MkdirAll below a file succeeded")
			}
			wantErrno("Remove non-empty dir", fsys.Remove(p("d")), syscall.ENOTEMPTY)
			wantErrno("Remove missing", fsys.Remove(p("zz")), syscall.ENOENT)
			_, err = fsys.ReadFile(p("d"))
			wantErrno("ReadFile of a dir", err, syscall.EISDIR)
			if err := fsys.Rename(p("a"), p("d")); err == nil {
				t.Errorf("Rename of a file over a directory succeeded")
			}
			fi, err := fsys.Stat(p("d/e"))
			if err != nil || !fi.IsDir() || fi.Name() != "e" {
				t.Errorf("Stat(d/e) = %v, %v; want a directory named e", fi, err)
			}
			fi, err = fsys.Stat(p("a"))
			if err != nil || fi.IsDir() || fi.Size() != 4 {
				t.Errorf("Stat(a) = %v, %v; want a 4-byte file", fi, err)
			}
			entries, err := fsys.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				if e.IsDir() {
					names = append(names, e.Name()+"/")
				} else {
					names = append(names, e.Name())
				}
			}
			if got, want := names, []string{"a", "c", "d/"}; !slices.Equal(got, want) {
				t.Errorf("ReadDir = %q, want %q", got, want)
			}
			_, err = fsys.ReadDir(p("a"))
			wantErrno("ReadDir of a file", err, syscall.ENOTDIR)
			if err := SyncDir(fsys, dir); err != nil {
				t.Errorf("SyncDir: %v", err)
			}
			// Reading through Open, and O_TRUNC.
			f, err = fsys.Open(p("c"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(f)
			if err != nil || string(got) != "alpha" {
				t.Errorf("Open+ReadAll(c) = %q, %v", got, err)
			}
			f.Close()
			f, err = fsys.OpenFile(p("c"), os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write([]byte("Z"))
			f.Close()
			mustRead(t, fsys, p("c"), "Z")
		})
	}
}

func mustWrite(t *testing.T, fsys FS, name, content string) {
	t.Helper()
	f, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, fsys FS, name, want string) {
	t.Helper()
	got, err := fsys.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s holds %q, want %q", name, got, want)
	}
}
