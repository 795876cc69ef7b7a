package sluice_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluicestream/sluice"
	"github.com/sluicestream/sluice/batch"
	sinkmem "github.com/sluicestream/sluice/sink/memory"
	srcmem "github.com/sluicestream/sluice/source/memory"
)

// TestUnsupportedOperations: every query Spark's UnsupportedOperationChecker
// refuses fails Start with an *UnsupportedOperationError saying why, before
// anything is opened.
func TestUnsupportedOperations(t *testing.T) {
	s, _ := streamSession(t)
	stream, other := srcmem.New(lineSchema), srcmem.New(lineSchema)
	defer stream.Release()
	defer other.Release()
	dir := t.TempDir()
	putFile(t, dir, "static.txt", "static\n")
	static := s.Read().Text(filepath.Join(dir, "static.txt"))
	lines := s.FromSource("lines", stream)
	counts := streamWordCount(lines)
	byCount := counts.OrderBy(sluice.Col("count").Desc())
	countDistinct := streamWords(lines).GroupBy(sluice.Length(sluice.Col("word")).As("n")).
		Agg(sluice.CountDistinct(sluice.Col("word")).As("words"))
	for _, c := range []struct {
		name string
		df   *sluice.DataFrame
		mode string
		want string
	}{
		{"writeStream on a batch DataFrame", static, "append", "'writeStream' can be called only on streaming"},
		{"complete without aggregation", lines, "complete", "Complete output mode not supported when there are no streaming aggregations"},
		{"append with aggregation", counts, "append", "Append output mode not supported when there are streaming aggregations"},
		{"distinct in append", lines.Distinct(), "append", "Append output mode not supported when there are streaming aggregations"},
		{"sort without aggregation", lines.OrderBy(sluice.Col("value")), "append", "Sorting is not supported on streaming"},
		{"sort after aggregation in update", byCount, "update", "Sorting is not supported on streaming"},
		{"limit without aggregation", lines.Limit(3), "append", "Limits are not supported on streaming"},
		{"limit after aggregation in update", counts.Limit(3), "update", "Limits are not supported on streaming"},
		{"multiple aggregations", counts.GroupBy("count").Agg(sluice.CountStar().As("words")), "complete", "Multiple streaming aggregations"},
		{"count distinct", countDistinct, "update", "Distinct aggregations are not supported"},
		{"stream-stream join", lines.JoinUsing(s.FromSource("other", other), []string{"value"}, "inner"), "append", "Stream-stream joins"},
		{"full outer join with a static side", lines.JoinUsing(static, []string{"value"}, "full"), "append", "Full outer joins"},
		{"left join with the stream on the right", static.JoinUsing(lines, []string{"value"}, "left"), "append", "Left outer join with a streaming DataFrame/Dataset on the right"},
		{"right join with the stream on the left", lines.JoinUsing(static, []string{"value"}, "right"), "append", "Right outer join with a streaming DataFrame/Dataset on the left"},
		{"anti join with the stream on the right", static.JoinUsing(lines, []string{"value"}, "anti"), "append", "Left semi/anti joins"},
		{"union of a stream and a batch", lines.Union(static), "append", "Union between streaming and batch"},
	} {
		q, err := c.df.WriteStream().OutputMode(c.mode).Format("console").StateStore(rocksdbStore).Start(context.Background())
		if err == nil {
			q.Stop()
			t.Errorf("%s: started", c.name)
			continue
		}
		t.Logf("%s: %v", c.name, err)
		var uerr *sluice.UnsupportedOperationError
		if !errors.As(err, &uerr) || !errors.Is(err, sluice.ErrUnsupportedOperation) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an unsupported-operation error saying %q", c.name, err, c.want)
		}
	}
}

// TestSupportedStreamingOperations runs what the checks allow at their
// edges: distinct (an aggregation) in update mode, a sort and a limit over
// an aggregation in complete mode; and a stream-static inner join passes
// the checks (the engine may still refuse it: it does not join yet).
func TestSupportedStreamingOperations(t *testing.T) {
	distinctTable, topTable := tableName(t, "distinct"), tableName(t, "top")
	s, mem := streamSession(t, distinctTable, topTable)
	stream := srcmem.New(lineSchema)
	defer stream.Release()
	lines := s.FromSource("lines", stream)
	words := streamWords(lines)
	distinct := start(t, words.Distinct().WriteStream().OutputMode("update").
		Format("memory").QueryName(distinctTable).StateStore(rocksdbStore))
	defer distinct.Stop()
	top := streamWordCount(lines).OrderBy(sluice.Col("count").Desc(), sluice.Col("word")).Limit(2)
	topQuery := start(t, top.WriteStream().OutputMode("complete").
		Format("memory").QueryName(topTable).StateStore(rocksdbStore))
	defer topQuery.Stop()
	addLines(t, mem, stream, "b a b", "c b a")
	processAll(t, distinct)
	processAll(t, topQuery)
	if got, want := memoryRows(t, distinctTable), []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("distinct: %v, want %v", got, want)
	}
	_, recs, _ := sinkmem.Table(topTable)
	defer batch.Release(recs)
	if got, want := rowStrings(recs), []string{"b|3", "a|2"}; !slices.Equal(got, want) {
		t.Errorf("top words: %v, want %v in that order", got, want)
	}

	dir := t.TempDir()
	putFile(t, dir, "static.txt", "a\n")
	static := s.Read().Text(filepath.Join(dir, "static.txt")).Select(sluice.Col("value").As("word"))
	q, err := words.JoinUsing(static, []string{"word"}, "inner").WriteStream().Format("console").Start(context.Background())
	if errors.Is(err, sluice.ErrUnsupportedOperation) {
		t.Errorf("stream-static inner join: %v", err)
	}
	if err == nil {
		q.Stop()
	}
}
