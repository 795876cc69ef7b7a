package main

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice"
)

// Batch word count: the Foundation issue's query over lines at rest.
func init() {
	register(&workload{
		name:  "wordcount",
		rank:  1,
		title: "Batch word count",
		about: "1,000,000 lines × 10 words (Zipf, 10,000-word vocabulary: the lines of BenchmarkWordCount, same generator and seeds), " +
			"`SELECT word, count(*) FROM (SELECT explode(split(line, ' ')) AS word FROM lines) GROUP BY word`, the answer collected into Go. " +
			"The lines are loaded into each system before the timer starts (Arrow records for Sluice, DuckDB's appender into a table).",
		unit:   "words/s",
		smoke:  2_000,
		full:   1_000_000,
		work:   func(n int) float64 { return float64(n * wcWordsPer) },
		expect: wordCountAnswer,
		systems: []system{
			{name: "sluice", about: "DataFrame API, `Collect` over in-memory Arrow records of 65,536 lines, as BenchmarkWordCount runs it", prepare: prepareSluiceWordCount},
			{name: "duckdb", about: "`unnest(string_split(line, ' '))` + GROUP BY over a table, `SET threads` = GOMAXPROCS", prepare: duckWordCount(0)},
			{name: "duckdb-1thread", about: "the same with `SET threads = 1`", prepare: duckWordCount(1)},
			{name: "gomap", about: "hand-written splitter into a Go map, one goroutine: the physical ceiling", prepare: prepareGoMapWordCount},
		},
		ratios: []ratio{
			{num: "sluice", dens: []string{"duckdb-1thread"}, atLeast: 1.0, why: "the issue's target: Sluice at least as fast as DuckDB, thread counts equal: Sluice's batch engine runs a query on one goroutine, so DuckDB gets one thread here (its GOMAXPROCS-thread figure is in the table for reference)."},
			{num: "sluice", dens: []string{"gomap"}, atLeast: 0.8, why: "the issue's target: Sluice within 80 % of a hand-written splitter and Go map (the physical ceiling)."},
		},
	})
}

// wcBatchRows is the lines per Arrow record, as in BenchmarkWordCount.
const wcBatchRows = 64 * 1024

var linesSchema = arrow.NewSchema([]arrow.Field{{Name: "value", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)

// linesRecords builds lines as records of rows lines each, one string column
// "value"; the caller releases them.
func linesRecords(mem memory.Allocator, lines []string, rows int) []arrow.RecordBatch {
	var recs []arrow.RecordBatch
	for start := 0; start < len(lines); start += rows {
		end := min(start+rows, len(lines))
		b := array.NewStringBuilder(mem)
		b.AppendValues(lines[start:end], nil)
		col := b.NewArray()
		b.Release()
		recs = append(recs, array.NewRecordBatch(linesSchema, []arrow.Array{col}, int64(end-start)))
		col.Release()
	}
	return recs
}

func sluiceWordCount(df *sluice.DataFrame) *sluice.DataFrame {
	return df.Select(sluice.Explode(sluice.Split(sluice.Col("value"), " ")).As("word")).
		GroupBy("word").Agg(sluice.CountStar().As("count"))
}

func prepareSluiceWordCount(ctx context.Context, n int) (*runner, error) {
	s := sluice.NewSession()
	recs := linesRecords(memory.DefaultAllocator, wordCountLines(n), wcBatchRows)
	df := sluiceWordCount(s.FromRecords("lines", linesSchema, recs...))
	for _, r := range recs {
		r.Release()
	}
	return &runner{
		run: func(ctx context.Context) (answer, error) {
			out, err := df.Collect(ctx)
			if err != nil {
				return nil, err
			}
			return recordCounts(out), nil
		},
		close: s.Close,
	}, nil
}

// recordCounts reads (word string, count int64) records into an answer and
// releases them.
func recordCounts(recs []arrow.RecordBatch) answer {
	a := make(answer, wcVocabulary)
	for _, r := range recs {
		words := r.Column(0).(*array.String)
		counts := r.Column(1).(*array.Int64)
		for i := range words.Len() {
			a[words.Value(i)] = float64(counts.Value(i))
		}
		r.Release()
	}
	return a
}

// readerCounts drains a (word, count) reader into a.
func readerCounts(ctx context.Context, r interface {
	Next(context.Context) (arrow.RecordBatch, error)
}, a answer) error {
	for {
		rec, err := r.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		for k, v := range recordCounts([]arrow.RecordBatch{rec}) {
			a[k] = v
		}
	}
}

const duckWordCountQuery = "SELECT word, count(*) FROM (SELECT unnest(string_split(line, ' ')) AS word FROM lines) GROUP BY word"

func duckWordCount(threads int) func(ctx context.Context, n int) (*runner, error) {
	return func(ctx context.Context, n int) (*runner, error) {
		d, err := openDuck(ctx, threads)
		if err != nil {
			return nil, err
		}
		if err := d.exec(ctx, "CREATE TABLE lines (line VARCHAR)"); err != nil {
			d.close()
			return nil, err
		}
		if err := d.appendLines("lines", wordCountLines(n)); err != nil {
			d.close()
			return nil, err
		}
		return &runner{
			run:   func(ctx context.Context) (answer, error) { return d.counts(ctx, duckWordCountQuery) },
			close: d.close,
		}, nil
	}
}

func prepareGoMapWordCount(ctx context.Context, n int) (*runner, error) {
	lines := wordCountLines(n)
	return &runner{run: func(context.Context) (answer, error) {
		counts := make(map[string]int64, wcVocabulary)
		countWords(lines, counts)
		return countsAnswer(counts), nil
	}}, nil
}
