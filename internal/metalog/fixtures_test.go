package metalog_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/internal/metalog"
	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
)

// fixtureKind says which test reads a fixture file.
func fixtureKind(root, rel string) string {
	parts := strings.Split(filepath.ToSlash(rel), "/")
	parent := ""
	if len(parts) > 1 {
		parent = parts[len(parts)-2]
	}
	switch {
	case rel == "SOURCE.md":
		return "provenance"
	case parent == "offsets" || strings.HasPrefix(parts[0], "offset-log-"):
		return "offsets" // package offsetlog's fixtures test
	case parent == "commits":
		return "commits" // package commitlog's fixtures test
	case slices.Contains(parts, "state"):
		return "operator metadata"
	case strings.HasPrefix(parts[0], "file-source-log-"), strings.HasPrefix(parts[0], "file-sink-log-"):
		return "file log"
	case parts[len(parts)-1] == "metadata":
		if fi, err := os.Stat(filepath.Join(root, filepath.Dir(rel), "offsets")); err == nil && fi.IsDir() {
			return "query metadata"
		}
	}
	return ""
}

// TestFixtures reads every fixture file this package can: query metadata
// (parsed, and written back byte for byte) and every log file's version line.
// A fixture that no test reads fails it, so new fixtures are not ignored.
func TestFixtures(t *testing.T) {
	root := metalogtest.FixturesDir(t)
	counts := map[string]int{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		kind := fixtureKind(root, rel)
		counts[kind]++
		switch kind {
		case "":
			t.Errorf("fixture %s is read by no test: classify it in fixtureKind", rel)
		case "query metadata":
			checkQueryMetadata(t, rel, data)
		case "offsets", "commits", "file log", "operator metadata":
			// Operator metadata goes up to v2 (transformWithState).
			rec, err := metalog.ParseRecord(rel, data, 2)
			if err != nil {
				t.Errorf("%s: %v", rel, err)
			} else if len(rec.Body) == 0 {
				t.Errorf("%s: empty body", rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if counts["query metadata"] < 7 || counts["offsets"] < 18 || counts["commits"] < 3 {
		t.Errorf("fewer fixtures than expected: %v", counts)
	}
}

func checkQueryMetadata(t *testing.T, rel string, data []byte) {
	t.Helper()
	m, err := metalog.ParseQueryMetadata(rel, data)
	if err != nil {
		t.Errorf("%s: %v", rel, err)
		return
	}
	if len(m.Extra) != 0 {
		t.Errorf("%s: unexpected fields %q", rel, m.Extra)
	}
	out, err := m.Encode()
	if err != nil {
		t.Errorf("%s: Encode: %v", rel, err)
	} else if !bytes.Equal(out, data) {
		t.Errorf("%s: written back as %q, Spark wrote %q", rel, out, data)
	}
}

// TestFixtureQueryMetadataStorage reads a Spark checkpoint's metadata
// through a Storage, as the engine does.
func TestFixtureQueryMetadataStorage(t *testing.T) {
	st := metalogtest.LoadDir(t, filepath.Join(metalogtest.FixturesDir(t), "checkpoint-version-2.1.0"), ".")
	m, created, err := metalog.LoadOrCreateQueryMetadata(t.Context(), st)
	if err != nil || created || m.ID != "dddc5e7f-1e71-454c-8362-de184444fb5a" {
		t.Fatalf("LoadOrCreateQueryMetadata = %+v, %v, %v", m, created, err)
	}
}

// TestFixtureFileLogs lists Spark's file source and sink logs: "N.compact"
// files are not entries of a metalog.Log (Sluice's source logs will give
// them their own reader).
func TestFixtureFileLogs(t *testing.T) {
	root := metalogtest.FixturesDir(t)
	for dir, want := range map[string][]batch.ID{
		"file-source-log-version-2.1.0": {3, 4},
		"file-sink-log-version-2.1.0":   {8},
	} {
		st := metalogtest.LoadDir(t, filepath.Join(root, dir), "sources/0")
		l := metalog.New(st, "sources/0", 1)
		ids, err := l.List(t.Context())
		if err != nil || !slices.Equal(ids, want) {
			t.Errorf("%s: List = %v, %v; want %v", dir, ids, err, want)
			continue
		}
		rec, err := l.Get(t.Context(), want[0])
		if err != nil || !bytes.HasPrefix(rec.Body, []byte(`{"path":"/a/b/`)) || bytes.HasSuffix(rec.Body, []byte("\n")) {
			t.Errorf("%s: Get(%d) = %q, %v", dir, want[0], rec.Body, err)
		}
	}
}
