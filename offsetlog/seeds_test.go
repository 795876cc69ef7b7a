package offsetlog_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestFuzzSeeds checks that the seed corpus of FuzzParseOffsetEntry holds every Spark
// fixture, so the fuzzer starts from real files. To refresh it, write each
// fixture as testdata/fuzz/FuzzParseOffsetEntry/spark-<path with / and . as _> in
// the Go corpus format ("go test fuzz v1" then a []byte(...) line).
func TestFuzzSeeds(t *testing.T) {
	_, files := offsetFixtures(t)
	dir := filepath.Join("testdata", "fuzz", "FuzzParseOffsetEntry")
	for rel, data := range files {
		name := "spark-" + strings.NewReplacer("/", "_", ".", "_").Replace(rel)
		seed, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("fixture %s has no seed: %v", rel, err)
			continue
		}
		if got, err := decodeSeed(seed); err != nil || !bytes.Equal(got, data) {
			t.Errorf("seed %s differs from fixture %s: %q, %v", name, rel, got, err)
		}
	}
}

// decodeSeed reads a one-value []byte corpus file of go test -fuzz.
func decodeSeed(seed []byte) ([]byte, error) {
	s := strings.TrimSpace(strings.TrimPrefix(string(seed), "go test fuzz v1\n"))
	s = strings.TrimSuffix(strings.TrimPrefix(s, "[]byte("), ")")
	v, err := strconv.Unquote(s)
	return []byte(v), err
}
