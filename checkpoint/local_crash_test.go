package checkpoint_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/fsutil"
)

const root = "/ck"

// op is one Storage call under test, with what the file must hold before
// (nil: absent) and after it.
type op struct {
	name     string
	path     string
	old, new []byte // new nil: the call deletes
	run      func(ctx context.Context, st checkpoint.Storage) error
}

func ops() []op {
	big := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	return []op{
		{name: "create-new-dir", path: "offsets/0", new: []byte("v1\n{}\n"),
			run: func(ctx context.Context, st checkpoint.Storage) error {
				return st.Create(ctx, "offsets/0", []byte("v1\n{}\n"))
			}},
		{name: "create-deep-new-dirs", path: "state/0/3/1.changelog", new: []byte("changes"),
			run: func(ctx context.Context, st checkpoint.Storage) error {
				return st.Create(ctx, "state/0/3/1.changelog", []byte("changes"))
			}},
		{name: "create-existing", path: "commits/0", old: []byte("committed"), new: []byte("committed"),
			run: func(ctx context.Context, st checkpoint.Storage) error {
				err := st.Create(ctx, "commits/0", []byte("other"))
				if errors.Is(err, checkpoint.ErrExist) {
					return nil
				}
				return fmt.Errorf("want ErrExist, got %v", err)
			}},
		{name: "write-replace", path: "metadata", old: []byte(`{"id":"old"}`), new: []byte(`{"id":"new, longer"}`),
			run: func(ctx context.Context, st checkpoint.Storage) error {
				return st.Write(ctx, "metadata", []byte(`{"id":"new, longer"}`))
			}},
		{name: "put-big", path: "state/0/0/sst/1.sst", new: big,
			run: func(ctx context.Context, st checkpoint.Storage) error {
				return st.Put(ctx, "state/0/0/sst/1.sst", bytes.NewReader(big))
			}},
		{name: "delete", path: "offsets/0", old: []byte("entry"), new: nil,
			run: func(ctx context.Context, st checkpoint.Storage) error { return st.Delete(ctx, "offsets/0") }},
	}
}

// seeded returns a CrashFS whose durable state is a checkpoint holding o.old
// (and a few other files), and the same checkpoint opened on a FaultFS over
// it, with the FaultFS's record of calls cleared.
func seeded(t *testing.T, o op) (*fsutil.CrashFS, *fsutil.FaultFS, *checkpoint.Local) {
	t.Helper()
	c := fsutil.NewCrashFS()
	st, err := checkpoint.OpenLocalFS(c, root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := st.Create(ctx, "commits/0", []byte("committed")); err != nil {
		t.Fatal(err)
	}
	if o.old != nil {
		if err := st.Write(ctx, o.path, o.old); err != nil {
			t.Fatal(err)
		}
	}
	c.Crash() // only what the storage made durable is left
	f := fsutil.NewFaultFS(c)
	st, err = checkpoint.OpenLocalFS(f, root)
	if err != nil {
		t.Fatal(err)
	}
	f.Reset()
	return c, f, st
}

// steps counts the FS calls o makes without faults.
func steps(t *testing.T, o op) int {
	_, f, st := seeded(t, o)
	if err := o.run(t.Context(), st); err != nil {
		t.Fatalf("%s without faults: %v", o.name, err)
	}
	return len(f.Calls())
}

// checkFile says what is wrong with o.path in st after o returned err, or ""
// if it holds what the contract allows: the old or the new state, the new
// one if o returned nil.
func checkFile(t *testing.T, st checkpoint.Storage, o op, err error) string {
	got, rerr := st.Read(t.Context(), o.path)
	absent := errors.Is(rerr, checkpoint.ErrNotExist)
	if rerr != nil && !absent {
		return fmt.Sprintf("read %s: %v", o.path, rerr)
	}
	is := func(want []byte) bool {
		return want == nil && absent || want != nil && !absent && bytes.Equal(got, want)
	}
	switch {
	case !is(o.old) && !is(o.new):
		return fmt.Sprintf("%s holds %d bytes %q: neither before (%q) nor after (%q)", o.path, len(got), trunc(got), trunc(o.old), trunc(o.new))
	case err == nil && !is(o.new):
		return fmt.Sprintf("%s returned nil but %s is not in its new state", o.name, o.path)
	}
	return ""
}

func trunc(b []byte) []byte {
	if len(b) > 24 {
		return append(b[:24:24], "..."...)
	}
	return b
}

var crashes = map[string]func(c *fsutil.CrashFS){
	"synced-only":   (*fsutil.CrashFS).Crash,
	"keep-metadata": (*fsutil.CrashFS).CrashKeepMetadata,
	"random-1":      func(c *fsutil.CrashFS) { c.CrashRandom(1) },
	"random-2":      func(c *fsutil.CrashFS) { c.CrashRandom(2) },
	"random-3":      func(c *fsutil.CrashFS) { c.CrashRandom(3) },
}

// TestLocalPowerCutAtEveryStep cuts the power before each FS call of each
// operation and after its last, then reopens the checkpoint: the file is in
// its old or its new state (never partial), in the new one if the call
// returned nil, no temp file is left, other files are intact, and the
// storage works.
func TestLocalPowerCutAtEveryStep(t *testing.T) {
	for _, o := range ops() {
		n := steps(t, o)
		for cname, crash := range crashes {
			t.Run(o.name+"/"+cname, func(t *testing.T) {
				for i := 1; i <= n+1; i++ {
					c, f, st := seeded(t, o)
					f.Inject(fsutil.FailFrom(i, nil)) // the process dies before call i
					err := o.run(t.Context(), st)
					crash(c)
					st, oerr := checkpoint.OpenLocalFS(c, root)
					if oerr != nil {
						t.Fatalf("power cut before step %d of %d: reopen: %v", i, n, oerr)
					}
					if msg := checkFile(t, st, o, err); msg != "" {
						t.Errorf("power cut before step %d of %d: %s", i, n, msg)
					}
					if left := tempFiles(t, c, root); len(left) > 0 {
						t.Errorf("power cut before step %d of %d: temp files after reopen: %q", i, n, left)
					}
					mustRead(t, st, "commits/0", "committed")
					if err := st.Create(t.Context(), "offsets/99", []byte("next")); err != nil {
						t.Errorf("power cut before step %d of %d: the reopened storage cannot write: %v", i, n, err)
					}
				}
			})
		}
	}
}

// TestLocalFaultAtEveryStep fails each FS call of each operation in turn:
// the file is untouched or complete, a failure names the path, and the
// storage still works afterwards.
func TestLocalFaultAtEveryStep(t *testing.T) {
	for _, o := range ops() {
		t.Run(o.name, func(t *testing.T) {
			n := steps(t, o)
			if n < 4 {
				t.Fatalf("%s makes only %d FS calls", o.name, n)
			}
			for i := 1; i <= n; i++ {
				_, f, st := seeded(t, o)
				f.Inject(fsutil.FailNth(fsutil.OpAny, i, nil))
				err := o.run(t.Context(), st)
				failed := f.Injected()[0]
				f.Inject(nil)
				where := fmt.Sprintf("step %d of %d (%s %s) failed", i, n, failed.Op, failed.Path)
				if msg := checkFile(t, st, o, err); msg != "" {
					t.Errorf("%s: %s", where, msg)
				}
				if err != nil && !strings.Contains(err.Error(), o.path) && o.name != "create-existing" {
					t.Errorf("%s: error %q does not name %s", where, err, o.path)
				}
				if err != nil && !errors.Is(err, fsutil.ErrInjected) && o.name != "create-existing" {
					t.Errorf("%s: error %v hides the cause", where, err)
				}
				if err := st.Write(t.Context(), o.path, []byte("after")); err != nil {
					t.Errorf("%s: the storage cannot write %s afterwards: %v", where, o.path, err)
				}
				mustRead(t, st, o.path, "after")
			}
		})
	}
}

// TestLocalLogSurvivesPowerCut appends log entries one after another and
// cuts the power at a random point: every entry whose Create returned nil
// is there, whole; the one in flight is whole or absent; nothing else.
func TestLocalLogSurvivesPowerCut(t *testing.T) {
	entry := func(i int) []byte { return bytes.Repeat([]byte{byte('a' + i%26)}, 100+i) }
	for seed := range uint64(40) {
		c := fsutil.NewCrashFS()
		f := fsutil.NewFaultFS(c)
		st, err := checkpoint.OpenLocalFS(f, root)
		if err != nil {
			t.Fatal(err)
		}
		f.Reset()
		f.Inject(fsutil.FailFrom(int(1+seed*7), nil))
		acked := 0
		for i := range 50 {
			if st.Create(t.Context(), fmt.Sprintf("offsets/%d", i), entry(i)) != nil {
				break
			}
			acked++
		}
		c.CrashRandom(seed)
		st, err = checkpoint.OpenLocalFS(c, root)
		if err != nil {
			t.Fatal(err)
		}
		names, err := st.List(t.Context(), "offsets")
		if err != nil {
			t.Fatal(err)
		}
		if len(names) < acked || len(names) > acked+1 {
			t.Errorf("seed %d: %d entries acknowledged, %d after the crash: %q", seed, acked, len(names), names)
		}
		for i := range len(names) {
			mustRead(t, st, fmt.Sprintf("offsets/%d", i), string(entry(i)))
		}
	}
}

func TestLocalRemovesStaleTempsOnOpen(t *testing.T) {
	c := fsutil.NewCrashFS()
	st, err := checkpoint.OpenLocalFS(c, root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, p := range []string{"offsets/0", "state/0/1/2.changelog", ".hidden"} {
		if err := st.Create(ctx, p, []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	var planted []string
	for _, dir := range []string{root, root + "/offsets", root + "/state/0/1"} {
		tmp := fsutil.TempName(dir + "/7")
		if err := fsutil.WriteFile(c, tmp, []byte("half a")); err != nil {
			t.Fatal(err)
		}
		planted = append(planted, tmp)
	}
	names, err := st.List(ctx, "offsets")
	if err != nil || len(names) != 1 {
		t.Errorf("List shows temp files: %q, %v", names, err)
	}
	ro, err := checkpoint.OpenLocalFS(c, root, checkpoint.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	if left := tempFiles(t, c, root); len(left) != len(planted) {
		t.Errorf("a read-only open touched the temp files: %q left of %q", left, planted)
	}
	mustRead(t, ro, "state/0/1/2.changelog", "state/0/1/2.changelog")
	if _, err := checkpoint.OpenLocalFS(c, root); err != nil {
		t.Fatal(err)
	}
	if left := tempFiles(t, c, root); len(left) > 0 {
		t.Errorf("temp files survived reopening: %q", left)
	}
	mustRead(t, st, ".hidden", ".hidden")
}

func TestLocalReadOnly(t *testing.T) {
	c := fsutil.NewCrashFS()
	if _, err := checkpoint.OpenLocalFS(c, "/missing", checkpoint.ReadOnly()); !errors.Is(err, checkpoint.ErrNotExist) {
		t.Errorf("read-only open of a missing directory: %v, want ErrNotExist", err)
	}
	if _, err := c.Stat("/missing"); err == nil {
		t.Errorf("a read-only open created the directory")
	}
	st, err := checkpoint.OpenLocalFS(c, root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := st.Create(ctx, "a", []byte("x")); err != nil {
		t.Fatal(err)
	}
	ro, err := checkpoint.OpenLocalFS(c, root, checkpoint.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"Create": ro.Create(ctx, "b", nil),
		"Write":  ro.Write(ctx, "a", nil),
		"Put":    ro.Put(ctx, "a", strings.NewReader("")),
		"Delete": ro.Delete(ctx, "a"),
	} {
		if err == nil || !strings.Contains(err.Error(), "read-only") {
			t.Errorf("%s on a read-only storage: %v", name, err)
		}
	}
	mustRead(t, ro, "a", "x")
}

func TestOpenLocalOnAFile(t *testing.T) {
	c := fsutil.NewCrashFS()
	if err := fsutil.WriteFile(c, "/file", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := checkpoint.OpenLocalFS(c, "/file"); err == nil || !strings.Contains(err.Error(), "/file") {
		t.Errorf("OpenLocal on a file: %v", err)
	}
}

// tempFiles lists the temp files anywhere under dir.
func tempFiles(t *testing.T, c *fsutil.CrashFS, dir string) []string {
	t.Helper()
	entries, err := c.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		p := dir + "/" + e.Name()
		switch {
		case e.IsDir():
			out = append(out, tempFiles(t, c, p)...)
		case fsutil.IsTemp(e.Name()):
			out = append(out, p)
		}
	}
	return out
}

func mustRead(t *testing.T, st checkpoint.Storage, p, want string) {
	t.Helper()
	got, err := st.Read(t.Context(), p)
	if err != nil {
		t.Fatalf("Read(%s): %v", p, err)
	}
	if string(got) != want {
		t.Fatalf("Read(%s) = %q, want %q", p, trunc(got), trunc([]byte(want)))
	}
}

// TestLocalMakesFoundDirsDurable: a directory that exists but whose entry
// was never fsynced (made by a process that died) must not take a new file
// with it in a power cut.
func TestLocalMakesFoundDirsDurable(t *testing.T) {
	c := fsutil.NewCrashFS()
	if err := fsutil.MkdirAllSync(c, root); err != nil {
		t.Fatal(err)
	}
	if err := c.Mkdir(root+"/offsets", 0o755); err != nil { // never synced
		t.Fatal(err)
	}
	st, err := checkpoint.OpenLocalFS(c, root)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Create(t.Context(), "offsets/0", []byte("entry")); err != nil {
		t.Fatal(err)
	}
	c.Crash()
	mustRead(t, st, "offsets/0", "entry")
}

// TestLocalFileThenDir: a name used as a file, then deleted, can become a
// directory.
func TestLocalFileThenDir(t *testing.T) {
	for name, fsys := range map[string]fsutil.FS{"CrashFS": fsutil.NewCrashFS(), "OS": fsutil.OS} {
		t.Run(name, func(t *testing.T) {
			dir := root
			if fsys == fsutil.OS {
				dir = t.TempDir()
			}
			st, err := checkpoint.OpenLocalFS(fsys, dir)
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			if err := st.Create(ctx, "a", []byte("file")); err != nil {
				t.Fatal(err)
			}
			if err := st.Create(ctx, "a/b", []byte("below a file")); err == nil || !strings.Contains(err.Error(), "a/b") {
				t.Errorf("Create below a file: %v", err)
			}
			if err := st.Delete(ctx, "a"); err != nil {
				t.Fatal(err)
			}
			if err := st.Create(ctx, "a/b", []byte("now a dir")); err != nil {
				t.Fatalf("Create a/b after deleting the file a: %v", err)
			}
			mustRead(t, st, "a/b", "now a dir")
			if err := st.Delete(ctx, "a"); err == nil || !strings.Contains(err.Error(), "directory") {
				t.Errorf("Delete of a directory: %v", err)
			}
		})
	}
}
