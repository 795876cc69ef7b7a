package benchdata

import (
	"slices"
	"strings"
	"testing"
)

// TestWordCountLines checks the lines are a fixed sequence of
// WordsPerLine words, each call and each length a prefix of the next.
func TestWordCountLines(t *testing.T) {
	short, long := WordCountLines(100), WordCountLines(1000)
	if !slices.Equal(short, long[:100]) {
		t.Fatal("100 lines are not a prefix of 1000")
	}
	if !slices.Equal(long, WordCountLines(1000)) {
		t.Fatal("two calls differ")
	}
	for _, l := range long {
		if n := len(strings.Fields(l)); n != WordsPerLine {
			t.Fatalf("line %q has %d words", l, n)
		}
	}
}
