package sinklog

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/metalog"
)

// The bytes Spark's CompactibleFileStreamLog.serialize writes.
func TestEncodeEntry(t *testing.T) {
	for _, c := range []struct {
		sts  []Status
		want string
	}{
		{nil, "v1"},
		{[]Status{{Path: "part-1.parquet", Size: 800, ModTime: 1700000000000, Action: ActionAdd}},
			"v1\n" + `{"path":"part-1.parquet","size":800,"isDir":false,"modificationTime":1700000000000,"blockReplication":1,"blockSize":33554432,"action":"add"}`},
		{[]Status{{Path: "a", Action: ActionAdd}, {Path: `b"\`, Size: 7, Action: ActionDelete}},
			"v1\n" + `{"path":"a","size":0,"isDir":false,"modificationTime":0,"blockReplication":1,"blockSize":33554432,"action":"add"}` +
				"\n" + `{"path":"b\"\\","size":7,"isDir":false,"modificationTime":0,"blockReplication":1,"blockSize":33554432,"action":"delete"}`},
	} {
		got, err := encodeEntry(c.sts)
		if err != nil || string(got) != c.want {
			t.Errorf("encodeEntry(%v) = %q, %v; want %q", c.sts, got, err, c.want)
			continue
		}
		back, err := parseEntry("x", got)
		if err != nil || !slices.Equal(back, c.sts) {
			t.Errorf("parseEntry(%q) = %v, %v; want %v", got, back, err, c.sts)
		}
	}
}

func TestNames(t *testing.T) {
	for _, c := range []struct {
		name    string
		id      batch.ID
		compact bool
		ok      bool
	}{
		{"0", 0, false, true},
		{"17", 17, false, true},
		{"9.compact", 9, true, true},
		{"007", 0, false, false},
		{"-1", 0, false, false},
		{".9.compact.crc", 0, false, false},
		{"9.compact.crc", 0, false, false},
		{"x.compact", 0, true, false},
	} {
		id, compact, ok := ParseName(c.name)
		if ok != c.ok || ok && (id != c.id || compact != c.compact) {
			t.Errorf("ParseName(%q) = %d, %v, %v; want %d, %v, %v", c.name, id, compact, ok, c.id, c.compact, c.ok)
		}
		if ok && entryName(id, compact) != c.name {
			t.Errorf("entryName(%d, %v) = %q, want %q", id, compact, entryName(id, compact), c.name)
		}
	}
}

// Each corrupt manifest is a *checkpoint.CorruptionError naming the file;
// Files adds the directory.
func TestCorruptManifest(t *testing.T) {
	good := `{"path":"part-x","size":1,"action":"add"}`
	for _, c := range []struct {
		name, content string
		want          string // in the error
	}{
		{"0", "", "_sluice_metadata/0 at byte 0: empty file"},
		{"0", "x1\n" + good, `_sluice_metadata/0 at byte 0: missing or garbled version line "x1"`},
		{"0", "v2\n" + good, "_sluice_metadata/0 at byte 0: written by a newer Sluice/Spark (v2, this build reads up to v1)"},
		{"0", "v1\n" + good + "\n{\"path\":", "_sluice_metadata/0 at byte 53: line 2: bad value of field \"path\" (truncated?)"},
		{"0", "v1\nnot json", "_sluice_metadata/0 at byte 5: line 1: not a JSON object"},
		{"0", `v1` + "\n" + `{"size":1,"action":"add"}`, "_sluice_metadata/0 at byte 3: line 1: no path"},
		{"0", `v1` + "\n" + `{"path":"","action":"add"}`, "line 1: empty path"},
		{"0", `v1` + "\n" + `{"path":7,"action":"add"}`, `line 1: path is "7", not a string`},
		{"0", `v1` + "\n" + `{"path":"p"}`, "line 1: no action"},
		{"0", `v1` + "\n" + `{"path":"p","action":"rename"}`, `line 1: action "rename" is neither add nor delete`},
		{"0", `v1` + "\n" + `{"path":"p","action":"add","size":"big"}`, `line 1: size is "\"big\"", not a 64-bit integer`},
		{"0", `v1` + "\n" + `{"path":"p","action":"add","path":"q"}`, `line 1: duplicate field "path"`},
		{"3.compact", "v1\n" + good + "\n" + `{"path":"q","action":"add"} x`, "_sluice_metadata/3.compact at byte 73: line 2: data after the JSON object"},
	} {
		dir := t.TempDir()
		meta := filepath.Join(dir, MetadataDir)
		os.Mkdir(meta, 0o755)
		writeFile(t, meta, c.name, c.content)
		_, err := Files(t.Context(), dir)
		var ce *checkpoint.CorruptionError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), dir) {
			t.Errorf("%q: Files = %v\nwant a corruption error containing %q and the directory", c.content, err, c.want)
		}
		if strings.Contains(c.want, "newer") && !errors.Is(err, metalog.ErrNewerVersion) {
			t.Errorf("%q: error does not wrap ErrNewerVersion", c.content)
		}
		st, err := checkpoint.OpenLocal(meta)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Open(t.Context(), st, 10); !errors.As(err, &ce) {
			t.Errorf("%q: Open = %v, want the corruption error", c.content, err)
		}
	}
}

// FuzzParseEntry: parsing never panics, and what parses re-encodes to
// something that parses to the same statuses.
func FuzzParseEntry(f *testing.F) {
	f.Add([]byte("v1"))
	f.Add([]byte("v1\n" + `{"path":"/a/b/8","size":800,"isDir":false,"modificationTime":800,"blockReplication":1,"blockSize":100,"action":"add"}`))
	f.Add([]byte("v1\n" + `{"path":"p","action":"delete"}` + "\n\n" + `{"path":"q","action":"add","size":-1}` + "\n"))
	f.Add([]byte("v2\n{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sts, err := parseEntry(MetadataDir+"/0", data)
		if err != nil {
			var ce *checkpoint.CorruptionError
			if !errors.As(err, &ce) || ce.Path != MetadataDir+"/0" {
				t.Fatalf("error %v is not a corruption error naming the file", err)
			}
			return
		}
		enc, err := encodeEntry(sts)
		if err != nil {
			return // a path that is not valid UTF-8 cannot be written
		}
		again, err := parseEntry(MetadataDir+"/0", enc)
		if err != nil || !slices.Equal(again, sts) {
			t.Fatalf("re-encoded %q parses to %v, %v; want %v", enc, again, err, sts)
		}
	})
}

func writeFile(t testing.TB, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
