// Package benchdata generates the benchmarks' inputs, so that every
// benchmark of a workload — the batch word count of the root package, the
// engine's streaming word count, the side-by-side module's peers — reads
// the same data, and their figures compare.
package benchdata

import (
	"math/rand/v2"
	"strings"
)

// The word-count workload of the Foundation issue: lines of WordsPerLine
// words drawn Zipf-style (s = 1.1) from a vocabulary of Vocabulary random
// lower-case words, from fixed seeds.
const (
	WordsPerLine = 10
	Vocabulary   = 10_000
)

// WordCountLines returns the first n lines of the word-count workload. The
// lines are a prefix of one fixed sequence: a smaller n gives a prefix of
// a larger n's lines.
func WordCountLines(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	vocab := make([]string, Vocabulary)
	for i := range vocab {
		b := make([]byte, 3+r.IntN(8))
		for j := range b {
			b[j] = byte('a' + r.IntN(26))
		}
		vocab[i] = string(b)
	}
	zipf := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.1, 1, Vocabulary-1)
	lines := make([]string, n)
	var sb strings.Builder
	for i := range lines {
		sb.Reset()
		for w := range WordsPerLine {
			if w > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(vocab[zipf.Uint64()])
		}
		lines[i] = sb.String()
	}
	return lines
}
