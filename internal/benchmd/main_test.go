package main

import (
	"math"
	"strings"
	"testing"
)

func TestParseAndRender(t *testing.T) {
	in := `goos: linux
BenchmarkWordCount-2        	       3	 400 ns/op	  20000000 words/s	 10 B/op
BenchmarkWordCount-2        	       3	 500 ns/op	  30000000 words/s	 10 B/op
BenchmarkWordCount-2        	       3	 450 ns/op	  26000000 words/s	 10 B/op
BenchmarkWordCountGoMap-2   	       3	 900 ns/op	  13000000 words/s	 1 B/op
PASS
`
	res, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].name != "BenchmarkWordCount" || len(res[0].metrics["words/s"]) != 3 {
		t.Fatalf("parsed %+v", res)
	}
	med, lo, hi := stats(res[0].metrics["words/s"])
	if med != 26e6 || lo != 20e6 || hi != 30e6 {
		t.Fatalf("stats = %v %v %v", med, lo, hi)
	}
	var b strings.Builder
	render(&b, res)
	out := b.String()
	for _, want := range []string{"| BenchmarkWordCount | words/s | 26.00 M | 20.00 M | 30.00 M | 3 |", "| ≥ 25.00 M | 26.00 M | yes |", "| 2.00× |"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "## Streaming word count") {
		t.Errorf("streaming section without streaming results:\n%s", out)
	}
}

func TestRenderStreaming(t *testing.T) {
	in := `pkg: github.com/sluicestream/sluice/engine
BenchmarkStreamingWordCount/async-2         	       1	5000000000 ns/op	   2000000 words/s
BenchmarkStreamingWordCount/async-2         	       1	4000000000 ns/op	   2500000 words/s
BenchmarkStreamingWordCount/async-2         	       1	3000000000 ns/op	   3000000 words/s
BenchmarkStreamingWordCount/sync-2          	       1	5000000000 ns/op	   2000000 words/s
BenchmarkStreamingWordCount/sync-2          	       1	5000000000 ns/op	   2000000 words/s
BenchmarkStreamingWordCount/sync-2          	       1	5000000000 ns/op	   2000000 words/s
BenchmarkStreamingWordCount/nocheckpoint-2  	       1	2000000000 ns/op	   5000000 words/s
BenchmarkStreamingWordCount/nocheckpoint-2  	       1	2000000000 ns/op	   5000000 words/s
BenchmarkStreamingWordCount/nocheckpoint-2  	       1	2000000000 ns/op	   5000000 words/s
PASS
`
	res, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	render(&b, res)
	out := b.String()
	for _, want := range []string{
		"## Streaming word count",
		"| async | local directory; a batch's state upload overlaps the next batch (the default) | 2.50 M | 2.00 M | 3.00 M | 3 |",
		"| sync | ",
		"| nocheckpoint | in memory (checkpoint.Mem)",
		"Target: async ≥ 20.00 M words/s on a 2-core machine",
		"measured 2.50 M, met: **no** (0.12× the target)",
		"| sync / async | 0.80× | what synchronous checkpoints cost",
		"| nocheckpoint / async | 2.00× | what durability costs",
		// The general Targets table lists the streaming target too.
		"| BenchmarkStreamingWordCount/async | words/s | ≥ 20.00 M | 2.50 M | **no** (0.12× the target) |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRenderStreamingOneMode(t *testing.T) {
	res, err := parse(strings.NewReader("BenchmarkStreamingWordCount/async-2 1 100 ns/op 25000000 words/s\n"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	render(&b, res)
	out := b.String()
	if !strings.Contains(out, "measured 25.00 M, met: yes.") {
		t.Errorf("target line missing or wrong:\n%s", out)
	}
	if strings.Contains(out, "| sync / async |") || strings.Contains(out, "| nocheckpoint |") {
		t.Errorf("rows or ratios of modes that did not run:\n%s", out)
	}
}

func TestParseRejectsGarbledValue(t *testing.T) {
	if _, err := parse(strings.NewReader("BenchmarkX-2 3 12x ns/op\n")); err == nil {
		t.Fatal("garbled value accepted")
	}
}

func TestPairedRatio(t *testing.T) {
	byName := map[string]*result{
		"A":     {name: "A", metrics: map[string][]float64{"x": {10, 20, 30}}},
		"B":     {name: "B", metrics: map[string][]float64{"x": {20, 5, 12}}},
		"Short": {name: "Short", metrics: map[string][]float64{"x": {4, 8}}},
	}
	// Per round 0.5, 4, 2.5: the median is 2.5, where the ratio of the
	// medians would be 20 / 12.
	if v, ok := pairedRatio(byName, "A", "x", "B", "x"); !ok || v != 2.5 {
		t.Errorf("paired A/B = %v, %v; want 2.5", v, ok)
	}
	// Unequal counts cannot be paired: the ratio of the medians, 20 / 6.
	if v, ok := pairedRatio(byName, "A", "x", "Short", "x"); !ok || math.Abs(v-20.0/6) > 1e-12 {
		t.Errorf("A/Short = %v, %v; want %v", v, ok, 20.0/6)
	}
	if _, ok := pairedRatio(byName, "A", "x", "Missing", "x"); ok {
		t.Error("a missing benchmark gave a ratio")
	}
}
