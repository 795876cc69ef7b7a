package offsetlog_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
	"github.com/sluicestream/sluice/offsetlog"
)

// offsetFixtures returns every offset log file among the Spark fixtures:
// the files of every offsets/ directory and of offset-log-version-*/, by
// path relative to the fixtures root.
func offsetFixtures(t *testing.T) map[string][]byte {
	return metalogtest.Fixtures(t, "offset log", 18, func(rel string) bool {
		return metalogtest.InDir(rel, "offsets") || strings.HasPrefix(rel, "offset-log-")
	})
}

// TestFixtures parses every Spark offset log fixture and writes it back: the
// bytes must be Spark's, but for the trailing newline some hand-edited
// fixtures have and Spark never writes.
func TestFixtures(t *testing.T) {
	files := offsetFixtures(t)
	for rel, data := range files {
		e, err := offsetlog.Parse(rel, data)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		if len(e.Offsets) == 0 || len(e.Metadata.Extra) != 0 || e.Metadata.BatchTimestampMs == 0 {
			t.Errorf("%s: unexpected entry %+v", rel, e)
		}
		out, err := e.Encode()
		if err != nil {
			t.Errorf("%s: Encode: %v", rel, err)
			continue
		}
		if want := bytes.TrimSuffix(data, []byte("\n")); !bytes.Equal(out, want) {
			t.Errorf("%s: written back differently:\n got %q\nwant %q", rel, out, want)
		}
	}
}

// TestFixturesThroughLog writes every fixture's entry with Log.Add and reads
// the file back: what Sluice writes is what Spark wrote.
func TestFixturesThroughLog(t *testing.T) {
	files := offsetFixtures(t)
	ctx := t.Context()
	for rel, data := range files {
		e, err := offsetlog.Parse(rel, data)
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		st := checkpoint.NewMem()
		l := offsetlog.New(st)
		if err := l.Add(ctx, 0, e); err != nil {
			t.Fatalf("%s: Add: %v", rel, err)
		}
		raw, err := st.Read(ctx, "offsets/0")
		if err != nil || !bytes.Equal(raw, bytes.TrimSuffix(data, []byte("\n"))) {
			t.Errorf("%s: Add wrote %q, %v", rel, raw, err)
		}
		got, err := l.Get(ctx, 0)
		if err != nil || !reflect.DeepEqual(got, e) {
			t.Errorf("%s: Get = %+v, %v; want %+v", rel, got, err, e)
		}
	}
}

func raw(s ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(s))
	for i, v := range s {
		if v != "-" {
			out[i] = json.RawMessage(v)
		}
	}
	return out
}

// TestFixtureContents checks what a few fixtures say, field by field.
func TestFixtureContents(t *testing.T) {
	files := offsetFixtures(t)
	for rel, want := range map[string]struct {
		wm, ts   int64
		confLen  int // -1: no conf field
		firstKey string
		offsets  []json.RawMessage
	}{
		"checkpoint-version-2.1.0/offsets/0":                         {0, 1489085905815, -1, "", raw("2")},
		"offset-log-version-2.1.0/0":                                 {0, 1480981499528, -1, "", raw("0", `{"topic-0":{"0":1}}`)},
		"checkpoint-version-2.4.0-streaming-join/offsets/0":          {0, 1548845804202, 5, "spark.sql.streaming.stateStore.providerClass", raw("0", "0")},
		"checkpoint-version-3.5.1-streaming-deduplication/offsets/1": {0, 1719278978807, 9, "spark.sql.streaming.stateStore.providerClass", raw("1")},
		"checkpoint-version-4.0.0-state-source/offsets/2":            {1717622949519, 1717623010004, 9, "spark.sql.streaming.stateStore.providerClass", raw("17")},
		"checkpoint-version-4.0.0-tws-avro/offsets/1":                {0, 1734074257473, 11, "spark.sql.streaming.stateStore.providerClass", raw("1")},
	} {
		e, err := offsetlog.Parse(rel, files[rel])
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		md := e.Metadata
		if md.BatchWatermarkMs != want.wm || md.BatchTimestampMs != want.ts {
			t.Errorf("%s: watermark %d timestamp %d, want %d %d", rel, md.BatchWatermarkMs, md.BatchTimestampMs, want.wm, want.ts)
		}
		switch {
		case want.confLen < 0 && md.Conf != nil:
			t.Errorf("%s: conf %v, want none (nil)", rel, md.Conf)
		case want.confLen >= 0 && (len(md.Conf) != want.confLen || md.Conf[0].Key != want.firstKey):
			t.Errorf("%s: conf %v, want %d entries starting with %s", rel, md.Conf, want.confLen, want.firstKey)
		}
		if !reflect.DeepEqual(e.Offsets, want.offsets) {
			t.Errorf("%s: offsets %q, want %q", rel, e.Offsets, want.offsets)
		}
	}
	e, _ := offsetlog.Parse("x", files["checkpoint-version-4.0.0-state-source/offsets/0"])
	if v, ok := e.Metadata.Conf.Get("spark.sql.shuffle.partitions"); !ok || v != "4" {
		t.Errorf("shuffle partitions = %q, %v; want 4", v, ok)
	}
}

// TestFixtureGap reads Spark's "test gaps in offset log" checkpoint, written
// with async progress tracking: offsets 1, 2 and 4. List shows the gap,
// Latest is 4, and ListDense, for callers that expect dense ids, reports
// offsets/3 missing.
func TestFixtureGap(t *testing.T) {
	st := metalogtest.LoadDir(t, filepath.Join(metalogtest.FixturesDir(t), "checkpoint-test-offsetId-commitId-inconsistent"), ".")
	l := offsetlog.New(st)
	ctx := t.Context()
	ids, err := l.List(ctx)
	if err != nil || !slices.Equal(ids, []batch.ID{1, 2, 4}) {
		t.Fatalf("List = %v, %v", ids, err)
	}
	id, e, err := l.Latest(ctx)
	if err != nil || id != 4 || string(e.Offsets[0]) != "4" || e.Metadata.BatchWatermarkMs != 5000 {
		t.Fatalf("Latest = %d %+v, %v", id, e, err)
	}
	_, err = l.ListDense(ctx)
	metalogtest.WantCorrupt(t, err, "offsets/3", "missing")
}

// TestSparkCheckpointOnDisk opens a copy of a Spark checkpoint directory with
// the local storage, reads its offset log, continues it by one batch as the
// engine would, and checks the new file on disk is in Spark's format.
func TestSparkCheckpointOnDisk(t *testing.T) {
	const name = "checkpoint-version-4.0.0-state-source"
	dir, st := metalogtest.CopyFixture(t, name)
	ctx := t.Context()
	l := offsetlog.New(st)
	ids, err := l.ListDense(ctx)
	if err != nil || !slices.Equal(ids, []batch.ID{0, 1, 2}) {
		t.Fatalf("ListDense = %v, %v", ids, err)
	}
	id, e, err := l.Latest(ctx)
	if err != nil || id != 2 || e.Metadata.BatchWatermarkMs != 1717622949519 {
		t.Fatalf("Latest = %d %+v, %v", id, e, err)
	}
	next := e
	next.Metadata.BatchWatermarkMs = 1717622959519 // commits/2's nextBatchWatermarkMs
	next.Metadata.BatchTimestampMs = 1717623020004
	next.Offsets = raw("27")
	if err := l.Add(ctx, 3, next); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "offsets", "3"))
	if err != nil {
		t.Fatal(err)
	}
	prev, _ := os.ReadFile(filepath.Join(metalogtest.FixturesDir(t), name, "offsets", "2"))
	want := strings.Replace(strings.Replace(string(prev), "1717622949519", "1717622959519", 1), "1717623010004", "1717623020004", 1)
	want = strings.TrimSuffix(want, "17") + "27"
	if string(got) != want {
		t.Fatalf("offsets/3 on disk:\n got %q\nwant %q", got, want)
	}
	if err := l.Add(ctx, 2, next); !errors.As(err, new(*offsetlog.AlreadyLoggedError)) {
		t.Fatalf("Add(2) over Spark's entry: %v, want *AlreadyLoggedError", err)
	}
}
