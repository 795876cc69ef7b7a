package main

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/sluicestream/sluice/internal/benchfmt"
)

// A workload is one side-by-side comparison: one query, one input, several
// systems answering it. Adding a workload is one file that builds a
// workload and registers it from its init function.
type workload struct {
	name  string // short and stable: used by -only and in the log
	rank  int    // position in the report, lowest first
	title string // the section heading in BENCHMARKS.md
	about string // what is measured, one markdown paragraph
	unit  string // the throughput unit, "words/s"
	// smoke and full are the input sizes (lines, rows) of -smoke and of a
	// full run.
	smoke, full int
	// work is the units of unit's numerator in an input of size n: words
	// in n lines.
	work func(n int) float64
	// expect is the right answer for an input of size n, computed in plain
	// Go; every run of every system is checked against it before its time
	// counts, so all systems agree with one another.
	expect  func(n int) answer
	systems []system
	ratios  []ratio
}

// A system is one way of answering a workload's query.
type system struct {
	name  string // "sluice", "duckdb"
	about string // how it runs, markdown
	// size maps the workload's input size to the size this system runs
	// (nil: the same). A slow system runs a smaller input and is compared
	// on throughput.
	size func(n int) int
	// prepare loads an input of size n into the system outside the timer.
	prepare func(ctx context.Context, n int) (*runner, error)
}

// runner runs one prepared system.
type runner struct {
	reset func(ctx context.Context) error           // optional: untimed, before every run
	run   func(ctx context.Context) (answer, error) // timed
	close func() error                              // optional
}

// answer is what a run computed, reduced to named numbers (a word's count,
// a checksum) that every system must reproduce.
type answer map[string]float64

// ratio is a target of the issue, num's throughput at least atLeast times
// that of the best of dens (highest median), as the median of the
// per-round ratios (atLeast 0: a comparison the issue sets no target for).
type ratio struct {
	num     string
	dens    []string
	atLeast float64
	why     string
}

var workloads []*workload

// register adds a workload, kept in rank order; init functions call it.
func register(w *workload) {
	workloads = append(workloads, w)
	sort.SliceStable(workloads, func(i, j int) bool { return workloads[i].rank < workloads[j].rank })
}

// measurement is one system's throughputs over the timed runs.
type measurement struct {
	sys  system
	size int
	tput []float64 // units per second, one per timed run
}

func (m measurement) stats() (med, lo, hi float64) {
	s := append([]float64(nil), m.tput...)
	sort.Float64s(s)
	n := len(s)
	med = s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return med, s[0], s[n-1]
}

// measure runs every system of w: prepare them all, then rounds in which
// each system runs once in turn: a checked warm-up round, then runs timed
// rounds, each run checked after its timer stops. Interleaving the systems
// spreads a shared machine's drift (a neighbour's load, a slower period)
// over all of them, so the ratios of one run compare like with like; run
// one system after another and a slow minute lands on one system alone.
func measure(ctx context.Context, w *workload, n, runs int, log func(string, ...any)) (ms []measurement, err error) {
	var prepared []*prepared
	defer func() {
		for _, p := range prepared {
			if cerr := p.close(); cerr != nil && err == nil {
				err = fmt.Errorf("%s/%s: close: %w", w.name, p.m.sys.name, cerr)
			}
		}
	}()
	for _, sys := range w.systems {
		p, err := prepare(ctx, w, sys, n)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", w.name, sys.name, err)
		}
		prepared = append(prepared, p)
	}
	for round := 0; round <= runs; round++ { // round 0 is the warm-up
		for _, p := range prepared {
			if err := p.runOnce(ctx, w, round, log); err != nil {
				return nil, fmt.Errorf("%s/%s: %w", w.name, p.m.sys.name, err)
			}
		}
	}
	for _, p := range prepared {
		ms = append(ms, p.m)
	}
	return ms, nil
}

// prepared is one system loaded with its input, and its measurement so far.
type prepared struct {
	r    *runner
	m    measurement
	want answer
}

// prepare loads sys's input, outside any timer.
func prepare(ctx context.Context, w *workload, sys system, n int) (*prepared, error) {
	size := n
	if sys.size != nil {
		size = sys.size(n)
	}
	r, err := sys.prepare(ctx, size)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return &prepared{r: r, m: measurement{sys: sys, size: size}, want: w.expect(size)}, nil
}

func (p *prepared) close() error {
	if p.r.close == nil {
		return nil
	}
	return p.r.close()
}

// runOnce runs the system once, checks its answer, and records its
// throughput unless round is the warm-up (0).
func (p *prepared) runOnce(ctx context.Context, w *workload, round int, log func(string, ...any)) error {
	if p.r.reset != nil {
		if err := p.r.reset(ctx); err != nil {
			return fmt.Errorf("reset: %w", err)
		}
	}
	start := time.Now()
	got, err := p.r.run(ctx)
	elapsed := time.Since(start)
	if err != nil {
		return fmt.Errorf("run %d: %w", round, err)
	}
	if err := sameAnswer(p.want, got); err != nil {
		return fmt.Errorf("run %d: wrong answer: %w", round, err)
	}
	tput := w.work(p.m.size) / elapsed.Seconds()
	log("%s/%s size=%d run=%d %v %.4g %s", w.name, p.m.sys.name, p.m.size, round, elapsed.Round(time.Millisecond), tput, w.unit)
	if round > 0 {
		p.m.tput = append(p.m.tput, tput)
	}
	return nil
}

// sameAnswer reports the first difference between two answers; numbers
// agree within a relative 1e-9, for sums of floats added in other orders.
func sameAnswer(want, got answer) error {
	if len(want) != len(got) {
		return fmt.Errorf("%d keys, want %d", len(got), len(want))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			return fmt.Errorf("key %q missing", k)
		}
		if math.Abs(g-w) > 1e-9*math.Max(1, math.Abs(w)) {
			return fmt.Errorf("key %q: %v, want %v", k, g, w)
		}
	}
	return nil
}

// best is the highest median throughput among the named systems, with the
// name that has it; false if none ran.
func best(ms []measurement, names []string) (float64, string, bool) {
	var v float64
	var who string
	for _, m := range ms {
		for _, n := range names {
			if m.sys.name == n {
				if med, _, _ := m.stats(); med > v {
					v, who = med, n
				}
			}
		}
	}
	return v, who, who != ""
}

// find is the measurement of the named system; best found it.
func find(ms []measurement, name string) measurement {
	for _, m := range ms {
		if m.sys.name == name {
			return m
		}
	}
	panic("sluicebench: no measurement of " + name) // a broken invariant
}

// pairedRatio is the median over the timed rounds of num's throughput
// over den's in the same round: the systems of a round run one after the
// other, so a shared machine's drift, which moves both, mostly cancels.
// False if den ever measured 0 or the rounds differ in number.
func pairedRatio(num, den measurement) (float64, bool) {
	if len(num.tput) == 0 || len(num.tput) != len(den.tput) {
		return 0, false
	}
	per := make([]float64, len(num.tput))
	for i := range per {
		if den.tput[i] == 0 {
			return 0, false
		}
		per[i] = num.tput[i] / den.tput[i]
	}
	med, _, _ := measurement{tput: per}.stats()
	return med, true
}

// render writes a workload's section: one row per system, then its ratios
// with whether each target is met.
func render(b *strings.Builder, w *workload, ms []measurement) {
	fmt.Fprintf(b, "\n### %s\n\n%s\n\n", w.title, w.about)
	fmt.Fprintf(b, "| system | how | input | %s median | min | max | runs |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n", w.unit)
	for _, m := range ms {
		med, lo, hi := m.stats()
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %d |\n", m.sys.name, m.sys.about, benchfmt.Num(float64(m.size)), benchfmt.Num(med), benchfmt.Num(lo), benchfmt.Num(hi), len(m.tput))
	}
	if len(w.ratios) == 0 {
		return
	}
	b.WriteString("\n| ratio, median of per-round ratios | target | measured | met |\n| --- | ---: | ---: | --- |\n")
	for _, q := range w.ratios {
		_, _, ok1 := best(ms, []string{q.num})
		_, who, ok2 := best(ms, q.dens)
		if !ok1 || !ok2 {
			continue
		}
		v, ok := pairedRatio(find(ms, q.num), find(ms, who))
		if !ok {
			continue
		}
		if q.atLeast == 0 { // a comparison the issue sets no target for
			fmt.Fprintf(b, "| %s / %s | — | %.2f× | — |\n", q.num, who, v)
			continue
		}
		met := "yes"
		if v < q.atLeast {
			met = "**no**"
		}
		fmt.Fprintf(b, "| %s / %s | ≥ %.2f× | %.2f× | %s (%.2f×) |\n", q.num, who, q.atLeast, v, met, v)
	}
	for _, q := range w.ratios {
		fmt.Fprintf(b, "\n- %s / %s: %s", q.num, strings.Join(q.dens, " or "), q.why)
	}
	b.WriteString("\n")
}

// num prints a figure with a unit prefix: "28.92 M".
