package fsutil

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// recipe is a durable write under test: WriteAtomic, or a deliberately
// broken copy that the checks must catch.
type recipe func(fsys FS, name string, mode Mode, fill func(io.Writer) error) error

// scenario is one durable write to check: the target's content before (nil:
// absent) and the content written.
type scenario struct {
	name     string
	mode     Mode
	old, new []byte
}

var scenarios = []scenario{
	{"replace-absent", Replace, nil, []byte("new content")},
	{"replace-present", Replace, []byte("the old content"), []byte("new")},
	{"replace-empty", Replace, []byte("old"), []byte{}},
	{"noreplace-absent", NoReplace, nil, []byte("new content")},
	{"noreplace-present", NoReplace, []byte("old"), []byte("new content")},
}

const dir = "/ck/offsets"

var target = dir + "/7"

// fillChunks writes data in three writes, so a fault can hit between them.
func fillChunks(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		for i := range 3 {
			chunk := data[i*len(data)/3 : (i+1)*len(data)/3]
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
		return nil
	}
}

// setup makes a CrashFS whose durable state holds dir and, if sc.old is not
// nil, the target with sc.old.
func setup(t *testing.T, sc scenario) *CrashFS {
	t.Helper()
	c := NewCrashFS()
	if err := MkdirAllSync(c, dir); err != nil {
		t.Fatal(err)
	}
	if sc.old != nil {
		if err := WriteFile(c, target, sc.old); err != nil {
			t.Fatal(err)
		}
	}
	c.Crash() // start from a durable state with no history
	return c
}

// countSteps runs the write once without faults and returns its FS calls.
func countSteps(t *testing.T, sc scenario, write recipe) int {
	c := setup(t, sc)
	f := NewFaultFS(c)
	_ = write(f, target, sc.mode, fillChunks(sc.new))
	return len(f.Calls())
}

// checkOutcome says what is wrong with the target and its directory after a
// write that returned err, or "" if the state is one the recipe promises.
func checkOutcome(fsys FS, sc scenario, err error) string {
	got, rerr := fsys.ReadFile(target)
	isOld := sc.old == nil && errors.Is(rerr, fs.ErrNotExist) || sc.old != nil && rerr == nil && bytes.Equal(got, sc.old)
	isNew := rerr == nil && bytes.Equal(got, sc.new)
	switch {
	case rerr != nil && !errors.Is(rerr, fs.ErrNotExist):
		return fmt.Sprintf("reading the target: %v", rerr)
	case !isOld && !isNew:
		return fmt.Sprintf("target holds %q: neither the old content %q nor the new %q", got, sc.old, sc.new)
	case err == nil && sc.mode == NoReplace && sc.old != nil:
		return "a NoReplace write over an existing file returned nil"
	case err == nil && !isNew:
		return fmt.Sprintf("the write returned nil but the target holds %q, not the new content", got)
	}
	return ""
}

// temps lists the temp files in dir.
func temps(fsys FS) []string {
	entries, _ := fsys.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if IsTemp(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// faultViolations fails each FS call of the write in turn, once, and
// returns every broken promise.
func faultViolations(t *testing.T, sc scenario, write recipe) []string {
	var bad []string
	steps := countSteps(t, sc, write)
	for i := 1; i <= steps; i++ {
		f := NewFaultFS(setup(t, sc))
		f.Inject(FailNth(OpAny, i, nil))
		err := write(f, target, sc.mode, fillChunks(sc.new))
		f.Inject(nil)
		failed := f.Injected()[0]
		where := fmt.Sprintf("step %d (%s %s) failed", i, failed.Op, failed.Path)
		if msg := checkOutcome(f, sc, err); msg != "" {
			bad = append(bad, where+": "+msg)
		}
		if err == nil && failed.Op != OpRemove {
			bad = append(bad, where+": the write returned nil")
		}
		if err != nil && !errors.Is(err, ErrInjected) && !(sc.mode == NoReplace && sc.old != nil) {
			bad = append(bad, fmt.Sprintf("%s: error %v does not wrap the injected fault", where, err))
		}
		if left := temps(f); len(left) > 0 && failed.Op != OpRemove {
			bad = append(bad, fmt.Sprintf("%s: temp files left behind: %q", where, left))
		}
	}
	return bad
}

func TestWriteAtomicFaultAtEveryStep(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			if steps := countSteps(t, sc, WriteAtomic); steps < 7 {
				t.Fatalf("only %d steps: the recipe is not being exercised", steps)
			}
			for _, msg := range faultViolations(t, sc, WriteAtomic) {
				t.Error(msg)
			}
		})
	}
}

// crashModes are the ways a power cut can go.
var crashModes = map[string]func(c *CrashFS){
	"synced-only":   (*CrashFS).Crash,
	"keep-metadata": (*CrashFS).CrashKeepMetadata,
	"random-1":      func(c *CrashFS) { c.CrashRandom(1) },
	"random-2":      func(c *CrashFS) { c.CrashRandom(2) },
	"random-3":      func(c *CrashFS) { c.CrashRandom(3) },
	"random-4":      func(c *CrashFS) { c.CrashRandom(4) },
}

// crashViolations cuts the power before each FS call of the write in turn,
// and after its last, and returns every broken promise: after the crash the
// target must hold the old or the new content, the new one if the write
// returned nil, and RemoveStaleTemps must leave no temp file.
func crashViolations(t *testing.T, sc scenario, write recipe, crash func(*CrashFS)) []string {
	var bad []string
	steps := countSteps(t, sc, write)
	for i := 1; i <= steps+1; i++ {
		c := setup(t, sc)
		f := NewFaultFS(c)
		f.Inject(FailFrom(i, nil)) // the process dies before call i
		err := write(f, target, sc.mode, fillChunks(sc.new))
		crash(c)
		where := fmt.Sprintf("power cut before step %d of %d", i, steps)
		if msg := checkOutcome(c, sc, err); msg != "" {
			bad = append(bad, where+": "+msg)
		}
		if _, err := RemoveStaleTemps(c, dir); err != nil {
			bad = append(bad, fmt.Sprintf("%s: RemoveStaleTemps: %v", where, err))
		}
		if left := temps(c); len(left) > 0 {
			bad = append(bad, fmt.Sprintf("%s: temp files left after RemoveStaleTemps: %q", where, left))
		}
		if msg := checkOutcome(c, sc, err); msg != "" {
			bad = append(bad, where+", after RemoveStaleTemps: "+msg)
		}
	}
	return bad
}

func TestWriteAtomicPowerCutAtEveryStep(t *testing.T) {
	for _, sc := range scenarios {
		for mode, crash := range crashModes {
			t.Run(sc.name+"/"+mode, func(t *testing.T) {
				for _, msg := range crashViolations(t, sc, WriteAtomic, crash) {
					t.Error(msg)
				}
			})
		}
	}
}

// TestChecksCatchBrokenRecipes proves the crash checks have teeth: each
// recipe below leaves out one step of the real one, and the checks must
// report it.
func TestChecksCatchBrokenRecipes(t *testing.T) {
	for _, c := range []struct {
		name  string
		write recipe
		crash func(*CrashFS)
	}{
		{"no file fsync", brokenRecipe(false, true), (*CrashFS).CrashKeepMetadata},
		{"no directory fsync", brokenRecipe(true, false), (*CrashFS).Crash},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := scenarios[1] // replace-present
			if bad := crashViolations(t, sc, c.write, c.crash); len(bad) == 0 {
				t.Errorf("the power-cut checks did not notice a recipe with %s", c.name)
			} else {
				t.Logf("caught: %s", bad[0])
			}
		})
	}
}

// brokenRecipe is WriteAtomic with the file or directory fsync left out.
func brokenRecipe(syncFile, syncDir bool) recipe {
	return func(fsys FS, name string, mode Mode, fill func(io.Writer) error) error {
		tmp := TempName(name)
		f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
		if err != nil {
			return err
		}
		if err := fill(f); err != nil {
			return err
		}
		if syncFile {
			if err := f.Sync(); err != nil {
				return err
			}
		}
		if err := f.Close(); err != nil {
			return err
		}
		if err := publish(fsys, tmp, name, mode); err != nil {
			return err
		}
		if syncDir {
			return SyncDir(fsys, filepath.Dir(name))
		}
		return nil
	}
}

// TestWriteAtomicFaultsOnDisk repeats the fault checks on the real file
// system, so the error paths meet real OS behaviour too.
func TestWriteAtomicFaultsOnDisk(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			steps := countSteps(t, sc, WriteAtomic)
			for i := 1; i <= steps; i++ {
				root := t.TempDir()
				name := filepath.Join(root, "7")
				if sc.old != nil {
					if err := WriteFile(OS, name, sc.old); err != nil {
						t.Fatal(err)
					}
				}
				f := NewFaultFS(OS)
				f.Inject(FailNth(OpAny, i, nil))
				err := WriteAtomic(f, name, sc.mode, fillChunks(sc.new))
				got, rerr := os.ReadFile(name)
				switch {
				case err == nil && !bytes.Equal(got, sc.new):
					t.Errorf("step %d: nil error but %q on disk", i, got)
				case sc.old == nil && rerr != nil && !errors.Is(rerr, fs.ErrNotExist):
					t.Errorf("step %d: %v", i, rerr)
				case rerr == nil && !bytes.Equal(got, sc.new) && !bytes.Equal(got, sc.old):
					t.Errorf("step %d: %q on disk is neither old nor new", i, got)
				}
				if failed := f.Injected(); len(failed) == 1 && failed[0].Op != OpRemove {
					if entries, _ := os.ReadDir(root); len(entries) > 1 {
						t.Errorf("step %d (%s): %d entries left in the directory", i, failed[0].Op, len(entries))
					}
				}
			}
		})
	}
}

// TestCreateFileOneWinner races CreateFile of one name: exactly one wins and
// the content is the winner's.
func TestCreateFileOneWinner(t *testing.T) {
	for name, open := range fsUnderTest(t) {
		t.Run(name, func(t *testing.T) {
			fsys, root := open(t)
			for round := range 20 {
				p := filepath.Join(root, fmt.Sprint(round))
				errs := make([]error, 8)
				var wg sync.WaitGroup
				for i := range errs {
					wg.Go(func() { errs[i] = CreateFile(fsys, p, bytes.Repeat([]byte{byte('a' + i)}, 1000+i)) })
				}
				wg.Wait()
				winner := -1
				for i, err := range errs {
					switch {
					case err == nil && winner >= 0:
						t.Fatalf("round %d: writers %d and %d both won", round, winner, i)
					case err == nil:
						winner = i
					case !errors.Is(err, fs.ErrExist):
						t.Fatalf("round %d: writer %d: %v", round, i, err)
					}
				}
				if winner < 0 {
					t.Fatalf("round %d: nobody won", round)
				}
				got, err := fsys.ReadFile(p)
				if err != nil || !bytes.Equal(got, bytes.Repeat([]byte{byte('a' + winner)}, 1000+winner)) {
					t.Fatalf("round %d: content is not the winner's (%d bytes, %v)", round, len(got), err)
				}
			}
			entries, _ := fsys.ReadDir(root)
			for _, e := range entries {
				if IsTemp(e.Name()) {
					t.Errorf("temp file %s left behind", e.Name())
				}
			}
		})
	}
}

func TestWriteAtomicFillError(t *testing.T) {
	c := setup(t, scenarios[1])
	boom := errors.New("boom")
	err := WriteAtomic(c, target, Replace, func(w io.Writer) error {
		w.Write([]byte("partial"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v does not wrap the fill error", err)
	}
	mustRead(t, c, target, string(scenarios[1].old))
	if left := temps(c); len(left) > 0 {
		t.Errorf("temp files left: %q", left)
	}
	if !strings.Contains(err.Error(), "7") {
		t.Errorf("error %q does not name the file", err)
	}
}
