package killtest

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The input: text files of lines of words drawn from a Zipf distribution
// over a fixed vocabulary, so a few words are in every batch and many in
// few. File i depends only on i: the input of every run is the same, and
// it can be extended by more files later.
const (
	vocabulary   = 600
	minLines     = 150
	maxLines     = 300
	maxLineWords = 10
	inputSeed    = 0x51ce
)

// input is a directory of generated files and, per file, its words counted.
type input struct {
	dir    string
	counts []map[string]int64 // file i's words
}

func newInput(t *testing.T, files int) *input {
	t.Helper()
	in := &input{dir: t.TempDir()}
	in.extend(t, files)
	return in
}

// vocab is the vocabulary: pronounceable words, the same in every run.
var vocab = func() []string {
	rng := rand.New(rand.NewPCG(inputSeed, 0))
	const cons, vows = "bcdfghklmnprstvz", "aeiou"
	seen := map[string]bool{}
	var out []string
	for len(out) < vocabulary {
		var b strings.Builder
		for range 1 + rng.IntN(3) {
			b.WriteByte(cons[rng.IntN(len(cons))])
			b.WriteByte(vows[rng.IntN(len(vows))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}()

// extend writes n more files, each under a temp name first and renamed, as
// the file source asks of writers.
func (in *input) extend(t *testing.T, n int) {
	t.Helper()
	for range n {
		i := len(in.counts)
		text, counts := genFile(i)
		name := fmt.Sprintf("in-%05d.txt", i)
		tmp := filepath.Join(in.dir, "."+name)
		if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(in.dir, name)); err != nil {
			t.Fatal(err)
		}
		in.counts = append(in.counts, counts)
	}
}

// genFile returns the text of file i and its words counted.
func genFile(i int) (string, map[string]int64) {
	rng := rand.New(rand.NewPCG(inputSeed, uint64(i)+1))
	zipf := rand.NewZipf(rand.New(rand.NewPCG(inputSeed, uint64(i)+1<<32)), 1.1, 2, vocabulary-1)
	counts := map[string]int64{}
	var b strings.Builder
	for range minLines + rng.IntN(maxLines-minLines+1) {
		for j := range 1 + rng.IntN(maxLineWords) {
			w := vocab[zipf.Uint64()]
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w)
			counts[w]++
		}
		b.WriteByte('\n')
	}
	return b.String(), counts
}

// prefix returns the words of files [0, n) counted: the word count after
// the batch that reads file n-1, and the multiset of the stateless
// query's rows.
func (in *input) prefix(n int) map[string]int64 {
	out := map[string]int64{}
	for _, c := range in.counts[:n] {
		for w, k := range c {
			out[w] += k
		}
	}
	return out
}

// diffCounts describes how got differs from want, "" if it does not.
func diffCounts(got, want map[string]int64) string {
	if maps.Equal(got, want) {
		return ""
	}
	var b strings.Builder
	var more, fewer int64
	shown := 0
	for w, n := range want {
		if g := got[w]; g != n {
			if g > n {
				more += g - n
			} else {
				fewer += n - g
			}
			if shown < 8 {
				fmt.Fprintf(&b, " %s: %d, want %d;", w, g, n)
				shown++
			}
		}
	}
	for w, g := range got {
		if _, ok := want[w]; !ok {
			more += g
			if shown < 8 {
				fmt.Fprintf(&b, " %s: %d, want none;", w, g)
				shown++
			}
		}
	}
	return fmt.Sprintf("%d groups vs %d wanted, %d counted too many, %d too few:%s", len(got), len(want), more, fewer, b.String())
}
