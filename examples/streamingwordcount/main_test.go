package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestTwoRuns runs the example twice on one directory, as `make example`
// does: the first run counts the first two parts, a batch each; the second
// resumes after the first run's last batch, counts only the part it added,
// and prints the counts of all three parts.
func TestTwoRuns(t *testing.T) {
	base := filepath.Join(t.TempDir(), "swc")
	first := capture(t, base)
	for _, want := range []string{
		"added part-0000.txt, part-0001.txt",
		"starting fresh",
		"Batch: 0", "progress: batch 0, ",
		"Batch: 1", "progress: batch 1, ",
		"query ended",
	} {
		if !strings.Contains(first, want) {
			t.Errorf("first run does not say %q:\n%s", want, first)
		}
	}
	p := parts()
	if got, want := lastTable(first), top(count(p[0]+p[1]), 20); !slices.Equal(got, want) {
		t.Errorf("counts after the first run:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	second := capture(t, base)
	for _, want := range []string{
		"added part-0002.txt",
		"resuming after committed batch 1",
		"Batch: 2", "progress: batch 2, ",
	} {
		if !strings.Contains(second, want) {
			t.Errorf("second run does not say %q:\n%s", want, second)
		}
	}
	if strings.Contains(second, "Batch: 1\n") || strings.Contains(second, "Batch: 3\n") {
		t.Errorf("second run ran another batch than 2:\n%s", second)
	}
	if got, want := lastTable(second), top(count(p[0]+p[1]+p[2]), 20); !slices.Equal(got, want) {
		t.Errorf("counts after the second run:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := strings.Join(p, ""); got != strings.TrimRight(input, "\n")+"\n" {
		t.Errorf("the parts do not make up the bundled text")
	}
}

// capture runs the example on base and returns what it printed.
func capture(t *testing.T, base string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	copied := make(chan struct{})
	go func() {
		io.Copy(&out, r)
		close(copied)
	}()
	stdout := os.Stdout
	os.Stdout = w
	runErr := run(context.Background(), base)
	os.Stdout = stdout
	w.Close()
	<-copied
	r.Close()
	if runErr != nil {
		t.Fatalf("run: %v\n%s", runErr, out.String())
	}
	return out.String()
}

// lastTable returns the rows of the last batch's table, as "word count":
// the lines between the rule under the header and the closing rule.
func lastTable(out string) []string {
	var rows []string
	rules := 0
	for _, line := range strings.Split(out[strings.LastIndex(out, "Batch: "):], "\n") {
		switch {
		case strings.HasPrefix(line, "+"):
			rules++
		case rules == 2 && strings.HasPrefix(line, "|"):
			cells := strings.Split(strings.Trim(line, "|"), "|")
			rows = append(rows, strings.TrimSpace(cells[0])+" "+strings.TrimSpace(cells[1]))
		}
	}
	return rows
}

// count counts the words of text as the query does, independently of it.
func count(text string) map[string]int {
	counts := map[string]int{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return r < 'a' || r > 'z' }) {
		counts[w]++
	}
	return counts
}

// top returns the n most frequent words, most frequent first, then by word.
func top(counts map[string]int, n int) []string {
	words := slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
	})
	var rows []string
	for _, w := range words[:min(n, len(words))] {
		rows = append(rows, fmt.Sprintf("%s %d", w, counts[w]))
	}
	return rows
}
