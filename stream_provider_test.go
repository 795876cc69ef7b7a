package sluice_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/sluicestream/sluice"
	_ "github.com/sluicestream/sluice/statestore/mem"
)

// TestStreamDefaultStateStore runs a stateful query that names no state
// store: it gets RocksDB (linked by the tests' imports), and another
// registered provider by name; an unknown name is refused at Start.
func TestStreamDefaultStateStore(t *testing.T) {
	for _, provider := range []string{"", "memory"} {
		t.Run("provider="+provider, func(t *testing.T) {
			table := tableName(t, "counts")
			s, _ := streamSession(t, table)
			dir := t.TempDir()
			putFile(t, dir, "1.txt", "to be or not to be\n")
			w := streamWordCount(s.ReadStream().Text(dir)).WriteStream().
				OutputMode("complete").Format("memory").QueryName(table).Trigger(sluice.AvailableNow())
			if provider != "" {
				w = w.Option("sluice.stateStore.provider", provider)
			}
			await(t, start(t, w))
			if got, want := memoryRows(t, table), countRows(wordCounts("to be or not to be")); !slices.Equal(sorted(got), sorted(want)) {
				t.Errorf("counts %v, want %v", got, want)
			}
		})
	}
	s, _ := streamSession(t)
	dir := t.TempDir()
	putFile(t, dir, "1.txt", "a\n")
	_, err := streamWordCount(s.ReadStream().Text(dir)).WriteStream().OutputMode("complete").Format("console").
		Option("sluice.stateStore.provider", "nope").Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), `unknown state store provider "nope"`) {
		t.Fatalf("unknown provider: %v", err)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
