package fsutil

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"
)

func TestTempName(t *testing.T) {
	a, b := TempName("/ck/offsets/7"), TempName("/ck/offsets/7")
	if a == b {
		t.Errorf("two temp names are equal: %s", a)
	}
	for _, tmp := range []string{a, b} {
		if filepath.Dir(tmp) != "/ck/offsets" {
			t.Errorf("TempName put %s outside the target's directory", tmp)
		}
		if !IsTemp(filepath.Base(tmp)) {
			t.Errorf("IsTemp(%s) = false", filepath.Base(tmp))
		}
	}
	if base := filepath.Base(TempName("x")); len(base) != len(".x.tmp-")+16 {
		t.Errorf("TempName(x) = %s", base)
	}
}

func TestIsTemp(t *testing.T) {
	for name, want := range map[string]bool{
		".7.tmp-0123456789abcdef":        true,
		"..tmp-0123456789abcdef":         true, // a temp for the name "."; harmless
		".a.b.tmp-fedcba9876543210":      true,
		"7.tmp-0123456789abcdef":         false, // no leading dot
		".7.tmp-0123456789ABCDEF":        false, // upper case is not ours
		".7.tmp-0123456789abcde":         false, // short
		".7.tmp-0123456789abcdefa":       false, // long
		".7.tmp-0123456789abcdeg":        false,
		".hidden":                        false,
		".tmp-0123456789abcdef":          false, // no room for a name
		".7.tnp-0123456789abcdef":        false,
		"":                               false,
		"offsets":                        false,
		".x.tmp-0123456789abcdef.backup": false,
	} {
		if got := IsTemp(name); got != want {
			t.Errorf("IsTemp(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestRemoveStaleTemps(t *testing.T) {
	for name, open := range fsUnderTest(t) {
		t.Run(name, func(t *testing.T) {
			fsys, root := open(t)
			p := func(n string) string { return filepath.Join(root, n) }
			for _, n := range []string{"7", ".hidden", filepath.Base(TempName("7")), filepath.Base(TempName("8"))} {
				mustWrite(t, fsys, p(n), n)
			}
			if err := fsys.Mkdir(p("sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			subTemp := filepath.Join("sub", filepath.Base(TempName("x")))
			mustWrite(t, fsys, p(subTemp), "x")
			removed, err := RemoveStaleTemps(fsys, root)
			if err != nil {
				t.Fatal(err)
			}
			if len(removed) != 2 {
				t.Errorf("removed %q, want the two temp files", removed)
			}
			entries, _ := fsys.ReadDir(root)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if want := []string{".hidden", "7", "sub"}; !slices.Equal(names, want) {
				t.Errorf("left %q, want %q", names, want)
			}
			if _, err := fsys.Stat(p(subTemp)); err != nil {
				t.Errorf("RemoveStaleTemps reached into a subdirectory: %v", err)
			}
			if removed, err := RemoveStaleTemps(fsys, p("missing")); err != nil || removed != nil {
				t.Errorf("RemoveStaleTemps(missing) = %q, %v", removed, err)
			}
		})
	}
}

func TestFaultInjectors(t *testing.T) {
	c := NewCrashFS()
	f := NewFaultFS(c)
	f.Inject(FailNth(OpMkdir, 2, nil))
	if err := f.Mkdir("/a", 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Stat("/a"); err != nil {
		t.Fatal(err) // other ops do not count
	}
	err := f.Mkdir("/b", 0o755)
	if !errors.Is(err, ErrInjected) {
		t.Fatalf("second Mkdir: %v, want ErrInjected", err)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != "/b" {
		t.Errorf("injected error %v is not a *fs.PathError naming /b", err)
	}
	if _, err := c.Stat("/b"); err == nil {
		t.Errorf("a failed Mkdir reached the base FS")
	}
	if err := f.Mkdir("/c", 0o755); err != nil {
		t.Errorf("third Mkdir: %v", err)
	}

	boom := errors.New("disk on fire")
	f.Inject(FailPath(OpAny, func(p string) bool { return filepath.Base(p) == "hot" }, boom))
	if err := WriteFile(f, "/a/cold", []byte("x")); err != nil {
		t.Errorf("write of an unmatched path: %v", err)
	}
	if err := WriteFile(f, "/a/hot", []byte("x")); !errors.Is(err, boom) {
		t.Errorf("WriteFile(hot): %v, want the injected error from the rename onto hot", err)
	}
	if left, _ := c.ReadDir("/a"); len(left) != 1 {
		t.Errorf("after a failed rename /a holds %d entries, want only cold", len(left))
	}
	if _, err := f.ReadFile("/a/cold/hot"); !errors.Is(err, boom) {
		t.Errorf("ReadFile(hot): %v, want the injected error", err)
	}

	f.Inject(nil)
	f.Reset()
	f.Inject(FailFrom(3, nil))
	for i := range 5 {
		_, err := f.Stat("/a")
		if got, want := err != nil, i >= 2; got != want {
			t.Errorf("call %d failed=%v, want %v", i+1, got, want)
		}
	}
	if calls, injected := len(f.Calls()), len(f.Injected()); calls != 5 || injected != 3 {
		t.Errorf("recorded %d calls, %d injected; want 5 and 3", calls, injected)
	}
}
