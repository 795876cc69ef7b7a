package sluice_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"

	"github.com/sluicestream/sluice"
	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	sinkmem "github.com/sluicestream/sluice/sink/memory"
	"github.com/sluicestream/sluice/statestore"
	"github.com/sluicestream/sluice/statestore/rocksdb"

	// The sources and sinks the streaming tests use, by name.
	_ "github.com/sluicestream/sluice/sink/console"
	_ "github.com/sluicestream/sluice/sink/file"
	_ "github.com/sluicestream/sluice/source/file"
	_ "github.com/sluicestream/sluice/source/memory"
	_ "github.com/sluicestream/sluice/source/rate"
)

// TestMain fails the package if a goroutine outlives the tests: every
// streaming query must be gone, with what it opened.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitTimeout bounds every wait of a streaming test.
const waitTimeout = time.Minute

// streamSession is a session on a checked allocator. At the end of the test
// it stops the session's queries, drops the memory tables the test used,
// and checks that no Arrow memory is left.
func streamSession(t *testing.T, tables ...string) (*sluice.Session, *memory.CheckedAllocator) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	s := sluice.NewSession(sluice.WithAllocator(mem))
	t.Cleanup(func() {
		s.Streams().StopAll()
		for _, name := range tables {
			if err := sinkmem.Drop(name); err != nil {
				t.Errorf("drop memory table %s: %v", name, err)
			}
		}
		s.Close()
		mem.AssertSize(t, 0)
	})
	return s, mem
}

// tableName is a memory table name unique to the test.
func tableName(t *testing.T, suffix string) string {
	return strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()) + "_" + suffix
}

// putFile writes a file into dir whole: under a hidden name first, which
// the file source skips, then renamed.
func putFile(t *testing.T, dir, name, content string) {
	t.Helper()
	tmp := filepath.Join(dir, ".tmp-"+name)
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

// rocksdbStore is the state store of the stateful tests.
func rocksdbStore(_ context.Context, dir string, st checkpoint.Storage) (statestore.Provider, error) {
	return rocksdb.New(rocksdb.Options{LocalDir: dir, Storage: st})
}

// start starts w and fails the test on an error.
func start(t *testing.T, w *sluice.DataStreamWriter) *sluice.StreamingQuery {
	t.Helper()
	q, err := w.Start(context.Background())
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return q
}

// processAll waits until q has processed everything available.
func processAll(t *testing.T, q *sluice.StreamingQuery) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := q.ProcessAllAvailable(ctx); err != nil {
		t.Fatalf("ProcessAllAvailable: %v", err)
	}
}

// await waits for q to end by itself and fails the test on its error.
func await(t *testing.T, q *sluice.StreamingQuery) {
	t.Helper()
	ended, err := q.AwaitTerminationTimeout(waitTimeout)
	switch {
	case !ended:
		t.Fatalf("query %s still runs after %v", q, waitTimeout)
	case err != nil:
		t.Fatalf("query ended with %v", err)
	}
}

// rowStrings renders every row of recs as "a|b|c", in order.
func rowStrings(recs []arrow.RecordBatch) []string {
	var out []string
	for _, rec := range recs {
		for i := range int(rec.NumRows()) {
			cells := make([]string, rec.NumCols())
			for j, col := range rec.Columns() {
				cells[j] = fmt.Sprint(cellValue(col, i))
			}
			out = append(out, strings.Join(cells, "|"))
		}
	}
	return out
}

// memoryRows returns the rows of memory table name, sorted.
func memoryRows(t *testing.T, name string) []string {
	t.Helper()
	_, recs, ok := sinkmem.Table(name)
	if !ok {
		t.Fatalf("no memory table %s", name)
	}
	defer batch.Release(recs)
	return slices.Sorted(slices.Values(rowStrings(recs)))
}

// collectRows runs df as a batch query and returns its rows, in order.
func collectRows(t *testing.T, df *sluice.DataFrame) []string {
	t.Helper()
	recs, err := df.Collect(context.Background())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	defer batch.Release(recs)
	return rowStrings(recs)
}

// wordCounts counts the words of lines as the streaming word count does:
// split on non-letters, lower-cased.
func wordCounts(lines ...string) map[string]int64 {
	counts := map[string]int64{}
	for _, l := range lines {
		for _, w := range strings.FieldsFunc(strings.ToLower(l), func(r rune) bool { return r < 'a' || r > 'z' }) {
			counts[w]++
		}
	}
	return counts
}

// countRows renders counts as sorted "word|n" rows.
func countRows(counts map[string]int64) []string {
	var out []string
	for _, w := range slices.Sorted(maps.Keys(counts)) {
		out = append(out, fmt.Sprintf("%s|%d", w, counts[w]))
	}
	return out
}

// streamWordCount is the word count of lines (a "value" column).
func streamWordCount(lines *sluice.DataFrame) *sluice.DataFrame {
	return streamWords(lines).GroupBy("word").Count()
}

// streamWords splits lines into lower-cased words, one per row.
func streamWords(lines *sluice.DataFrame) *sluice.DataFrame {
	return lines.
		Select(sluice.Explode(sluice.Split(sluice.Lower(sluice.Col("value")), "[^a-z]+")).As("word")).
		Filter(sluice.Col("word").NotEq(""))
}
