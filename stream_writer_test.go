package sluice_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/engine"
	"github.com/sluicestream/sluice/offsetlog"
	srcmem "github.com/sluicestream/sluice/source/memory"
)

var lineSchema = arrow.NewSchema([]arrow.Field{{Name: "value", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)

// addLines adds one record of lines to stream, built on mem.
func addLines(t *testing.T, mem memory.Allocator, stream *srcmem.Stream, lines ...string) {
	t.Helper()
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.AppendValues(lines, nil)
	col := b.NewArray()
	defer col.Release()
	rec := array.NewRecordBatch(lineSchema, []arrow.Array{col}, int64(len(lines)))
	defer rec.Release()
	if _, err := stream.AddData(rec); err != nil {
		t.Fatal(err)
	}
}

// TestStreamFilesAppend runs a stateless query over a directory into the
// memory sink: each new file is picked up by the next batch, and the
// temporary checkpoint is gone after Stop.
func TestStreamFilesAppend(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // the temporary checkpoint goes here
	table := tableName(t, "out")
	s, _ := streamSession(t, table)
	in := filepath.Join(tmp, "in")
	if err := os.Mkdir(in, 0o755); err != nil {
		t.Fatal(err)
	}
	putFile(t, in, "1.txt", "The cat\nsat\n")
	long := streamWords(s.ReadStream().Text(in)).Filter(sluice.Length(sluice.Col("word")).Gt(2))
	q := start(t, long.WriteStream().Format("memory").QueryName(table))
	processAll(t, q)
	if got, want := memoryRows(t, table), []string{"cat", "sat", "the"}; !slices.Equal(got, want) {
		t.Fatalf("after the first file: %v, want %v", got, want)
	}
	putFile(t, in, "2.txt", "on the mat\n")
	processAll(t, q)
	if got, want := memoryRows(t, table), []string{"cat", "mat", "sat", "the", "the"}; !slices.Equal(got, want) {
		t.Fatalf("after the second file: %v, want %v", got, want)
	}
	if p := q.LastProgress(); p == nil || p.BatchID != 1 || p.NumInputRows != 1 {
		t.Errorf("last progress %+v, want batch 1 of 1 row", p)
	}
	if !q.IsActive() || q.Err() != nil {
		t.Errorf("active %v, err %v", q.IsActive(), q.Err())
	}
	q.Stop()
	q.Stop() // idempotent
	if q.IsActive() || q.Err() != nil {
		t.Errorf("after Stop: active %v, err %v", q.IsActive(), q.Err())
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "sluice-*"))
	if len(left) > 0 {
		t.Errorf("temporary directories left after Stop: %v", left)
	}
}

// TestStreamOutputModes runs a word count over a memory stream in update
// and complete mode, and a stateless query in append mode, into the memory
// sink: update writes the groups each batch changed, complete the whole
// result, append each new row once.
func TestStreamOutputModes(t *testing.T) {
	for _, c := range []struct {
		mode      string
		agg       bool
		afterOne  []string
		afterBoth []string
	}{
		{"append", false, []string{"a", "b"}, []string{"a", "b", "b", "c"}},
		{"update", true, []string{"a|1", "b|1"}, []string{"a|1", "b|1", "b|2", "c|1"}},
		{"complete", true, []string{"a|1", "b|1"}, []string{"a|1", "b|2", "c|1"}},
	} {
		t.Run(c.mode, func(t *testing.T) {
			table := tableName(t, "out")
			s, mem := streamSession(t, table)
			stream := srcmem.New(lineSchema)
			defer stream.Release()
			df := streamWords(s.FromSource("lines", stream))
			if c.agg {
				df = df.GroupBy("word").Count()
			}
			q := start(t, df.WriteStream().OutputMode(c.mode).Format("memory").QueryName(table).StateStore(rocksdbStore))
			defer q.Stop()
			addLines(t, mem, stream, "a b")
			processAll(t, q)
			if got := memoryRows(t, table); !slices.Equal(got, c.afterOne) {
				t.Errorf("after batch 0: %v, want %v", got, c.afterOne)
			}
			addLines(t, mem, stream, "b c")
			processAll(t, q)
			if got := memoryRows(t, table); !slices.Equal(got, c.afterBoth) {
				t.Errorf("after batch 1: %v, want %v", got, c.afterBoth)
			}
		})
	}
}

// TestStreamForeachBatch hands each batch to a function as a batch
// DataFrame, and a function's error ends the query with it.
func TestStreamForeachBatch(t *testing.T) {
	s, mem := streamSession(t)
	stream := srcmem.New(lineSchema)
	defer stream.Release()
	var mu sync.Mutex
	seen := map[int64][]string{}
	fn := func(df *sluice.DataFrame, id int64) error {
		if df.IsStreaming() {
			return errors.New("the batch DataFrame is streaming")
		}
		recs, err := df.OrderBy(sluice.Col("word")).Collect(context.Background())
		if err != nil {
			return err
		}
		rows := rowStrings(recs)
		for _, r := range recs {
			r.Release()
		}
		if slices.Contains(rows, "boom") {
			return errors.New("boom seen")
		}
		mu.Lock()
		seen[id] = rows
		mu.Unlock()
		return nil
	}
	q := start(t, streamWords(s.FromSource("lines", stream)).WriteStream().
		ForeachBatch(fn).CheckpointLocation(t.TempDir()))
	addLines(t, mem, stream, "b a")
	processAll(t, q)
	addLines(t, mem, stream, "c")
	processAll(t, q)
	mu.Lock()
	if want := map[int64][]string{0: {"a", "b"}, 1: {"c"}}; fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("batches %v, want %v", seen, want)
	}
	mu.Unlock()
	addLines(t, mem, stream, "boom")
	ended, err := q.AwaitTerminationTimeout(waitTimeout)
	if !ended || err == nil || !strings.Contains(err.Error(), "boom seen") || !errors.Is(q.Exception(), err) {
		t.Errorf("after a failing batch: ended %v, err %v", ended, err)
	}
}

// TestStreamMemorySinkReadBack reads the memory sink's table of a
// complete-mode word count back with the batch API.
func TestStreamMemorySinkReadBack(t *testing.T) {
	table := tableName(t, "counts")
	s, _ := streamSession(t, table)
	dir := t.TempDir()
	putFile(t, dir, "1.txt", "to be or not to be\n")
	putFile(t, dir, "2.txt", "that is the question to ask\n")
	q := start(t, streamWordCount(s.ReadStream().Option("maxFilesPerTrigger", "1").Text(dir)).WriteStream().
		OutputMode("complete").Format("memory").QueryName(table).Trigger(sluice.AvailableNow()).StateStore(rocksdbStore))
	await(t, q)
	if p := q.RecentProgress(); len(p) != 2 {
		t.Fatalf("%d batches, want one per file", len(p))
	}
	counts := s.Table(table)
	top := counts.Filter(sluice.Col("count").Gt(1)).OrderBy(sluice.Col("count").Desc(), sluice.Col("word"))
	if got, want := collectRows(t, top), []string{"to|3", "be|2"}; !slices.Equal(got, want) {
		t.Errorf("read back %v, want %v", got, want)
	}
	if err := s.Table(table + "-nope").Err(); err == nil || !strings.Contains(err.Error(), "no such in-memory table") {
		t.Errorf("missing table: %v", err)
	}
}

// TestStreamRestart stops a stateful query and starts it again on its
// checkpoint, from a new DataFrame and with new local state: it resumes
// after the last committed batch, with the counts restored.
func TestStreamRestart(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // the local state goes here
	table := tableName(t, "counts")
	s, _ := streamSession(t, table)
	in, ck := t.TempDir(), t.TempDir()
	lines := []string{"a b a", "b c", "c c d"}
	run := func(trigger sluice.Trigger) *sluice.StreamingQuery {
		df := streamWordCount(s.ReadStream().Text(in))
		return start(t, df.WriteStream().OutputMode("complete").Format("memory").QueryName(table).
			CheckpointLocation(ck).Trigger(trigger).StateStore(rocksdbStore))
	}
	putFile(t, in, "0.txt", lines[0]+"\n")
	q1 := run(sluice.ProcessingTime(0))
	processAll(t, q1)
	putFile(t, in, "1.txt", lines[1]+"\n")
	processAll(t, q1)
	q1.Stop()
	if got, want := memoryRows(t, table), countRows(wordCounts(lines[:2]...)); !slices.Equal(got, want) {
		t.Fatalf("first run: %v, want %v", got, want)
	}
	putFile(t, in, "2.txt", lines[2]+"\n")
	q2 := run(sluice.AvailableNow())
	await(t, q2)
	if got, want := memoryRows(t, table), countRows(wordCounts(lines...)); !slices.Equal(got, want) {
		t.Errorf("after the restart: %v, want %v", got, want)
	}
	if q2.ID() != q1.ID() || q2.RunID() == q1.RunID() {
		t.Errorf("ids %s/%s then %s/%s: want the same id, a new run id", q1.ID(), q1.RunID(), q2.ID(), q2.RunID())
	}
	if p := q2.RecentProgress(); len(p) != 1 || p[0].BatchID != 2 || p[0].NumInputRows != 1 {
		t.Errorf("second run progress %v, want batch 2 alone, of 1 row", p)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "sluice-*")); len(left) > 0 {
		t.Errorf("temporary state directories left: %v", left)
	}
}

// TestStreamQueryOptions: the query's own options reach the engine, which
// records the state partitions in the offset log.
func TestStreamQueryOptions(t *testing.T) {
	s, mem := streamSession(t)
	stream := srcmem.New(lineSchema)
	defer stream.Release()
	ck, state := t.TempDir(), t.TempDir()
	q := start(t, streamWordCount(s.FromSource("lines", stream)).WriteStream().OutputMode("update").
		ForeachBatch(ignore).CheckpointLocation(ck).StateStore(rocksdbStore).Options(map[string]string{
		"sluice.statePartitions":             "2",
		"SLUICE.syncCheckpoint":              "true",
		"sluice.checkpointTimeout":           "30s",
		"sluice.tolerableCheckpointFailures": "1",
		"sluice.minBatchesToRetain":          "5",
		"sluice.stateStore.localDir":         state,
	}))
	defer q.Stop()
	addLines(t, mem, stream, "a b c d")
	processAll(t, q)
	st, err := checkpoint.Open(context.Background(), ck)
	if err != nil {
		t.Fatal(err)
	}
	e, err := offsetlog.New(st).Get(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := e.Metadata.Conf.Get(engine.ConfStatePartitions); p != "2" {
		t.Errorf("offsets/0 records %s=%q, want 2", engine.ConfStatePartitions, p)
	}
	if dirs, _ := filepath.Glob(filepath.Join(state, "*", "*")); len(dirs) != 2 {
		t.Errorf("local state directories %v, want one per partition", dirs)
	}
}

// TestStreamFileSink writes a stream to the Parquet sink and reads the
// directory back with the batch reader; a file sink needs a checkpoint.
func TestStreamFileSink(t *testing.T) {
	s, _ := streamSession(t)
	in, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
	putFile(t, in, "1.txt", "x y\n")
	df := streamWords(s.ReadStream().Text(in))
	_, err := df.WriteStream().Format("parquet").Option("path", out).Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "checkpointLocation must be specified") {
		t.Fatalf("a file sink without a checkpoint: %v", err)
	}
	q := start(t, df.WriteStream().Format("parquet").Option("path", out).
		CheckpointLocation(t.TempDir()).Trigger(sluice.AvailableNow()))
	await(t, q)
	if got, want := collectRows(t, s.Read().Parquet(out).OrderBy(sluice.Col("word"))), []string{"x", "y"}; !slices.Equal(got, want) {
		t.Errorf("read back %v, want %v", got, want)
	}
}

// TestStreamQueryManager lists a session's active queries, and refuses a
// second query on a running checkpoint or under a running name.
func TestStreamQueryManager(t *testing.T) {
	table := tableName(t, "out")
	s, _ := streamSession(t, table)
	stream := srcmem.New(lineSchema)
	defer stream.Release()
	lines := s.FromSource("lines", stream)
	ck := t.TempDir()
	q1 := start(t, lines.WriteStream().Format("memory").QueryName(table))
	q2 := start(t, lines.WriteStream().Format("console").QueryName("second").CheckpointLocation(ck))
	if got := s.Streams().Active(); !slices.Equal(got, []*sluice.StreamingQuery{q1, q2}) || s.Streams().Get(q2.ID()) != q2 {
		t.Errorf("active %v, want %v and %v", got, q1, q2)
	}
	if other := sluice.NewSession(); len(other.Streams().Active()) != 0 || other.Streams().Get(q1.ID()) != nil {
		t.Error("another session sees the queries")
	}
	for name, w := range map[string]*sluice.DataStreamWriter{
		"same checkpoint": lines.WriteStream().Format("console").CheckpointLocation(ck),
		"same name":       lines.WriteStream().Format("console").QueryName("second"),
	} {
		if _, err := w.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "already active") {
			t.Errorf("%s: %v", name, err)
		}
	}
	s.Streams().StopAll()
	if q1.IsActive() || q2.IsActive() || len(s.Streams().Active()) != 0 {
		t.Error("queries still active after StopAll")
	}
	q3 := start(t, lines.WriteStream().Format("console").CheckpointLocation(ck))
	if q3.ID() != q2.ID() {
		t.Errorf("restart on the checkpoint: id %s, want %s", q3.ID(), q2.ID())
	}
	q3.Stop()
}

// TestStreamWriterErrors: bad settings fail Start with an error naming
// them, and release whatever Start had opened.
func TestStreamWriterErrors(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s, _ := streamSession(t)
	stream := srcmem.New(lineSchema)
	defer stream.Release()
	lines := s.FromSource("lines", stream)
	counts := streamWordCount(lines)
	for _, c := range []struct {
		name string
		w    *sluice.DataStreamWriter
		want string
	}{
		{"output mode", lines.WriteStream().OutputMode("sometimes").Format("console"), `"sometimes"`},
		{"state partitions", lines.WriteStream().Format("console").Option("sluice.statePartitions", "0"), "sluice.statePartitions"},
		{"checkpoint timeout", lines.WriteStream().Format("console").Option("sluice.checkpointTimeout", "soon"), "sluice.checkpointTimeout"},
		{"sync checkpoint", lines.WriteStream().Format("console").Option("sluice.syncCheckpoint", "maybe"), "sluice.syncCheckpoint"},
		{"tolerable failures", lines.WriteStream().Format("console").Option("sluice.tolerableCheckpointFailures", "-1"), "sluice.tolerableCheckpointFailures"},
		{"unknown query option", lines.WriteStream().Format("console").Option("sluice.speed", "fast"), `"sluice.speed"`},
		{"unknown sink option", lines.WriteStream().Format("console").Option("colour", "red"), `"colour"`},
		{"memory without a name", lines.WriteStream().Format("memory"), "queryName must be specified"},
		{"unknown sink", lines.WriteStream().Format("kafka9").CheckpointLocation(t.TempDir()), `"kafka9"`},
		{"foreachBatch without a checkpoint", lines.WriteStream().ForeachBatch(func(*sluice.DataFrame, int64) error { return nil }), "checkpointLocation must be specified"},
		{"nil foreachBatch", lines.WriteStream().ForeachBatch(nil), "nil function"},
		{"unknown state store", counts.WriteStream().OutputMode("complete").Format("console").Option("sluice.stateStore.provider", "nope"), `unknown state store provider "nope"`},
		{"bad checkpoint", lines.WriteStream().Format("console").CheckpointLocation("nope://x"), "checkpointLocation"},
		{"analysis error", lines.Select(sluice.Col("nope")).WriteStream().Format("console"), `"nope"`},
	} {
		q, err := c.w.Start(context.Background())
		if err == nil {
			q.Stop()
			t.Errorf("%s: no error", c.name)
			continue
		}
		t.Logf("%s: %v", c.name, err)
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not say %q", c.name, err, c.want)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "sluice-*")); len(left) > 0 {
		t.Errorf("failed starts left %v", left)
	}
	if n := len(s.Streams().Active()); n != 0 {
		t.Errorf("%d active queries after failed starts", n)
	}
}

// ignore is a ForeachBatch function that does nothing.
func ignore(*sluice.DataFrame, int64) error { return nil }

// recorder is a listener that keeps what it hears.
type recorder struct {
	mu       sync.Mutex
	started  int
	progress []int64 // batch ids
	ended    int
}

func (r *recorder) QueryStarted(sluice.QueryStartedEvent) { r.mu.Lock(); r.started++; r.mu.Unlock() }
func (r *recorder) QueryProgress(p *sluice.StreamingQueryProgress) {
	r.mu.Lock()
	r.progress = append(r.progress, int64(p.BatchID))
	r.mu.Unlock()
}
func (r *recorder) QueryTerminated(sluice.QueryTerminatedEvent) {
	r.mu.Lock()
	r.ended++
	r.mu.Unlock()
}

// TestStreamListener: the listener hears the start, every batch and the
// end.
func TestStreamListener(t *testing.T) {
	s, _ := streamSession(t)
	dir := t.TempDir()
	putFile(t, dir, "1.txt", "a\n")
	putFile(t, dir, "2.txt", "b\n")
	l := &recorder{}
	q := start(t, s.ReadStream().Option("maxFilesPerTrigger", "1").Text(dir).WriteStream().ForeachBatch(ignore).
		CheckpointLocation(t.TempDir()).Trigger(sluice.AvailableNow()).Listener(l))
	await(t, q)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started != 1 || !slices.Equal(l.progress, []int64{0, 1}) || l.ended != 1 {
		t.Errorf("heard %d starts, progress of batches %v, %d ends; want 1, [0 1], 1", l.started, l.progress, l.ended)
	}
}
