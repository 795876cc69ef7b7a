package main

import (
	"fmt"
	"strings"

	"github.com/sluicestream/sluice/internal/benchfmt"
)

// streamingBench is the engine's streaming word count; its sub-benchmarks
// are the checkpoint modes of streamingModes.
const streamingBench = "BenchmarkStreamingWordCount"

// streamingModes are the sub-benchmarks of streamingBench, in the order the
// section lists them, with what each checkpoints to.
var streamingModes = []struct{ name, what string }{
	{"async", "local directory; a batch's state upload overlaps the next batch (the default)"},
	{"sync", "local directory with SyncCheckpoint; batch N+1 waits for batch N's upload"},
	{"nocheckpoint", "in memory (checkpoint.Mem); nothing written to disk but RocksDB's local files"},
}

// streamingRatios compare the modes with async, each with what it means.
var streamingRatios = []ratio{
	{streamingBench + "/sync", streamingBench + "/async", "words/s",
		"what synchronous checkpoints cost: below 1 is throughput lost by waiting for each batch's upload before the next batch starts; about 1 means uploads are not on the critical path (or do not overlap the next batch yet)"},
	{streamingBench + "/nocheckpoint", streamingBench + "/async", "words/s",
		"what durability costs: at a ratio r above 1, a share 1 − 1/r of the async run goes to writing logs and state checkpoints to disk; about 1 means the engine's own work, not the checkpoint, bounds throughput"},
}

// renderStreaming writes the "Streaming word count" section: words/s of
// every mode, the async target and the ratios to async. Nothing if no mode
// ran.
func renderStreaming(b *strings.Builder, byName map[string]*result) {
	ran := false
	for _, m := range streamingModes {
		_, ok := median(byName, streamingBench+"/"+m.name, "words/s")
		ran = ran || ok
	}
	if !ran {
		return
	}
	b.WriteString("\n## Streaming word count\n\n" +
		"`" + streamingBench + "` (package engine): 1,000,000 lines × 10 words (Zipf, 10,000-word vocabulary, the lines of BenchmarkWordCount) " +
		"in 10 micro-batches of 100,000 lines (AvailableNow, ReadLimit MaxRows 100,000), Update mode, state in a fresh RocksDB provider, " +
		"timed from Start to the end of the query, every batch's state upload and commit included.\n\n" +
		"| mode | checkpoint | words/s median | min | max | runs |\n| --- | --- | ---: | ---: | ---: | ---: |\n")
	for _, m := range streamingModes {
		r := byName[streamingBench+"/"+m.name]
		if r == nil || len(r.metrics["words/s"]) == 0 {
			continue
		}
		med, lo, hi := stats(r.metrics["words/s"])
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %d |\n", m.name, m.what, benchfmt.Num(med), benchfmt.Num(lo), benchfmt.Num(hi), len(r.metrics["words/s"]))
	}
	renderStreamingTarget(b, byName)
	b.WriteString("\n| ratio | words/s, median of per-round ratios | what it means |\n| --- | ---: | --- |\n")
	for _, q := range streamingRatios {
		if v, ok := q.value(byName); ok {
			fmt.Fprintf(b, "| %s / %s | %.2f× | %s |\n", modeName(q.num), modeName(q.den), v, q.why)
		}
	}
}

// renderStreamingTarget states the async target and whether it is met.
func renderStreamingTarget(b *strings.Builder, byName map[string]*result) {
	for _, t := range targets {
		if t.bench != streamingBench+"/async" {
			continue
		}
		b.WriteString("\nTarget: async " + t.boundText() + " " + t.metric + " on a 2-core machine (DuckDB counts the same words as one batch query at about 28 M words/s on one core)")
		if med, ok := median(byName, t.bench, t.metric); ok {
			fmt.Fprintf(b, "; measured %s, met: %s", benchfmt.Num(med), t.met(med))
		}
		b.WriteString(".\n")
	}
}

// modeName is a sub-benchmark's mode: "async" of ".../async".
func modeName(bench string) string {
	return bench[strings.LastIndex(bench, "/")+1:]
}
