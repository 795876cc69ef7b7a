// Command sluicebench measures Sluice side by side with its peers (DuckDB,
// Benthos, go-streams, and a plain Go map as the physical ceiling) on the
// workloads of the benchmark issue, and writes the "Side by side" section
// of BENCHMARKS.md as markdown, which internal/benchmd places after its own
// sections.
//
//	go run ./cmd/sluicebench -runs 5 -out sidebyside.md   # full inputs
//	go run ./cmd/sluicebench -smoke                      # tiny inputs, seconds
//
// Every input is generated in-process from fixed seeds, identical for every
// system. Each system runs one warm-up and then -runs timed runs; every run's
// answer is checked against a plain Go reference before its time counts.
// Thread counts are equal: every system that can use threads gets
// GOMAXPROCS of them. A workload is one file (see workload in harness.go).
//
// It lives in a module of its own (bench/) so the engine's module never
// depends on the peers.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/sluicestream/sluice/internal/benchfmt"
)

func main() {
	smoke := flag.Bool("smoke", false, "run every workload once on tiny inputs (a check that the harness works, not a measurement)")
	runs := flag.Int("runs", 5, "timed runs per system after one warm-up")
	out := flag.String("out", "", "file to write the markdown section to (empty: none)")
	only := flag.String("only", "", "comma-separated workload names to run (empty: all)")
	flag.Parse()
	if *runs < 1 {
		fatal(fmt.Errorf("-runs %d: need at least 1", *runs))
	}
	if *smoke {
		*runs = 1
	}
	md, err := runAll(context.Background(), *smoke, *runs, *only)
	if err != nil {
		fatal(err)
	}
	if *out != "" {
		if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
			fatal(err)
		}
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "sluicebench:", err)
	os.Exit(1)
}

// runAll measures the selected workloads and returns the markdown section.
func runAll(ctx context.Context, smoke bool, runs int, only string) (string, error) {
	var b strings.Builder
	header(&b, runs)
	start := time.Now()
	log := func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	ran := 0
	for _, w := range workloads {
		if only != "" && !contains(strings.Split(only, ","), w.name) {
			continue
		}
		n := w.full
		if smoke {
			n = w.smoke
		}
		ms, err := measure(ctx, w, n, runs, log)
		if err != nil {
			return "", err
		}
		render(&b, w, ms)
		ran++
	}
	if ran == 0 {
		return "", fmt.Errorf("no workload named %q", only)
	}
	log("sluicebench: %d workloads in %v", ran, time.Since(start).Round(time.Millisecond))
	return b.String(), nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.TrimSpace(v) == s {
			return true
		}
	}
	return false
}

// header states what every section shares: threads, versions, method.
func header(b *strings.Builder, runs int) {
	procs := runtime.GOMAXPROCS(0)
	fmt.Fprintf(b, "\n## Side by side\n\n"+
		"Written by `bench/cmd/sluicebench` (the separate module `bench/`, so the engine module never depends on the peers). "+
		"Every input is generated in-process from fixed seeds, identical for every system; the systems of a workload run in interleaved rounds, one warm-up round and then %d timed rounds, each system once per round, so that a shared machine's drift spreads over all of them; "+
		"the figure is the median with min and max, and every run's answer is checked against a plain Go reference (so against every other system) before its time counts. "+
		"Loading data into a system (DuckDB's appender, Arrow records for Sluice) is outside the timer unless a section says otherwise.\n\n", runs)
	fmt.Fprintf(b, "- Machine: %s, %d cores, %s memory\n", benchfmt.CPUModel(), runtime.NumCPU(), benchfmt.MemTotal())
	fmt.Fprintf(b, "- Threads: GOMAXPROCS = %d; DuckDB `SET threads = %d`; Benthos pipeline threads = %d; go-streams parallelism = %d; Sluice streaming state partitions = %d (its default, GOMAXPROCS)\n", procs, procs, procs, procs, procs)
	fmt.Fprintf(b, "- Versions: %s, DuckDB %s, Go %s\n", depVersions(), duckdbVersion(), runtime.Version())
}

// depVersions lists the peers' module versions as built into this binary.
func depVersions() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "module versions unknown"
	}
	var parts []string
	for _, d := range info.Deps {
		switch d.Path {
		case "github.com/duckdb/duckdb-go/v2", "github.com/redpanda-data/benthos/v4", "github.com/reugn/go-streams", "github.com/apache/arrow-go/v18":
			parts = append(parts, "`"+d.Path+"` "+d.Version)
		}
	}
	return strings.Join(parts, ", ")
}
