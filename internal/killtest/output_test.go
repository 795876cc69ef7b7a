package killtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/commitlog"
	"github.com/sluicestream/sluice/internal/fileformat"
	"github.com/sluicestream/sluice/internal/sinklog"
	"github.com/sluicestream/sluice/offsetlog"
	sinkfile "github.com/sluicestream/sluice/sink/file"
)

// This file reads what a run left, after its process is gone: the
// committed output through the file sink's manifest (as the batch API
// reads it), and the checkpoint's logs.

// readOutput reads the committed output of run directory run (only the
// files the manifest lists: never an orphan of a killed attempt) as word
// -> count. For the word count that is the last committed batch's result
// table, and a word twice is an error; for the stateless query it is the
// multiset of words.
func readOutput(ctx context.Context, mem memory.Allocator, query, run string) (map[string]int64, error) {
	ro := fileformat.ReadOptions{Format: fileformat.CSV, Header: true,
		Schema: arrow.NewSchema([]arrow.Field{{Name: "word", Type: arrow.BinaryTypes.String}}, nil)}
	if query == queryWordCount {
		ro = fileformat.ReadOptions{Format: fileformat.Parquet}
	}
	r, err := sinkfile.OpenReader(ctx, mem, filepath.Join(run, outDir), ro)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := map[string]int64{}
	for {
		rec, err := r.Next(ctx)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		err = addRows(out, query, rec)
		rec.Release()
		if err != nil {
			return nil, err
		}
	}
}

func addRows(out map[string]int64, query string, rec arrow.RecordBatch) error {
	words, ok := rec.Column(0).(*array.String)
	if !ok {
		return fmt.Errorf("output column 0 is %s, want string", rec.Column(0).DataType())
	}
	if query != queryWordCount {
		for i := range words.Len() {
			out[words.Value(i)]++
		}
		return nil
	}
	counts, ok := rec.Column(1).(*array.Int64)
	if !ok || rec.NumCols() != 2 {
		return fmt.Errorf("word count output has schema %v, want word, count int64", rec.Schema())
	}
	for i := range words.Len() {
		w := words.Value(i)
		if _, dup := out[w]; dup {
			return fmt.Errorf("word %q twice in the committed output", w)
		}
		out[w] = counts.Value(i)
	}
	return nil
}

// logState is what a run's logs say.
type logState struct {
	offsets, commits []batch.ID
	lastCommit       batch.ID // noBatch: none
	sinkLatest       batch.ID // the newest batch in the sink's manifest; -1: none
	partFiles        []string // the committed part files, as the manifest lists them
}

// noBatch is "no batch" in logState.
const noBatch batch.ID = -1

// uncommitted returns the logged batches after the last commit: the ones a
// restart runs again.
func (s logState) uncommitted() []batch.ID {
	return slices.DeleteFunc(slices.Clone(s.offsets), func(id batch.ID) bool { return id <= s.lastCommit })
}

// readLogs reads the offset and commit logs of run and the sink's
// manifest, read-only.
func readLogs(ctx context.Context, run string) (logState, error) {
	s := logState{lastCommit: noBatch, sinkLatest: noBatch}
	st, err := checkpoint.OpenLocal(filepath.Join(run, checkpointDir), checkpoint.ReadOnly())
	if errors.Is(err, checkpoint.ErrNotExist) {
		return s, nil // not started yet
	}
	if err != nil {
		return s, err
	}
	if s.offsets, err = offsetlog.New(st).List(ctx); err != nil {
		return s, err
	}
	if s.commits, err = commitlog.New(st).List(ctx); err != nil {
		return s, err
	}
	if len(s.commits) > 0 {
		s.lastCommit = slices.Max(s.commits)
	}
	meta, err := checkpoint.OpenLocal(filepath.Join(run, outDir, sinkfile.MetadataDir), checkpoint.ReadOnly())
	if errors.Is(err, checkpoint.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	l, err := sinklog.Open(ctx, meta, sinkfile.DefaultCompactInterval)
	if err != nil {
		return s, err
	}
	s.sinkLatest = l.Latest()
	for _, f := range l.Files() {
		s.partFiles = append(s.partFiles, f.Path)
	}
	return s, nil
}

// filesUpTo returns how many input files batches up to id read: the file
// source's offset in offsets/<id>, {"logOffset":N}.
func filesUpTo(ctx context.Context, run string, id batch.ID) (int, error) {
	st, err := checkpoint.OpenLocal(filepath.Join(run, checkpointDir), checkpoint.ReadOnly())
	if err != nil {
		return 0, err
	}
	e, err := offsetlog.New(st).Get(ctx, id)
	if err != nil {
		return 0, err
	}
	if len(e.Offsets) != 1 {
		return 0, fmt.Errorf("offsets/%d has %d offsets, want 1", id, len(e.Offsets))
	}
	var off struct {
		LogOffset *int `json:"logOffset"`
	}
	if err := json.Unmarshal(e.Offsets[0], &off); err != nil || off.LogOffset == nil {
		return 0, fmt.Errorf("offsets/%d: file source offset %s: %v", id, e.Offsets[0], err)
	}
	return *off.LogOffset, nil
}
