package fsutil

import (
	"errors"
	"io/fs"
	"os"
	"sync"
	"testing"
)

// writeNoSync creates name with content and closes it without Sync.
func writeNoSync(t *testing.T, fsys FS, name, content string) File {
	t.Helper()
	f, err := fsys.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	return f
}

func exists(c *CrashFS, name string) bool {
	_, err := c.Stat(name)
	return err == nil
}

func TestCrashLosesUnsynced(t *testing.T) {
	c := NewCrashFS()
	f := writeNoSync(t, c, "/f", "data")
	f.Close()
	c.Crash()
	if exists(c, "/f") {
		t.Errorf("a file whose directory was never synced survived the crash")
	}
}

func TestCrashFileSyncWithoutDirSync(t *testing.T) {
	c := NewCrashFS()
	f := writeNoSync(t, c, "/f", "data")
	f.Sync()
	f.Close()
	c.Crash()
	if exists(c, "/f") {
		t.Errorf("an fsynced file survived without its directory entry being synced")
	}
}

func TestCrashDirSyncWithoutFileSync(t *testing.T) {
	c := NewCrashFS()
	f := writeNoSync(t, c, "/f", "data")
	f.Close()
	SyncDir(c, "/")
	c.Crash()
	mustRead(t, c, "/f", "") // the name survives, the content does not
}

func TestCrashKeepsSynced(t *testing.T) {
	c := NewCrashFS()
	f := writeNoSync(t, c, "/f", "data")
	f.Sync()
	f.Write([]byte(" and more"))
	f.Close()
	SyncDir(c, "/")
	c.Crash()
	mustRead(t, c, "/f", "data")
}

func TestCrashUndoesUnsyncedRename(t *testing.T) {
	c := NewCrashFS()
	if err := WriteFile(c, "/f", []byte("old")); err != nil {
		t.Fatal(err)
	}
	f := writeNoSync(t, c, "/tmp", "new")
	f.Sync()
	f.Close()
	SyncDir(c, "/")
	if err := c.Rename("/tmp", "/f"); err != nil {
		t.Fatal(err)
	}
	mustRead(t, c, "/f", "new")
	c.Crash()
	mustRead(t, c, "/f", "old")
	mustRead(t, c, "/tmp", "new")
}

func TestCrashKeepMetadataKeepsRenameNotData(t *testing.T) {
	c := NewCrashFS()
	if err := WriteFile(c, "/f", []byte("old")); err != nil {
		t.Fatal(err)
	}
	f := writeNoSync(t, c, "/tmp", "new")
	f.Close()
	c.Rename("/tmp", "/f")
	c.CrashKeepMetadata()
	mustRead(t, c, "/f", "") // the classic zero-length file after a crash
	if exists(c, "/tmp") {
		t.Errorf("/tmp survived its rename")
	}
}

func TestCrashNewDirNeedsParentSync(t *testing.T) {
	c := NewCrashFS()
	c.Mkdir("/d", 0o755)
	if err := WriteFile(c, "/d/f", []byte("x")); err != nil { // syncs /d, not /
		t.Fatal(err)
	}
	c.Crash()
	if exists(c, "/d") {
		t.Errorf("a directory whose parent was never synced survived")
	}
	if err := MkdirAllSync(c, "/d/e"); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(c, "/d/e/f", []byte("x")); err != nil {
		t.Fatal(err)
	}
	c.Crash()
	mustRead(t, c, "/d/e/f", "x")
}

func TestCrashHandlesDie(t *testing.T) {
	c := NewCrashFS()
	f := writeNoSync(t, c, "/f", "x")
	c.Crash()
	if _, err := f.Write([]byte("y")); !errors.Is(err, ErrCrashed) {
		t.Errorf("Write on a handle from before the crash: %v, want ErrCrashed", err)
	}
	if err := f.Close(); !errors.Is(err, ErrCrashed) {
		t.Errorf("Close on a handle from before the crash: %v, want ErrCrashed", err)
	}
}

func TestCrashRandomIsDeterministicAndBounded(t *testing.T) {
	history := func() *CrashFS {
		c := NewCrashFS()
		WriteFile(c, "/base", []byte("base"))
		f := writeNoSync(t, c, "/a", "0123456789")
		f.Close()
		c.Rename("/base", "/b")
		c.Mkdir("/d", 0o755)
		g := writeNoSync(t, c, "/d/x", "xx")
		g.Close()
		return c
	}
	outcomes := map[string]bool{}
	for seed := range uint64(64) {
		c1, c2 := history(), history()
		c1.CrashRandom(seed)
		c2.CrashRandom(seed)
		s1, s2 := dump(t, c1), dump(t, c2)
		if s1 != s2 {
			t.Fatalf("seed %d: two crashes of one history differ:\n%s\n%s", seed, s1, s2)
		}
		outcomes[s1] = true
		// Every outcome has the base content under one of its names.
		b, errB := c1.ReadFile("/b")
		base, errBase := c1.ReadFile("/base")
		if !(errB == nil && string(b) == "base" || errBase == nil && string(base) == "base") {
			t.Errorf("seed %d: the synced file vanished under both names:\n%s", seed, s1)
		}
	}
	if len(outcomes) < 4 {
		t.Errorf("64 random crashes gave only %d outcomes", len(outcomes))
	}
}

// dump renders the whole tree, for comparisons.
func dump(t *testing.T, c *CrashFS) string {
	var out string
	var walk func(dir string)
	walk = func(dir string) {
		entries, err := c.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			p := dir + e.Name()
			if IsTemp(e.Name()) {
				p = dir + "<temp>"
			}
			if e.IsDir() {
				out += p + "/\n"
				walk(p + "/")
				continue
			}
			data, _ := c.ReadFile(dir + e.Name())
			out += p + " " + string(data) + "\n"
		}
	}
	walk("/")
	return out
}

func TestCrashFSConcurrent(t *testing.T) {
	c := NewCrashFS()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				name := "/f" + string(rune('a'+i))
				if err := WriteFile(c, name, []byte{byte(j)}); err != nil {
					t.Error(err)
					return
				}
				if _, err := c.ReadDir("/"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	entries, _ := c.ReadDir("/")
	if len(entries) != 8 {
		t.Errorf("%d entries, want 8", len(entries))
	}
	if _, err := c.Stat("/nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat missing: %v", err)
	}
}
