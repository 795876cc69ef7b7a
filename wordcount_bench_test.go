package sluice_test

import (
	"context"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice"
	"github.com/sluicestream/sluice/internal/benchdata"
)

// The word-count workload of the Foundation issue (internal/benchdata):
// 1,000,000 lines of 10 words from a 10,000-word vocabulary.
const (
	wcLines      = 1_000_000
	wcWordsPer   = benchdata.WordsPerLine
	wcVocabulary = benchdata.Vocabulary
	wcBatchRows  = 64 * 1024
)

var wcData struct {
	once  sync.Once
	lines []string
}

// wordCountLines returns the workload's lines, generated once.
func wordCountLines() []string {
	wcData.once.Do(func() { wcData.lines = benchdata.WordCountLines(wcLines) })
	return wcData.lines
}

// linesRecords builds the lines as records of one string column "value".
func linesRecords(mem memory.Allocator, lines []string) (*arrow.Schema, []arrow.RecordBatch) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "value", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	var recs []arrow.RecordBatch
	for start := 0; start < len(lines); start += wcBatchRows {
		end := min(start+wcBatchRows, len(lines))
		b := array.NewStringBuilder(mem)
		b.AppendValues(lines[start:end], nil)
		col := b.NewArray()
		b.Release()
		recs = append(recs, array.NewRecordBatch(schema, []arrow.Array{col}, int64(end-start)))
		col.Release()
	}
	return schema, recs
}

// wordCount is the query under test.
func wordCount(df *sluice.DataFrame) *sluice.DataFrame {
	return df.Select(sluice.Explode(sluice.Split(sluice.Col("value"), " ")).As("word")).
		GroupBy("word").Agg(sluice.CountStar().As("count"))
}

// BenchmarkWordCount runs batch word count through the DataFrame API on one
// goroutine and reports words/s.
func BenchmarkWordCount(b *testing.B) {
	lines := wordCountLines()
	s := sluice.NewSession()
	defer s.Close()
	schema, recs := linesRecords(memory.DefaultAllocator, lines)
	df := wordCount(s.FromRecords("lines", schema, recs...))
	for _, r := range recs {
		r.Release()
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := df.Collect(ctx)
		if err != nil {
			b.Fatal(err)
		}
		var groups int64
		for _, r := range out {
			groups += r.NumRows()
			r.Release()
		}
		if groups == 0 || groups > wcVocabulary {
			b.Fatalf("%d groups", groups)
		}
	}
	b.ReportMetric(float64(wcLines*wcWordsPer)*float64(b.N)/b.Elapsed().Seconds(), "words/s")
}

// BenchmarkWordCountGoMap is the physical ceiling: a hand-written splitter
// and a Go map over the same lines.
func BenchmarkWordCountGoMap(b *testing.B) {
	lines := wordCountLines()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		counts := make(map[string]int64, wcVocabulary)
		for _, l := range lines {
			start := 0
			for j := 0; j < len(l); j++ {
				if l[j] == ' ' {
					counts[l[start:j]]++
					start = j + 1
				}
			}
			counts[l[start:]]++
		}
		if len(counts) == 0 {
			b.Fatal("no words")
		}
	}
	b.ReportMetric(float64(wcLines*wcWordsPer)*float64(b.N)/b.Elapsed().Seconds(), "words/s")
}
