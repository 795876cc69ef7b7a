package main

import (
	"sync"

	"github.com/sluicestream/sluice/internal/benchdata"
)

// The word-count input of the Foundation issue, internal/benchdata's: the
// lines the root package's BenchmarkWordCount and the engine's
// BenchmarkStreamingWordCount read too.
const (
	wcWordsPer   = benchdata.WordsPerLine
	wcVocabulary = benchdata.Vocabulary
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
	lines := benchdata.WordCountLines(n)
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
