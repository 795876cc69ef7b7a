package commitlog_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/commitlog"
	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
)

// commitFixtures returns every file of every commits/ directory among the
// Spark fixtures, by path relative to the fixtures root.
func commitFixtures(t *testing.T) map[string][]byte {
	return metalogtest.Fixtures(t, "commit log", 3, func(rel string) bool {
		return metalogtest.InDir(rel, "commits")
	})
}

// TestFixtures parses every Spark commit log fixture, checks what it says,
// and writes it back, directly and through Log.Add: the bytes must be
// Spark's.
func TestFixtures(t *testing.T) {
	want := map[string]commitlog.Entry{
		"checkpoint-version-4.0.0-state-source/commits/1": {NextBatchWatermarkMs: 1717622949519},
		"checkpoint-version-4.0.0-state-source/commits/2": {NextBatchWatermarkMs: 1717622959519},
		"checkpoint-version-4.0.0-tws-avro/commits/1":     {Extra: metalogtest.Fields("stateUniqueIds", "{}")},
	}
	ctx := t.Context()
	for rel, data := range commitFixtures(t) {
		e, err := commitlog.Parse(rel, data)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		if w, ok := want[rel]; ok && !reflect.DeepEqual(e, w) {
			t.Errorf("%s: %+v, want %+v", rel, e, w)
		}
		out, err := e.Encode()
		if err != nil || !bytes.Equal(out, bytes.TrimSuffix(data, []byte("\n"))) {
			t.Errorf("%s: written back as %q, %v; Spark wrote %q", rel, out, err, data)
		}
		st := checkpoint.NewMem()
		l := commitlog.New(st)
		if err := l.Add(ctx, 1, e); err != nil {
			t.Fatalf("%s: Add: %v", rel, err)
		}
		written, _ := st.Read(ctx, "commits/1")
		if !bytes.Equal(written, out) {
			t.Errorf("%s: Add wrote %q, Encode %q", rel, written, out)
		}
		if got, err := l.Get(ctx, 1); err != nil || !reflect.DeepEqual(got, e) {
			t.Errorf("%s: Get = %+v, %v", rel, got, err)
		}
	}
}

// TestEncodeAsSpark builds a commit in Go and checks it encodes to the bytes
// Spark 4.0 wrote for the same content.
func TestEncodeAsSpark(t *testing.T) {
	files := commitFixtures(t)
	for rel, e := range map[string]commitlog.Entry{
		"checkpoint-version-4.0.0-state-source/commits/1": {NextBatchWatermarkMs: 1717622949519},
		"checkpoint-version-4.0.0-tws-avro/commits/1":     {Extra: metalogtest.Fields("stateUniqueIds", "{}")},
	} {
		got, err := e.Encode()
		if err != nil || string(got) != string(files[rel]) {
			t.Errorf("%s: Encode = %q, %v; want %q", rel, got, err, files[rel])
		}
	}
}

// TestSparkCheckpointOnDisk opens a copy of a Spark checkpoint directory with
// the local storage, reads its commit log (batches 1 and 2: batch 0's commit
// is one of the files the fixtures lack), commits batch 3, and checks the
// file on disk is in Spark's format.
func TestSparkCheckpointOnDisk(t *testing.T) {
	dir, st := metalogtest.CopyFixture(t, "checkpoint-version-4.0.0-state-source")
	ctx := t.Context()
	l := commitlog.New(st)
	id, e, err := l.Latest(ctx)
	if err != nil || id != 2 || e.NextBatchWatermarkMs != 1717622959519 {
		t.Fatalf("Latest = %d %+v, %v", id, e, err)
	}
	if err := l.Add(ctx, 3, commitlog.Entry{NextBatchWatermarkMs: 1717622969519}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "commits", "3"))
	if want := "v1\n{\"nextBatchWatermarkMs\":1717622969519}"; err != nil || string(got) != want {
		t.Fatalf("commits/3 on disk = %q, %v; want %q", got, err, want)
	}
}
