package main

import (
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
}

func TestParseRejectsGarbledValue(t *testing.T) {
	if _, err := parse(strings.NewReader("BenchmarkX-2 3 12x ns/op\n")); err == nil {
		t.Fatal("garbled value accepted")
	}
}
