// Command benchmd turns `go test -bench` output into BENCHMARKS.md: the
// machine the figures were measured on, then per benchmark the median, minimum
// and maximum of every reported metric over the runs (-count), how each
// figure compares with its target, and a section of its own for the
// engine's streaming word count (streaming.go).
//
//	go test -run '^$' -bench . -count 5 . > bench.out
//	go run ./internal/benchmd -in bench.out -out BENCHMARKS.md
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sluicestream/sluice/internal/benchfmt"
)

// target is a performance target from an issue, checked against a metric.
type target struct {
	bench, metric string
	bound         float64 // the metric's median must be at least this, or at most with atMost
	atMost        bool
	why           string
}

var targets = []target{
	{"BenchmarkWordCount", "words/s", 25e6, false, "batch word count, single-threaded (issue: Foundation)"},
	{"BenchmarkIncrementalUpload", "upload-%", 5, true, "bytes uploaded for a version that changed 1 % of 1,000,000 keys, as a share of a full snapshot (issue: State store)"},
	{streamingBench + "/async", "words/s", 20e6, false, "streaming word count in 10 micro-batches, RocksDB state, asynchronous checkpoints to a local directory, on 2 cores; see Streaming word count below (issue: streaming word-count benchmark)"},
}

// ratio compares two benchmarks of one run on one metric; ratios stay
// meaningful when a shared machine slows everything down.
type ratio struct {
	num, den, metric, why string
}

var ratios = []ratio{
	{"BenchmarkWordCount", "BenchmarkWordCountGoMap", "words/s", "engine vs a hand-written splitter and Go map over the same lines (the physical ceiling the Foundation issue names)"},
}

// result holds every value of every metric of one benchmark.
type result struct {
	name    string
	metrics map[string][]float64
	order   []string
}

func main() {
	in := flag.String("in", "-", "go test -bench output")
	out := flag.String("out", "BENCHMARKS.md", "file to write")
	flag.Parse()
	var r io.Reader = os.Stdin
	if *in != "-" {
		f, err := os.Open(*in)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		r = f
	}
	results, err := parse(r)
	if err != nil {
		fatal(err)
	}
	if len(results) == 0 {
		fatal(fmt.Errorf("no benchmark results in %s", *in))
	}
	var b strings.Builder
	render(&b, results)
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "benchmd:", err)
	os.Exit(1)
}

// parse reads benchmark lines: name, iterations, then value-unit pairs.
func parse(r io.Reader) ([]*result, error) {
	byName := map[string]*result{}
	var order []*result
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := f[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i] // drop the GOMAXPROCS suffix
		}
		res := byName[name]
		if res == nil {
			res = &result{name: name, metrics: map[string][]float64{}}
			byName[name] = res
			order = append(order, res)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("line %q: value %q: %w", sc.Text(), f[i], err)
			}
			unit := f[i+1]
			if _, ok := res.metrics[unit]; !ok {
				res.order = append(res.order, unit)
			}
			res.metrics[unit] = append(res.metrics[unit], v)
		}
	}
	return order, sc.Err()
}

func stats(v []float64) (med, lo, hi float64) {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	med = s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return med, s[0], s[n-1]
}

func render(b *strings.Builder, results []*result) {
	fmt.Fprintf(b, "# Benchmarks\n\nWritten by `make bench` on %s. Figures are the median of the runs, with min and max; absolute numbers drift on shared machines, so compare ratios measured in one run. "+
		"`make bench` runs compared benchmarks in turn, one round after another, and a ratio is the median of the per-round ratios.\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(b, "## Machine\n\n- CPU: %s\n- Cores: %d\n- Memory: %s\n- Go: %s, %s/%s\n\n", benchfmt.CPUModel(), runtime.NumCPU(), benchfmt.MemTotal(), goVersion(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(b, "## Results\n\n| benchmark | metric | median | min | max | runs |\n| --- | --- | ---: | ---: | ---: | ---: |\n")
	for _, r := range results {
		for _, unit := range r.order {
			med, lo, hi := stats(r.metrics[unit])
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %d |\n", r.name, unit, benchfmt.Num(med), benchfmt.Num(lo), benchfmt.Num(hi), len(r.metrics[unit]))
		}
	}
	byName := map[string]*result{}
	for _, r := range results {
		byName[r.name] = r
	}
	renderTargets(b, byName)
	renderRatios(b, byName)
	renderStreaming(b, byName)
	renderCheckpointCost(b, byName)
	renderSideBySide(b)
}

// renderTargets writes every target whose benchmark ran, met or not.
func renderTargets(b *strings.Builder, byName map[string]*result) {
	fmt.Fprintf(b, "\n## Targets\n\n| benchmark | metric | target | measured | met |\n| --- | --- | ---: | ---: | --- |\n")
	for _, t := range targets {
		med, ok := median(byName, t.bench, t.metric)
		if !ok {
			continue
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", t.bench, t.metric, t.boundText(), benchfmt.Num(med), t.met(med))
	}
	for _, t := range targets {
		fmt.Fprintf(b, "\n- %s %s: %s.", t.bench, t.metric, t.why)
	}
}

// renderRatios writes every ratio whose two benchmarks ran.
func renderRatios(b *strings.Builder, byName map[string]*result) {
	b.WriteString("\n\n## Ratios\n\n| ratio | metric | median of per-run ratios | what |\n| --- | --- | ---: | --- |\n")
	for _, q := range ratios {
		if v, ok := q.value(byName); ok {
			fmt.Fprintf(b, "| %s / %s | %s | %.2f× | %s |\n", q.num, q.den, q.metric, v, q.why)
		}
	}
}

// median returns the median of a benchmark's metric; false if the
// benchmark did not report it.
func median(byName map[string]*result, bench, metric string) (float64, bool) {
	r := byName[bench]
	if r == nil || len(r.metrics[metric]) == 0 {
		return 0, false
	}
	med, _, _ := stats(r.metrics[metric])
	return med, true
}

// boundText renders the target with its direction: "≥ 25.00 M".
func (t target) boundText() string {
	sign := "≥"
	if t.atMost {
		sign = "≤"
	}
	return sign + " " + benchfmt.Num(t.bound)
}

// met says whether a median meets the target, and by how much it misses.
func (t target) met(med float64) string {
	if (!t.atMost && med < t.bound) || (t.atMost && med > t.bound) {
		return fmt.Sprintf("**no** (%.2f× the target)", med/t.bound)
	}
	return "yes"
}

// value is num / den on the metric, paired by run (see pairedRatio);
// false unless both reported the metric.
func (q ratio) value(byName map[string]*result) (float64, bool) {
	return pairedRatio(byName, q.num, q.metric, q.den, q.metric)
}

// pairedRatio is num's numMetric over den's denMetric. When both have as
// many values, the i-th of each from the same round of a run that runs
// the two in turn (make bench does), it is the median of the per-round
// ratios: a round's two figures were measured minutes apart at most, so a
// shared machine's drift, which moves both, mostly cancels. Otherwise it is
// the ratio of the medians. False unless both reported their metric.
func pairedRatio(byName map[string]*result, num, numMetric, den, denMetric string) (float64, bool) {
	nr, dr := byName[num], byName[den]
	if nr == nil || dr == nil {
		return 0, false
	}
	nv, dv := nr.metrics[numMetric], dr.metrics[denMetric]
	if len(nv) == 0 || len(dv) == 0 {
		return 0, false
	}
	if len(nv) != len(dv) {
		n, _, _ := stats(nv)
		d, _, _ := stats(dv)
		return n / d, d != 0
	}
	per := make([]float64, 0, len(nv))
	for i := range nv {
		if dv[i] == 0 {
			return 0, false
		}
		per = append(per, nv[i]/dv[i])
	}
	med, _, _ := stats(per)
	return med, true
}

func goVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return runtime.Version()
	}
	return strings.TrimSpace(string(out))
}
