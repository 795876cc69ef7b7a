package main

import (
	"fmt"
	"strings"

	"github.com/sluicestream/sluice/internal/benchfmt"
)

// The engine's checkpoint-cost and latency benchmarks (engine/
// checkpoint_bench_test.go, engine/latency_bench_test.go).
const (
	ckptBench    = "BenchmarkCheckpointCost"
	latencyBench = "BenchmarkLatency"
	steadyBench  = "BenchmarkSteadyUpload" // statestore/rocksdb/steady_test.go
)

// ckptFigure is one line of the "Checkpoint cost and latency" section: a
// figure computed from the medians of one or two benchmark metrics, with
// its target (none when bound is 0).
type ckptFigure struct {
	what   string
	value  func(byName map[string]*result) (float64, bool)
	unit   string // "×" for a ratio, else appended after the number
	bound  float64
	atMost bool
}

// ckptRatio is num / den, paired by round (pairedRatio).
func ckptRatio(num, numMetric, den, denMetric string) func(map[string]*result) (float64, bool) {
	return func(byName map[string]*result) (float64, bool) {
		return pairedRatio(byName, num, numMetric, den, denMetric)
	}
}

// ckptScaled is one benchmark metric's median times by.
func ckptScaled(bench, metric string, by float64) func(map[string]*result) (float64, bool) {
	return func(byName map[string]*result) (float64, bool) {
		v, ok := median(byName, bench, metric)
		return v * by, ok
	}
}

// ckptMedian is one benchmark metric's median.
func ckptMedian(bench, metric string) func(map[string]*result) (float64, bool) {
	return func(byName map[string]*result) (float64, bool) { return median(byName, bench, metric) }
}

var ckptFigures = []ckptFigure{
	{"batch duration, async / nocheckpoint (ms/batch): what durable asynchronous checkpoints cost over an in-memory checkpoint",
		ckptRatio(ckptBench+"/async", "ms/batch", ckptBench+"/nocheckpoint", "ms/batch"), "×", 1.05, true},
	{"batch duration, sync / async (ms/batch): what overlapping a batch's upload with the next batch saves",
		ckptRatio(ckptBench+"/sync", "ms/batch", ckptBench+"/async", "ms/batch"), "×", 1.25, false},
	{"batch duration, async (ms/batch)", ckptMedian(ckptBench+"/async", "ms/batch"), " ms", 0, false},
	{"state upload time per batch (upload-ms/batch), sync: what a batch waits for in sync mode and async overlaps",
		ckptMedian(ckptBench+"/sync", "upload-ms/batch"), " ms", 0, false},
	{"uploaded bytes per batch / full snapshot bytes (async): changelogs every batch, new SSTs at the snapshot version",
		ckptRatio(ckptBench+"/async", "upload-bytes/batch", ckptBench+"/async", "full-snapshot-bytes"), "×", 0.03, true},
	{"the same over a long run, level-0 compactions included (" + steadyBench + ": 1 M keys, 1 % changed per version, 160 versions)",
		ckptScaled(steadyBench, "upload-%/version", 0.01), "×", 0.03, true},
	{"restore of the last version from a local-directory checkpoint", ckptMedian(ckptBench+"/restore-local", "s/restore"), " s", 0, false},
	{"restore of the last version from S3 (versitygw on 127.0.0.1)", ckptMedian(ckptBench+"/restore-s3", "s/restore"), " s", 0, false},
	{"latency of a one-row batch, source to sink, p50", ckptMedian(latencyBench, "p50-ms"), " ms", 5, true},
	{"latency of a one-row batch, source to sink, p99", ckptMedian(latencyBench, "p99-ms"), " ms", 0, false},
	{"latency of a one-row batch, source to commits/N durable, p50", ckptMedian(latencyBench, "durable-p50-ms"), " ms", 0, false},
	{"latency of a one-row batch, source to commits/N durable, p99", ckptMedian(latencyBench, "durable-p99-ms"), " ms", 0, false},
}

// renderCheckpointCost writes the "Checkpoint cost and latency" section:
// every figure whose benchmarks ran, its target and whether it is met.
// Nothing if none ran.
func renderCheckpointCost(b *strings.Builder, byName map[string]*result) {
	var rows strings.Builder
	for _, f := range ckptFigures {
		v, ok := f.value(byName)
		if !ok {
			continue
		}
		target, met := "—", "—"
		if f.bound != 0 {
			target = ckptBound(f)
			met = fmt.Sprintf("%s (measured %s)", ckptMet(f, v), ckptNum(v, f.unit))
		}
		fmt.Fprintf(&rows, "| %s | %s | %s | %s |\n", f.what, ckptNum(v, f.unit), target, met)
	}
	if rows.Len() == 0 {
		return
	}
	b.WriteString("\n## Checkpoint cost and latency\n\n")
	if keys, ok := median(byName, ckptBench+"/async", "keys"); ok {
		fmt.Fprintf(b, "`%s` (package engine): SELECT k, sum(v) GROUP BY k over int64 keys and values, a state of %s keys "+
			"loaded outside the timer in 10 batches and 5 batches of updates, then 10 timed batches each updating 1 %% of the keys at random: "+
			"one snapshot period of a long-running query, its snapshot (the 20th version) in the middle, timed until the last batch is committed. "+
			"RocksDB state, P = the number of cores; async and sync checkpoint to a local directory, nocheckpoint to "+
			"checkpoint.Mem (what no checkpoint location costs at best). Restores open every partition of the last version "+
			"(its snapshot and five changelogs) into an empty local directory. ", ckptBench, benchfmt.Num(keys))
	}
	if _, ok := median(byName, latencyBench, "p50-ms"); ok {
		fmt.Fprintf(b, "`%s` (package engine): a stateless filter and project over a memory stream, ProcessingTime(0), "+
			"offsets and commits fsynced to a local directory; one row added at a random moment, 1,000 times.", latencyBench)
	}
	b.WriteString("\n\n| figure | median | target | met |\n| --- | ---: | ---: | --- |\n")
	b.WriteString(rows.String())
	explainSync(b, byName)
}

// explainSync bounds what asynchronous uploads can save, from the sync
// run's own figures: a sync batch waits for its upload, so async can save
// at most that wait.
func explainSync(b *strings.Builder, byName map[string]*result) {
	up, ok1 := median(byName, ckptBench+"/sync", "upload-ms/batch")
	batch, ok2 := median(byName, ckptBench+"/sync", "ms/batch")
	if !ok1 || !ok2 || batch == 0 {
		return
	}
	fmt.Fprintf(b, "\nA sync batch waits for its state upload, %s ms on average against a batch of %s ms, so overlapping the uploads "+
		"with the next batch can make async at most %.3f× as fast as sync here; sync / async reaches 1.25 only where uploads take "+
		"a fifth of a batch or more, as with slower storage than a local directory.\n",
		benchfmt.Num(up), benchfmt.Num(batch), batch/(batch-min(up, batch-1)))
}

// ckptNum renders a figure's value with its unit.
func ckptNum(v float64, unit string) string {
	if unit == "×" {
		return fmt.Sprintf("%.3f×", v)
	}
	return benchfmt.Num(v) + unit
}

// ckptBound renders a figure's target: "≤ 1.05×".
func ckptBound(f ckptFigure) string {
	sign := "≥"
	if f.atMost {
		sign = "≤"
	}
	return sign + " " + ckptNum(f.bound, f.unit)
}

// ckptMet says whether v meets the figure's target.
func ckptMet(f ckptFigure, v float64) string {
	if (f.atMost && v > f.bound) || (!f.atMost && v < f.bound) {
		return "**no**"
	}
	return "yes"
}
