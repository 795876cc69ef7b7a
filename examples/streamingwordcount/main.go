// Command streamingwordcount is Sluice's streaming example: a word count
// that runs as a streaming query over a directory of text files, keeps its
// counts in RocksDB and its progress in a checkpoint, so that each run takes
// only the files the runs before it have not, and adds their words to the
// counts they left.
//
//	go run ./examples/streamingwordcount            # under ./tmp/streamingwordcount
//	go run ./examples/streamingwordcount -dir DIR   # under DIR
//
// Every run first makes sure DIR/input holds the bundled text split into
// part files — the first run writes two, every later run adds the next —
// then counts the words of the files not yet counted, one file per batch
// (maxFilesPerTrigger 1), until none is left (the AvailableNow trigger). It
// prints every batch's counts, 20 most frequent first (the console sink,
// complete output mode), and a progress line per batch. DIR/checkpoint
// holds the query's offsets, commits and state: delete DIR to start over.
package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sluicestream/sluice"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/commitlog"

	// The file source and the console sink, registered by name.
	_ "github.com/sluicestream/sluice/sink/console"
	_ "github.com/sluicestream/sluice/source/file"

	// RocksDB, the default state store, keeps the counts: locally, and in
	// the checkpoint, from which a run restores them.
	_ "github.com/sluicestream/sluice/statestore/rocksdb"
)

// input is the bundled text: the opening of the US Declaration of
// Independence (public domain), the batch example's text.
//
//go:embed input.txt
var input string

// numParts is how many part files the bundled text is split into: enough
// for a few runs to each find a new one.
const numParts = 4

func main() {
	dir := flag.String("dir", filepath.Join("tmp", "streamingwordcount"), "base directory of the input files and the checkpoint")
	flag.Parse()
	if err := run(context.Background(), *dir); err != nil {
		fmt.Fprintln(os.Stderr, "streamingwordcount:", err)
		os.Exit(1)
	}
}

// run adds the next part file under base/input and runs the word count over
// it from the checkpoint base/checkpoint, printing to os.Stdout (where the
// console sink prints too).
func run(ctx context.Context, base string) error {
	in, ck := filepath.Join(base, "input"), filepath.Join(base, "checkpoint")
	added, err := addPart(in)
	if err != nil {
		return err
	}
	if added == "" {
		fmt.Printf("input %s: all %d parts are there already: nothing new to count\n", in, numParts)
	} else {
		fmt.Printf("input %s: added %s\n", in, added)
	}
	if err := sayWhere(ctx, ck); err != nil {
		return err
	}
	s := sluice.NewSession()
	defer s.Close()
	lines := s.ReadStream().Option("maxFilesPerTrigger", "1").Text(in)
	counts := lines.
		Select(sluice.Explode(sluice.Split(sluice.Lower(sluice.Col("value")), "[^a-z]+")).As("word")).
		Filter(sluice.Col("word").NotEq("")).
		GroupBy("word").Count().
		OrderBy(sluice.Col("count").Desc(), sluice.Col("word"))
	q, err := counts.WriteStream().
		QueryName("streamingwordcount").
		OutputMode("complete").
		Format("console").Option("numRows", "20").
		CheckpointLocation(ck).
		Trigger(sluice.AvailableNow()).
		Listener(progressPrinter{}).
		Start(ctx)
	if err != nil {
		return err
	}
	return q.AwaitTermination()
}

// sayWhere says whether the query at checkpoint ck starts fresh or resumes.
func sayWhere(ctx context.Context, ck string) error {
	st, err := checkpoint.Open(ctx, ck)
	if err != nil {
		return err
	}
	ids, err := commitlog.New(st).List(ctx)
	if err != nil {
		return fmt.Errorf("read the commit log of %s: %w", ck, err)
	}
	if len(ids) == 0 {
		fmt.Printf("checkpoint %s: starting fresh\n", ck)
	} else {
		fmt.Printf("checkpoint %s: resuming after committed batch %d\n", ck, ids[len(ids)-1])
	}
	return nil
}

// parts splits the bundled text into numParts runs of whole lines.
func parts() []string {
	lines := strings.SplitAfter(strings.TrimRight(input, "\n")+"\n", "\n")
	lines = lines[:len(lines)-1] // the empty string after the last "\n"
	out := make([]string, numParts)
	for i := range out {
		out[i] = strings.Join(lines[i*len(lines)/numParts:(i+1)*len(lines)/numParts], "")
	}
	return out
}

func partName(i int) string { return fmt.Sprintf("part-%04d.txt", i) }

// addPart makes sure dir holds the first part files: the first two if it
// has none, else one more than it has. It returns the names added, "" when
// every part is there.
func addPart(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	have := 0
	for have < numParts {
		if _, err := os.Stat(filepath.Join(dir, partName(have))); err != nil {
			break
		}
		have++
	}
	want := min(max(have+1, 2), numParts)
	var added []string
	for i, text := range parts()[have:want] {
		name := partName(have + i)
		if err := writeWhole(filepath.Join(dir, name), text); err != nil {
			return "", err
		}
		added = append(added, name)
	}
	return strings.Join(added, ", "), nil
}

// writeWhole writes a file under a hidden name, which the file source
// skips, then renames it, so that a running query never reads part of it.
func writeWhole(path, text string) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// progressPrinter prints a line per batch: its id, input rows and how long
// its steps took.
type progressPrinter struct{}

func (progressPrinter) QueryStarted(e sluice.QueryStartedEvent) {
	fmt.Printf("query %s started (id %s, run %s)\n", e.Name, e.ID, e.RunID)
}

func (progressPrinter) QueryProgress(p *sluice.StreamingQueryProgress) {
	var steps []string
	for _, k := range slices.Sorted(maps.Keys(p.DurationMs)) {
		if k != "triggerExecution" {
			steps = append(steps, fmt.Sprintf("%s %d", k, p.DurationMs[k]))
		}
	}
	fmt.Printf("progress: batch %d, %d input rows, %d ms (%s)\n",
		p.BatchID, p.NumInputRows, p.DurationMs["triggerExecution"], strings.Join(steps, ", "))
}

func (progressPrinter) QueryTerminated(e sluice.QueryTerminatedEvent) {
	if e.Exception != "" {
		fmt.Printf("query ended with an error: %s\n", e.Exception)
		return
	}
	fmt.Println("query ended: no new files")
}
