package file

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/metalog"
	"github.com/sluicestream/sluice/sink"
)

func TestIndexLog(t *testing.T) {
	for _, c := range []struct {
		names   []string
		compact batch.ID
		entries []batch.ID
		latest  batch.ID
		err     string
	}{
		{nil, -1, nil, -1, ""},
		{[]string{"0", "1", "10", "2", "3", "4", "5", "6", "7", "8", "9"}, -1, []batch.ID{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10, ""},
		{[]string{"50", "51"}, -1, []batch.ID{50, 51}, 51, ""}, // a sink first used at batch 50
		{[]string{"0", "1", "2.compact", "3"}, 2, []batch.ID{3}, 3, ""},
		{[]string{"2.compact", "5.compact", "3", "4", "6"}, 5, []batch.ID{6}, 6, ""},
		{[]string{"5.compact"}, 5, nil, 5, ""},
		{[]string{"5", "5.compact"}, 5, nil, 5, ""}, // the compact file wins
		{[]string{".5.tmp-0123456789abcdef", "5.crc", "x", "007", "-1", "sub/", "5.compact.crc", "0"}, -1, []batch.ID{0}, 0, ""},
		{[]string{"0", "1", "3"}, -1, nil, 0, "_sluice_metadata/2: missing: the log holds batch 1 and batch 3"},
		{[]string{"2.compact", "4"}, -1, nil, 0, "_sluice_metadata/3: missing"},
	} {
		ix, err := indexLog(c.names)
		if c.err != "" {
			var ce *checkpoint.CorruptionError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("indexLog(%v) = %v, want corruption %q", c.names, err, c.err)
			}
			continue
		}
		if err != nil || ix.compact != c.compact || !slices.Equal(ix.entries, c.entries) || ix.latest != c.latest {
			t.Errorf("indexLog(%v) = %+v, %v; want compact %d entries %v latest %d", c.names, ix, err, c.compact, c.entries, c.latest)
		}
	}
}

func TestStateApply(t *testing.T) {
	s := emptyState()
	add := func(p string) status { return status{Path: p, Action: actionAdd} }
	del := func(p string) status { return status{Path: p, Action: actionDelete} }
	s.apply([]status{add("a"), add("b"), add("c")})
	s.apply([]status{del("b"), add("d"), del("zz")})
	s.apply([]status{{Path: "a", Size: 9, Action: actionAdd}}) // re-add: replaced in place
	s.apply([]status{add("e"), del("e")})                      // delete wins within an entry
	var got []string
	for _, st := range s.live {
		got = append(got, st.Path)
	}
	if !slices.Equal(got, []string{"a", "c", "d"}) || s.live[0].Size != 9 {
		t.Fatalf("live %v (%+v)", got, s.live)
	}
	for p, i := range s.pos {
		if s.live[i].Path != p {
			t.Fatalf("pos[%s] = %d, which is %s", p, i, s.live[i].Path)
		}
	}
}

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
	got, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/a/b/1", "/a/b/2", "/a/b/3", "/a/b/4", "/a/b/5", "/a/b/6", "/a/b/7", "/a/b/8"}
	if !slices.Equal(got, want) {
		t.Fatalf("Files = %v, want %v", got, want)
	}
	// A sink opened on it continues after batch 8.
	s := openSink(t, Options{Path: dir})
	if s.st.latest != 8 || s.st.compact != 7 {
		t.Fatalf("latest %d compact %d", s.st.latest, s.st.compact)
	}
}

func TestResolvePath(t *testing.T) {
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
		got, err := resolvePath("/out", c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("resolvePath(%q) = %q, %v; want error %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("resolvePath(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// Each corrupt manifest is a *checkpoint.CorruptionError naming the file.
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
		_, err := Files(dir)
		var ce *checkpoint.CorruptionError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), dir) {
			t.Errorf("%q: Files = %v\nwant a corruption error containing %q and the directory", c.content, err, c.want)
		}
		if c.name == "0" && strings.Contains(c.want, "newer") && !errors.Is(err, metalog.ErrNewerVersion) {
			t.Errorf("%q: error does not wrap ErrNewerVersion", c.content)
		}
		if _, err := New(context.Background(), Options{Path: dir}); !errors.As(err, &ce) {
			t.Errorf("%q: New = %v, want the corruption error", c.content, err)
		}
	}
}

// Random damage to a real manifest: Files returns the committed files or a
// corruption error naming a manifest file, never panics, never another
// error.
func TestManifestDamage(t *testing.T) {
	mem := checkedMem(t)
	src := t.TempDir()
	s := openSink(t, Options{Path: src, CompactInterval: 3})
	for id := batch.ID(0); id <= 4; id++ {
		mustWrite(t, s, id, sink.Complete, rowsReader(mem, seq(0, 2)))
	}
	names := metaNames(t, src) // 0 1 2.compact 3 4
	orig := map[string][]byte{}
	for _, n := range names {
		orig[n], _ = os.ReadFile(filepath.Join(src, MetadataDir, n))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	dir := t.TempDir()
	meta := filepath.Join(dir, MetadataDir)
	os.Mkdir(meta, 0o755)
	corrupt := 0
	for i := range 300 {
		victim := names[rng.IntN(len(names))]
		for _, n := range names {
			writeFile(t, meta, n, string(orig[n]))
		}
		data := damage(rng, slices.Clone(orig[victim]))
		writeFile(t, meta, victim, string(data))
		_, err := Files(dir)
		if err == nil {
			continue
		}
		var ce *checkpoint.CorruptionError
		if !errors.As(err, &ce) || !strings.HasPrefix(ce.Path, MetadataDir+"/") {
			t.Fatalf("damage %d to %s (%q): %v, want a corruption error naming the file", i, victim, data, err)
		}
		corrupt++
	}
	if corrupt < 60 {
		t.Fatalf("only %d of 300 damaged manifests were reported corrupt", corrupt)
	}
}

// damage changes data in one of a few ways.
func damage(rng *rand.Rand, data []byte) []byte {
	switch rng.IntN(4) {
	case 0: // truncate
		return data[:rng.IntN(len(data)+1)]
	case 1: // flip a byte
		if len(data) > 0 {
			data[rng.IntN(len(data))] ^= byte(1 + rng.IntN(255))
		}
		return data
	case 2: // insert a JSON-ish character
		i := rng.IntN(len(data) + 1)
		c := `{}":,\n0a `[rng.IntN(10)]
		return slices.Insert(data, i, c)
	default: // drop a range
		i := rng.IntN(len(data) + 1)
		j := i + rng.IntN(len(data)-i+1)
		return slices.Delete(data, i, j)
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
