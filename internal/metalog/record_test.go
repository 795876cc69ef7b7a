package metalog_test

import (
	"errors"
	"testing"

	"github.com/sluicestream/sluice/internal/metalog"
	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
)

func TestParseRecord(t *testing.T) {
	for _, c := range []struct {
		data    string
		version int
		body    string
	}{
		{"v1\n{}", 1, "{}"},
		{"v1\n{}\n", 1, "{}"},     // one trailing newline tolerated
		{"v1\n{}\n\n", 1, "{}\n"}, // only one
		{"v1\n", 1, ""},           // empty body: the typed log decides
		{"v01\nx", 1, "x"},        // Java's parseInt reads "01" as 1
		{"v1\na\nb\n-", 1, "a\nb\n-"},
	} {
		rec, err := metalog.ParseRecord("offsets/3", []byte(c.data), 1)
		if err != nil {
			t.Errorf("ParseRecord(%q): %v", c.data, err)
			continue
		}
		if rec.Version != c.version || string(rec.Body) != c.body || rec.Path != "offsets/3" {
			t.Errorf("ParseRecord(%q) = v%d %q at %s, want v%d %q", c.data, rec.Version, rec.Body, rec.Path, c.version, c.body)
		}
		if want := int64(len(c.data) - len(c.data[indexNL(c.data)+1:])); rec.BodyOffset != want {
			t.Errorf("ParseRecord(%q).BodyOffset = %d, want %d", c.data, rec.BodyOffset, want)
		}
	}
}

func indexNL(s string) int {
	for i := range s {
		if s[i] == '\n' {
			return i
		}
	}
	return -1
}

func TestParseRecordVersions(t *testing.T) {
	rec, err := metalog.ParseRecord("x/1", []byte("v2\nbody"), 3)
	if err != nil || rec.Version != 2 {
		t.Fatalf("v2 under max 3: %v, %v", rec, err)
	}
	for _, line := range []string{"v", "1", "x1", "v0", "v-1", "v+1", "v1x", "v1 ", " v1", "v1\r", "V1", "v1234567890", "{\"a\":1}"} {
		_, err := metalog.ParseRecord("x/1", []byte(line+"\n{}"), 1)
		metalogtest.WantCorrupt(t, err, "x/1", "version line")
	}
}

func TestCorruptEmptyFile(t *testing.T) {
	_, err := metalog.ParseRecord("offsets/0", nil, 1)
	metalogtest.WantCorrupt(t, err, "offsets/0", "empty file")
}

func TestCorruptMissingVersionLine(t *testing.T) {
	_, err := metalog.ParseRecord("offsets/0", []byte(`{"batchWatermarkMs":0,"batchTimestampMs":1}`+"\n0"), 1)
	metalogtest.WantCorrupt(t, err, "offsets/0", "missing or garbled version line")
}

func TestCorruptNewerVersion(t *testing.T) {
	_, err := metalog.ParseRecord("commits/5", []byte("v9\n{}"), 1)
	ce := metalogtest.WantCorrupt(t, err, "commits/5", "written by a newer Sluice/Spark (v9, this build reads up to v1)")
	if !errors.Is(err, metalog.ErrNewerVersion) || ce.Offset != 0 {
		t.Errorf("newer version: %v (offset %d), want ErrNewerVersion at byte 0", err, ce.Offset)
	}
	// A newer version is reported as such even when nothing follows it.
	_, err = metalog.ParseRecord("commits/5", []byte("v2"), 1)
	metalogtest.WantCorrupt(t, err, "commits/5", "newer")
}

func TestCorruptTruncatedFile(t *testing.T) {
	for _, data := range []string{"v", "v1"} {
		_, err := metalog.ParseRecord("offsets/2", []byte(data), 1)
		metalogtest.WantCorrupt(t, err, "offsets/2")
	}
	_, err := metalog.ParseRecord("offsets/2", []byte("v1"), 1)
	ce := metalogtest.WantCorrupt(t, err, "offsets/2", "truncated")
	if ce.Offset != 2 {
		t.Errorf("truncated after the version line: offset %d, want 2", ce.Offset)
	}
}

func TestFormat(t *testing.T) {
	if got := string(metalog.Format(1, []byte("{}"))); got != "v1\n{}" {
		t.Errorf("Format = %q", got)
	}
	if got := string(metalog.Format(12, nil)); got != "v12\n" {
		t.Errorf("Format = %q", got)
	}
}
