package offsetlog_test

import (
	"errors"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/metalog"
	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
	"github.com/sluicestream/sluice/offsetlog"
)

// getRaw stores data as offsets/5 and reads it back through a Log.
func getRaw(t *testing.T, data string) error {
	t.Helper()
	return metalogtest.GetFile(t, offsetlog.New, data)
}

const goodMeta = `{"batchWatermarkMs":0,"batchTimestampMs":1480981499528}`

func TestCorruptEmptyFile(t *testing.T) {
	metalogtest.WantCorrupt(t, getRaw(t, ""), "offsets/5", "empty file")
}

func TestCorruptTruncatedFile(t *testing.T) {
	full := "v1\n" + goodMeta + "\n0\n" + `{"topic-0":{"0":1}}`
	for _, c := range []struct {
		n    int
		want string
	}{
		{1, "version line"},
		{2, "truncated"},              // "v1"
		{3, "missing batch metadata"}, // "v1\n"
		{20, "batch metadata"},        // inside the metadata JSON
		{len(full) - 5, "source 1"},   // inside the second offset
		{len(full) - 1, "source 1"},   // its last brace
	} {
		metalogtest.WantCorrupt(t, getRaw(t, full[:c.n]), "offsets/5", c.want)
	}
}

// TestTruncatedPrefixes cuts every offsets fixture at every length: a prefix
// parses or is corruption, never another kind of error or a panic.
func TestTruncatedPrefixes(t *testing.T) {
	files := offsetFixtures(t)
	for rel, data := range files {
		for n := range len(data) {
			_, err := offsetlog.Parse(rel, data[:n])
			var ce *checkpoint.CorruptionError
			if err != nil && (!errors.As(err, &ce) || ce.Path != rel) {
				t.Fatalf("%s cut at %d: %v, want nil or a CorruptionError naming the file", rel, n, err)
			}
		}
	}
}

func TestCorruptMissingVersionLine(t *testing.T) {
	metalogtest.WantCorrupt(t, getRaw(t, goodMeta+"\n0"), "offsets/5", "missing or garbled version line")
	metalogtest.WantCorrupt(t, getRaw(t, "1\n"+goodMeta+"\n0"), "offsets/5", "version line")
}

func TestCorruptNewerVersion(t *testing.T) {
	err := getRaw(t, "v9\n"+goodMeta+"\n0")
	metalogtest.WantCorrupt(t, err, "offsets/5", "written by a newer Sluice/Spark (v9, this build reads up to v1)")
	if !errors.Is(err, metalog.ErrNewerVersion) {
		t.Errorf("%v does not wrap ErrNewerVersion", err)
	}
	// Spark 4.1's offset log v2 is newer too.
	metalogtest.WantCorrupt(t, getRaw(t, "v2\n"+goodMeta+"\nsrc:0"), "offsets/5", "v2")
}

func TestCorruptGarbageJSON(t *testing.T) {
	for _, c := range []struct{ data, want string }{
		{"v1\nnot json\n0", "batch metadata"},
		{"v1\n[1,2]\n0", "not a JSON object"},
		{"v1\n" + goodMeta + "x\n0", "data after"},
		{"v1\n\n0", "missing batch metadata"},
		{"v1\n" + `{"batchWatermarkMs":"0","batchTimestampMs":1}` + "\n0", "not a 64-bit integer"},
		{"v1\n" + `{"batchWatermarkMs":1.5,"batchTimestampMs":1}` + "\n0", "batchWatermarkMs"},
		{"v1\n" + `{"batchWatermarkMs":0,"batchWatermarkMs":1}` + "\n0", "duplicate field"},
		{"v1\n" + `{"batchWatermarkMs":0,"conf":[]}` + "\n0", "conf is not a JSON object"},
		{"v1\n" + `{"batchWatermarkMs":0,"conf":{"a":1}}` + "\n0", "not a string"},
		{"v1\n" + `{"batchWatermarkMs":0,"conf":{"a":"1","a":"2"}}` + "\n0", "duplicate"},
		{"v1\n" + goodMeta + "\n{\"topic\":", "source 0 is not JSON"},
		{"v1\n" + goodMeta + "\n0\n\n1", "source 1 is not JSON"},
		{"v1\n" + goodMeta + "\n0\n\n", "source 1 is not JSON"},
		{"v1\n" + goodMeta + "\n--", "source 0"},
	} {
		ce := metalogtest.WantCorrupt(t, getRaw(t, c.data), "offsets/5", c.want)
		if ce.Offset < 3 || ce.Offset > int64(len(c.data)) {
			t.Errorf("%q: offset %d, want one inside the body", c.data, ce.Offset)
		}
	}
}

func TestCorruptGap(t *testing.T) {
	ctx := t.Context()
	l := offsetlog.New(checkpoint.NewMem())
	for _, id := range []int64{0, 1, 3} {
		if err := l.Add(ctx, batchID(id), offsetlog.Entry{}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := l.ListDense(ctx)
	metalogtest.WantCorrupt(t, err, "offsets/2", "missing")
}

func TestIOErrorIsNotCorruption(t *testing.T) {
	metalogtest.IOErrors(t, offsetlog.New, offsetlog.Entry{})
}
