package main

import (
	"strings"
	"testing"
)

func TestRenderCheckpointCost(t *testing.T) {
	in := `pkg: github.com/sluicestream/sluice/engine
BenchmarkCheckpointCost/async-2          1  1000 ns/op  100000000 full-snapshot-bytes  10000000 keys  100 ms/batch  60 trigger-p50-ms  2000000 upload-bytes/batch
BenchmarkCheckpointCost/async-2          1  1000 ns/op  100000000 full-snapshot-bytes  10000000 keys  110 ms/batch  60 trigger-p50-ms  2000000 upload-bytes/batch
BenchmarkCheckpointCost/async-2          1  1000 ns/op  100000000 full-snapshot-bytes  10000000 keys  120 ms/batch  60 trigger-p50-ms  2000000 upload-bytes/batch
BenchmarkCheckpointCost/sync-2           1  1000 ns/op  100000000 full-snapshot-bytes  10000000 keys  121 ms/batch  60 trigger-p50-ms  2000000 upload-bytes/batch  7.5 upload-ms/batch
BenchmarkCheckpointCost/nocheckpoint-2   1  1000 ns/op  100000000 full-snapshot-bytes  10000000 keys  100 ms/batch  60 trigger-p50-ms  2000000 upload-bytes/batch
BenchmarkCheckpointCost/restore-local-2  1  1000 ns/op  10000000 keys  5000000 keys/s  2 s/restore
BenchmarkCheckpointCost/restore-s3-2     1  1000 ns/op  10000000 keys  2500000 keys/s  4 s/restore
BenchmarkLatency-2                       1  1000 ns/op  12 durable-p50-ms  20 durable-p99-ms  6.5 p50-ms  11 p99-ms
PASS
pkg: github.com/sluicestream/sluice/statestore/rocksdb
BenchmarkSteadyUpload-2                  1  1000 ns/op  1.2 flush-and-changelog-%  42000000 full-snapshot-bytes  2.5 upload-%/version
BenchmarkSteadyUpload-2                  1  1000 ns/op  1.2 flush-and-changelog-%  42000000 full-snapshot-bytes  3.5 upload-%/version
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
		"## Checkpoint cost and latency",
		"a state of 10.00 M keys",
		"| batch duration, async / nocheckpoint (ms/batch)",
		"| 1.100× | ≤ 1.050× | **no** (measured 1.100×) |",
		"| 1.100× | ≥ 1.250× | **no** (measured 1.100×) |",
		"| 0.020× | ≤ 0.030× | yes (measured 0.020×) |",
		"| batch duration, async (ms/batch) | 110 ms | — | — |",
		"upload time per batch (upload-ms/batch), sync: what a batch waits for in sync mode and async overlaps | 7.5 ms |",
		"long run, level-0 compactions included (BenchmarkSteadyUpload: 1 M keys, 1 % changed per version, 160 versions) | 0.030× | ≤ 0.030× | yes (measured 0.030×) |",
		"local-directory checkpoint | 2 s | — | — |",
		"(versitygw on 127.0.0.1) | 4 s | — | — |",
		"source to sink, p50 | 6.5 ms | ≤ 5 ms | **no** (measured 6.5 ms) |",
		"source to sink, p99 | 11 ms | — | — |",
		"commits/N durable, p50 | 12 ms |",
		"waits for its state upload, 7.5 ms on average against a batch of 121 ms, so overlapping the uploads with the next batch can make async at most 1.066× as fast",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRenderCheckpointCostOnlyLatency(t *testing.T) {
	res, err := parse(strings.NewReader("BenchmarkLatency-2 1 100 ns/op 3 p50-ms 9 p99-ms\n"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	render(&b, res)
	out := b.String()
	if !strings.Contains(out, "| 3 ms | ≤ 5 ms | yes (measured 3 ms) |") {
		t.Errorf("latency target missing or wrong:\n%s", out)
	}
	if strings.Contains(out, "async / nocheckpoint") || strings.Contains(out, "SELECT k, sum(v)") {
		t.Errorf("checkpoint-cost rows without their benchmarks:\n%s", out)
	}
}

func TestRenderCheckpointCostNothing(t *testing.T) {
	res, err := parse(strings.NewReader("BenchmarkWordCount-2 3 400 ns/op 26000000 words/s\n"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	render(&b, res)
	if strings.Contains(b.String(), "Checkpoint cost") {
		t.Errorf("checkpoint-cost section without its benchmarks:\n%s", b.String())
	}
}
