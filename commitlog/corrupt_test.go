package commitlog_test

import (
	"errors"
	"testing"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/commitlog"
	"github.com/sluicestream/sluice/internal/metalog"
	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
)

// getRaw stores data as commits/5 and reads it back through a Log.
func getRaw(t *testing.T, data string) error {
	t.Helper()
	return metalogtest.GetFile(t, commitlog.New, data)
}

func TestCorruptEmptyFile(t *testing.T) {
	metalogtest.WantCorrupt(t, getRaw(t, ""), "commits/5", "empty file")
}

func TestCorruptTruncatedFile(t *testing.T) {
	full := "v1\n{\"nextBatchWatermarkMs\":1717622949519,\"stateUniqueIds\":{}}"
	for _, c := range []struct {
		n    int
		want string
	}{
		{1, "version line"},
		{2, "truncated"},               // "v1": Spark would read "{}", no writer wrote it
		{3, "missing commit metadata"}, // "v1\n"
		{10, "truncated"},              // inside the JSON
		{len(full) - 1, "truncated"},   // the last brace
	} {
		metalogtest.WantCorrupt(t, getRaw(t, full[:c.n]), "commits/5", c.want)
	}
	// Every cut is corruption, never another error or a panic: the closing
	// brace comes last, so no strict prefix of a commit is a commit.
	for n := range len(full) {
		_, err := commitlog.Parse("commits/5", []byte(full[:n]))
		var ce *checkpoint.CorruptionError
		if !errors.As(err, &ce) {
			t.Fatalf("cut at %d: %v, want a CorruptionError", n, err)
		}
	}
}

func TestCorruptMissingVersionLine(t *testing.T) {
	metalogtest.WantCorrupt(t, getRaw(t, `{"nextBatchWatermarkMs":0}`), "commits/5", "missing or garbled version line")
}

func TestCorruptNewerVersion(t *testing.T) {
	err := getRaw(t, "v9\n{\"nextBatchWatermarkMs\":0}")
	metalogtest.WantCorrupt(t, err, "commits/5", "written by a newer Sluice/Spark (v9, this build reads up to v1)")
	if !errors.Is(err, metalog.ErrNewerVersion) {
		t.Errorf("%v does not wrap ErrNewerVersion", err)
	}
	// Spark 4 with state checkpoint format v2 writes v2 commits.
	metalogtest.WantCorrupt(t, getRaw(t, "v2\n{\"nextBatchWatermarkMs\":0,\"stateUniqueIds\":{\"0\":[[\"u\"]]}}"), "commits/5", "v2")
}

func TestCorruptGarbageJSON(t *testing.T) {
	for _, c := range []struct{ data, want string }{
		{"v1\nnot json", "commit metadata"},
		{"v1\n[0]", "not a JSON object"},
		{"v1\n{\"nextBatchWatermarkMs\":\"0\"}", "not a 64-bit integer"},
		{"v1\n{\"nextBatchWatermarkMs\":null}", "not a 64-bit integer"},
		{"v1\n{\"nextBatchWatermarkMs\":1,\"nextBatchWatermarkMs\":2}", "duplicate field"},
		{"v1\n{\"nextBatchWatermarkMs\":1}x", "data after"},
		{"v1\n{\"nextBatchWatermarkMs\":1}\n{}", "unexpected line"},
		{"v1\n{\"nextBatchWatermarkMs\":1}\n\n", "unexpected line"},
		{"v1\n\n{\"nextBatchWatermarkMs\":1}", "missing commit metadata"},
	} {
		ce := metalogtest.WantCorrupt(t, getRaw(t, c.data), "commits/5", c.want)
		if ce.Offset < 3 || ce.Offset > int64(len(c.data)) {
			t.Errorf("%q: offset %d, want one inside the body", c.data, ce.Offset)
		}
	}
}

func TestCorruptGap(t *testing.T) {
	ctx := t.Context()
	l := commitlog.New(checkpoint.NewMem())
	for _, id := range []batch.ID{4, 5, 8} {
		if err := l.Add(ctx, id, commitlog.Entry{}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := l.ListDense(ctx)
	metalogtest.WantCorrupt(t, err, "commits/6", "missing", "6..7")
}

func TestIOErrorIsNotCorruption(t *testing.T) {
	metalogtest.IOErrors(t, commitlog.New, commitlog.Entry{})
}
