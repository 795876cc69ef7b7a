package exec

import (
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Word-count benchmark data: a vocabulary of gtVocab distinct words with
// English-like lengths (2–12 letters, mean ≈ 6), drawn with Zipf frequencies
// into batches of gtBatchRows rows.
const (
	gtVocab     = 10000
	gtBatchRows = 65536
	gtBatches   = 8
)

// gtZipfVocabulary returns n distinct words.
func gtZipfVocabulary(rng *rand.Rand, n int) []string {
	seen := map[string]bool{}
	words := make([]string, 0, n)
	for len(words) < n {
		l := 2 + rng.Intn(6) + rng.Intn(6)
		w := gtRandWord(rng, l, 26)
		if !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	return words
}

// gtZipfWords returns gtBatches string arrays of Zipf-distributed
// words. The caller releases them.
func gtZipfWords(mem memory.Allocator) []arrow.Array {
	rng := rand.New(rand.NewSource(42))
	vocab := gtZipfVocabulary(rng, gtVocab)
	z := rand.NewZipf(rng, 1.1, 1, gtVocab-1)
	out := make([]arrow.Array, gtBatches)
	for b := range out {
		bld := array.NewStringBuilder(mem)
		for i := 0; i < gtBatchRows; i++ {
			bld.Append(vocab[z.Uint64()])
		}
		out[b] = bld.NewArray()
		bld.Release()
	}
	return out
}

// gtZipfInts returns gtBatches int64 arrays of Zipf-distributed keys
// from gtVocab distinct values spread over the int64 range.
func gtZipfInts(mem memory.Allocator) []arrow.Array {
	rng := rand.New(rand.NewSource(42))
	keys := make([]int64, gtVocab)
	for i := range keys {
		keys[i] = int64(rng.Uint64())
	}
	z := rand.NewZipf(rng, 1.1, 1, gtVocab-1)
	out := make([]arrow.Array, gtBatches)
	for b := range out {
		bld := array.NewInt64Builder(mem)
		for i := 0; i < gtBatchRows; i++ {
			bld.Append(keys[z.Uint64()])
		}
		out[b] = bld.NewArray()
		bld.Release()
	}
	return out
}

// gtBench measures Insert plus a count(*)-style update per row.
func gtBench(b *testing.B, dt arrow.DataType, batches []arrow.Array) {
	defer releaseArrays(batches)
	gt, err := NewGroupTable([]arrow.DataType{dt})
	if err != nil {
		b.Fatal(err)
	}
	groups := make([]uint32, gtBatchRows)
	var counts []int64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		col := batches[i%len(batches)]
		if err := gt.Insert([]arrow.Array{col}, groups); err != nil {
			b.Fatal(err)
		}
		for len(counts) < gt.Len() {
			counts = append(counts, 0)
		}
		for _, g := range groups {
			counts[g]++
		}
	}
	b.ReportMetric(float64(b.N)*gtBatchRows/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkGroupTableString(b *testing.B) {
	gtBench(b, arrow.BinaryTypes.String, gtZipfWords(memory.DefaultAllocator))
}

func BenchmarkGroupTableInt64(b *testing.B) {
	gtBench(b, arrow.PrimitiveTypes.Int64, gtZipfInts(memory.DefaultAllocator))
}
