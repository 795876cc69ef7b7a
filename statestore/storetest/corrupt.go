package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// corruptVersions is how many versions the corruption tests commit: with
// the default interval 4, snapshots at 4 and 8, and changelogs both before
// the first snapshot and after one.
const corruptVersions = 10

// damage is one way to spoil a file.
type damage struct {
	name string
	fn   func(b []byte) []byte
}

var damages = []damage{
	{"flip first byte", func(b []byte) []byte { return flip(b, 0) }},
	{"flip middle byte", func(b []byte) []byte { return flip(b, len(b)/2) }},
	{"flip last byte", func(b []byte) []byte { return flip(b, len(b)-1) }},
	{"truncate to half", func(b []byte) []byte { return b[:len(b)/2] }},
	{"drop last byte", func(b []byte) []byte { return b[:len(b)-1] }},
	{"truncate to empty", func(b []byte) []byte { return b[:0] }},
	{"append a byte", func(b []byte) []byte { return append(b, 0) }},
}

func flip(b []byte, i int) []byte {
	b[i] ^= 0x5a
	return b
}

// corruptSetup commits corruptVersions versions of random updates,
// uploading each, plain and, if the provider can, encrypted.
func corruptSetup(t *testing.T, f Factory, run func(t *testing.T, e *env, h *history)) {
	for _, encrypted := range []bool{false, true} {
		name := "plain"
		if encrypted {
			name = "encrypted"
		}
		t.Run(name, func(t *testing.T) {
			if encrypted && f.NoCipher {
				t.Skip("provider cannot encrypt")
			}
			e := newEnv(t, f)
			if encrypted {
				e.cipher = testCipher(t, 1)
			}
			h := newHistory(e, testID)
			h.commitRandom(e.provider(), rand.New(rand.NewPCG(17, 18)), corruptVersions, true)
			run(t, e, h)
		})
	}
}

// checkCorruption spoils the file at path every way there is and checks
// that a fresh provider's Open of version fails with a
// *checkpoint.CorruptionError naming path; it restores the file after
// each.
func checkCorruption(t *testing.T, e *env, h *history, path string, version int64) {
	t.Helper()
	ctx := t.Context()
	orig, err := e.st.Read(ctx, path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if len(orig) == 0 {
		t.Fatalf("%s is empty; nothing to corrupt", path)
	}
	for _, d := range damages {
		put(t, e.st, path, d.fn(bytes.Clone(orig)))
		s, err := e.provider().Open(ctx, h.id, version, statestore.OpenOptions{})
		if err == nil {
			s.Abort()
			t.Fatalf("%s: %s: Open of version %d succeeded", path, d.name, version)
		}
		var ce *checkpoint.CorruptionError
		if !errors.As(err, &ce) {
			t.Fatalf("%s: %s: Open of version %d: %v; want a *checkpoint.CorruptionError", path, d.name, version, err)
		}
		if ce.Path != path {
			t.Fatalf("%s: %s: Open of version %d: the CorruptionError names %q: %v", path, d.name, version, ce.Path, err)
		}
	}
	put(t, e.st, path, orig)
	h.check(e.provider(), version, fmt.Sprintf("version %d after %s is repaired", version, path))
}

func put(t *testing.T, st checkpoint.Storage, path string, data []byte) {
	t.Helper()
	if err := st.Put(t.Context(), path, bytes.NewReader(data)); err != nil {
		t.Fatalf("put %s: %v", path, err)
	}
}

func testCorruptChangelog(t *testing.T, f Factory) {
	corruptSetup(t, f, func(t *testing.T, e *env, h *history) {
		// 2 has no snapshot before it; 6 comes after the snapshot at 4; the
		// newest, 10, after the one at 8.
		for _, v := range []int64{2, 6, 10} {
			checkCorruption(t, e, h, h.id.Dir()+"/"+statestore.ChangelogName(v), v)
		}
		// A version before the damaged one does not read it.
		put(t, e.st, h.id.Dir()+"/"+statestore.ChangelogName(7), []byte("garbage"))
		h.check(e.provider(), 6, "version 6 with 7's changelog garbled")
	})
}

func testCorruptManifest(t *testing.T, f Factory) {
	corruptSetup(t, f, func(t *testing.T, e *env, h *history) {
		for _, v := range []int64{4, 8} {
			checkCorruption(t, e, h, h.id.Dir()+"/"+statestore.ManifestName(v), v)
		}
	})
}

func testCorruptDataFile(t *testing.T, f Factory) {
	corruptSetup(t, f, func(t *testing.T, e *env, h *history) {
		for _, v := range []int64{4, 8} {
			m := h.manifests[v]
			if len(m.Files) == 0 {
				t.Fatalf("the snapshot manifest of version %d lists no data files", v)
			}
			for _, fi := range someFiles(m.Files) {
				checkCorruption(t, e, h, h.id.Dir()+"/"+fi.Name, v)
			}
		}
	})
}

// someFiles returns the first, a middle and the last of files.
func someFiles(files []statestore.FileInfo) []statestore.FileInfo {
	if len(files) <= 3 {
		return files
	}
	return []statestore.FileInfo{files[0], files[len(files)/2], files[len(files)-1]}
}

// testMissingChangelog checks that a restore needing a changelog that is
// gone fails, and one not needing it does not.
func testMissingChangelog(t *testing.T, f Factory) {
	e := newEnv(t, f)
	h := newHistory(e, testID)
	h.commitRandom(e.provider(), rand.New(rand.NewPCG(19, 20)), corruptVersions, true)
	ctx := t.Context()
	if err := e.st.Delete(ctx, h.id.Dir()+"/"+statestore.ChangelogName(6)); err != nil {
		t.Fatal(err)
	}
	for _, v := range []int64{6, 7} {
		if s, err := e.provider().Open(ctx, h.id, v, statestore.OpenOptions{}); err == nil {
			s.Abort()
			t.Fatalf("Open of version %d succeeded without 6's changelog", v)
		}
	}
	for _, v := range []int64{4, 5, 8, 9} {
		h.check(e.provider(), v, fmt.Sprintf("version %d without 6's changelog", v))
	}
	m := h.manifests[8]
	if err := e.st.Delete(ctx, h.id.Dir()+"/"+m.Files[0].Name); err != nil {
		t.Fatal(err)
	}
	if s, err := e.provider().Open(ctx, h.id, 8, statestore.OpenOptions{}); err == nil {
		s.Abort()
		t.Fatalf("Open of version 8 succeeded without its data file %s", m.Files[0].Name)
	}
}
