package file

import (
	"bytes"
	"context"
	"fmt"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/metalog"
)

// LogVersion is the version line of the source log's entries, Spark's
// FileStreamSourceLog.VERSION; newer entries are refused.
const LogVersion = 1

// FileEntry is one file of the source's sequence as its log records it
// (Spark's FileEntry).
type FileEntry struct {
	Path      string // absolute path of the file
	Timestamp int64  // modification time when first listed, ms since the epoch
	// BatchID is the id of the log entry that holds the file: the offset
	// (number of files) at the end of the files it added.
	BatchID int64
}

// Field names of a log line, in the order they are written.
const (
	fieldPath      = "path"
	fieldTimestamp = "timestamp"
	fieldBatchID   = "batchId"
)

// logCodec reads and writes one entry: the files it added, one JSON object
// per line.
var logCodec = metalog.Codec[[]FileEntry]{Version: LogVersion, ParseBody: parseEntry, EncodeBody: encodeEntry}

func encodeEntry(files []FileEntry) ([]byte, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("a source log entry lists at least one file")
	}
	var body []byte
	for i, f := range files {
		var w metalog.ObjectWriter
		w.String(fieldPath, f.Path)
		w.Int(fieldTimestamp, f.Timestamp)
		w.Int(fieldBatchID, f.BatchID)
		line, err := w.Bytes()
		if err != nil {
			return nil, err
		}
		if i > 0 {
			body = append(body, '\n')
		}
		body = append(body, line...)
	}
	return body, nil
}

// parseEntry reads an entry's lines. Fields other than the three known are
// ignored, as Spark's reader ignores them.
func parseEntry(rec metalog.Record) ([]FileEntry, error) {
	if len(rec.Body) == 0 {
		return nil, rec.Corrupt(0, "", fmt.Errorf("no files listed"))
	}
	var files []FileEntry
	off := int64(0)
	for i, line := range bytes.Split(rec.Body, []byte{'\n'}) {
		f, err := parseFileLine(line)
		if err != nil {
			return nil, rec.Corrupt(off, fmt.Sprintf("file %d", i), err)
		}
		files = append(files, f)
		off += int64(len(line)) + 1
	}
	return files, nil
}

func parseFileLine(line []byte) (FileEntry, error) {
	fields, err := metalog.ParseObject(line)
	if err != nil {
		return FileEntry{}, err
	}
	var f FileEntry
	have := 0
	for _, m := range fields {
		switch m.Name {
		case fieldPath:
			f.Path, err = metalog.String(m.Name, m.Value)
		case fieldTimestamp:
			f.Timestamp, err = metalog.Int64(m.Name, m.Value)
		case fieldBatchID:
			f.BatchID, err = metalog.Int64(m.Name, m.Value)
		default:
			continue
		}
		if err != nil {
			return FileEntry{}, err
		}
		have++
	}
	if have != 3 || f.Path == "" {
		return FileEntry{}, &metalog.SyntaxError{Offset: 0, Reason: fmt.Sprintf("want a non-empty %q, %q and %q", fieldPath, fieldTimestamp, fieldBatchID)}
	}
	return f, nil
}

// fileLog is the source log: metalog's typed log of entries.
type fileLog = metalog.Typed[[]FileEntry]

// loadSequence reads every entry of l, in id order, and returns the files
// they add, in order, with the number of files in the first entry. The
// entries must form one chain from offset 0: entry K adds K-J files, J being
// the entry before it (0 for the first), every file names K as its batchId,
// and no path appears twice; anything else is a *checkpoint.CorruptionError
// naming the entry.
func loadSequence(ctx context.Context, l *fileLog) (files []FileEntry, first int, err error) {
	ids, err := l.List(ctx)
	if err != nil {
		return nil, 0, err
	}
	seen := map[string]batch.ID{}
	for i, id := range ids {
		added, err := l.Get(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		if err := checkEntry(l.Path(id), id, int64(len(files)), added, seen); err != nil {
			return nil, 0, err
		}
		if i == 0 {
			first = len(added)
		}
		files = append(files, added...)
	}
	return files, first, nil
}

// checkEntry checks that entry id, holding added, follows an entry ending
// at offset prev. seen maps the paths of earlier entries to their entry.
func checkEntry(path string, id batch.ID, prev int64, added []FileEntry, seen map[string]batch.ID) error {
	if int64(id)-prev != int64(len(added)) {
		return &checkpoint.CorruptionError{Path: path, Offset: -1, Reason: fmt.Sprintf(
			"lists %d files but follows offset %d, so should list %d (an entry is missing or was purged)",
			len(added), prev, int64(id)-prev)}
	}
	for _, f := range added {
		if f.BatchID != int64(id) {
			return &checkpoint.CorruptionError{Path: path, Offset: -1, Reason: fmt.Sprintf(
				"file %s has batchId %d, not %d", f.Path, f.BatchID, id)}
		}
		if other, dup := seen[f.Path]; dup {
			return &checkpoint.CorruptionError{Path: path, Offset: -1, Reason: fmt.Sprintf(
				"file %s is listed again (first in entry %d)", f.Path, other)}
		}
		seen[f.Path] = id
	}
	return nil
}
