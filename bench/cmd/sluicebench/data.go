package main

import (
	"math/rand/v2"
	"strings"
	"sync"
)

// The word-count input of the Foundation issue, generated exactly as the
// root package's BenchmarkWordCount (wordcount_bench_test.go) and the
// engine's BenchmarkStreamingWordCount do (same seeds, so the same words in
// the same order): lines of 10 words drawn Zipf-style (s = 1.1) from a
// 10,000-word vocabulary of random lower-case words.
const (
	wcWordsPer   = 10
	wcVocabulary = 10_000
)

var wcCache struct {
	sync.Mutex
	lines  []string
	counts map[int]answer
}

// wordCountLines returns the first n lines of the workload. Lines are a
// prefix of one fixed sequence, so a smaller n is a prefix of a larger.
func wordCountLines(n int) []string {
	wcCache.Lock()
	defer wcCache.Unlock()
	if len(wcCache.lines) >= n {
		return wcCache.lines[:n]
	}
	r := rand.New(rand.NewPCG(1, 2))
	vocab := make([]string, wcVocabulary)
	for i := range vocab {
		b := make([]byte, 3+r.IntN(8))
		for j := range b {
			b[j] = byte('a' + r.IntN(26))
		}
		vocab[i] = string(b)
	}
	zipf := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.1, 1, wcVocabulary-1)
	lines := make([]string, n)
	var sb strings.Builder
	for i := range lines {
		sb.Reset()
		for w := range wcWordsPer {
			if w > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(vocab[zipf.Uint64()])
		}
		lines[i] = sb.String()
	}
	wcCache.lines = lines
	return lines
}

// countWords is the hand-written splitter and Go map: the physical ceiling,
// and the reference answer of the word counts.
func countWords(lines []string, counts map[string]int64) {
	for _, l := range lines {
		start := 0
		for j := 0; j < len(l); j++ {
			if l[j] == ' ' {
				counts[l[start:j]]++
				start = j + 1
			}
		}
		counts[l[start:]]++
	}
}

// wordCountAnswer is the reference answer for n lines: each word's count.
func wordCountAnswer(n int) answer {
	lines := wordCountLines(n)
	wcCache.Lock()
	defer wcCache.Unlock()
	if a, ok := wcCache.counts[n]; ok {
		return a
	}
	counts := make(map[string]int64, wcVocabulary)
	countWords(lines, counts)
	a := countsAnswer(counts)
	if wcCache.counts == nil {
		wcCache.counts = map[int]answer{}
	}
	wcCache.counts[n] = a
	return a
}

func countsAnswer(counts map[string]int64) answer {
	a := make(answer, len(counts))
	for w, c := range counts {
		a[w] = float64(c)
	}
	return a
}
