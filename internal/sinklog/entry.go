package sinklog

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/internal/metalog"
)

// MetadataDir is the directory of the manifest log inside an output
// directory. Its name starts with "_" so that readers listing the
// directory (fileformat.Expand) skip it.
const MetadataDir = "_sluice_metadata"

// Actions of a Status.
const (
	ActionAdd    = "add"
	ActionDelete = "delete"
)

const (
	// version is the version line of the files Sluice writes and the
	// newest it reads: Spark's FileStreamSinkLog.VERSION.
	version = 1
	// compactSuffix marks a compact file: "<id>.compact".
	compactSuffix = ".compact"
	// localBlockSize is the blockSize Spark records for a file on a local
	// file system (Hadoop's fs.local.block.size default). Sluice writes it so
	// that its lines have every field of Spark's SinkFileStatus; no reader
	// uses it.
	localBlockSize = 32 << 20
)

// Status is one line of a manifest file: Spark's SinkFileStatus.
type Status struct {
	Path    string // relative to the output directory (Sluice), or absolute (Spark)
	Size    int64  // bytes
	ModTime int64  // modificationTime, ms since the epoch
	Action  string // ActionAdd or ActionDelete
}

// entryName is the file name of batch id's entry.
func entryName(id batch.ID, compact bool) string {
	name := strconv.FormatInt(int64(id), 10)
	if compact {
		name += compactSuffix
	}
	return name
}

// ParseName says which entry a file name in the metadata directory is:
// "7" (compact false) or "7.compact" (compact true). Other names (temp
// files, Hadoop .crc files, subdirectories) are not entries.
func ParseName(name string) (id batch.ID, compact, ok bool) {
	if base, found := bytes.CutSuffix([]byte(name), []byte(compactSuffix)); found {
		id, ok = metalog.ParseID(string(base))
		return id, true, ok
	}
	id, ok = metalog.ParseID(name)
	return id, false, ok
}

// encodeEntry returns the bytes of a manifest file: "v1", then one JSON
// line per status, each line after a '\n' (no newline at the end), as
// Spark's CompactibleFileStreamLog.serialize writes them.
func encodeEntry(sts []Status) ([]byte, error) {
	out := []byte("v" + strconv.Itoa(version))
	for _, st := range sts {
		var w metalog.ObjectWriter
		w.String("path", st.Path)
		w.Int("size", st.Size)
		w.Raw("isDir", []byte("false"))
		w.Int("modificationTime", st.ModTime)
		w.Int("blockReplication", 1)
		w.Int("blockSize", localBlockSize)
		w.String("action", st.Action)
		line, err := w.Bytes()
		if err != nil {
			return nil, fmt.Errorf("encode manifest line for %q: %w", st.Path, err)
		}
		out = append(out, '\n')
		out = append(out, line...)
	}
	return out, nil
}

// parseEntry parses the manifest file at path (named in errors) holding
// data. A file no writer could have produced is a *checkpoint.CorruptionError
// naming path: empty, without a valid version line, of a newer version, or
// with a line that is not a JSON object with a non-empty string "path" and
// an "action" of "add" or "delete". Fields other than path, size,
// modificationTime and action are ignored, as Spark ignores unknown fields;
// blank lines are skipped.
func parseEntry(path string, data []byte) ([]Status, error) {
	if len(data) > 0 && bytes.IndexByte(data, '\n') < 0 {
		// Spark writes an entry without files as "v1" alone.
		data = append(bytes.Clone(data), '\n')
	}
	rec, err := metalog.ParseRecord(path, data, version)
	if err != nil {
		return nil, err
	}
	var sts []Status
	body := rec.Body
	for off, lineNo := 0, 1; off < len(body); lineNo++ {
		line := body[off:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		if len(bytes.TrimSpace(line)) > 0 {
			st, err := parseLine(line)
			if err != nil {
				return nil, rec.Corrupt(int64(off), fmt.Sprintf("line %d", lineNo), err)
			}
			sts = append(sts, st)
		}
		off += len(line) + 1
	}
	return sts, nil
}

// parseLine parses one status; errors are *metalog.SyntaxError with offsets
// into line.
func parseLine(line []byte) (Status, error) {
	fields, err := metalog.ParseObject(line)
	if err != nil {
		return Status{}, err
	}
	var st Status
	v, ok := fields.Get("path")
	if !ok {
		return st, &metalog.SyntaxError{Offset: -1, Reason: "no path"}
	}
	if st.Path, err = metalog.String("path", v); err != nil {
		return st, err
	}
	if st.Path == "" {
		return st, &metalog.SyntaxError{Offset: -1, Reason: "empty path"}
	}
	v, ok = fields.Get("action")
	if !ok {
		return st, &metalog.SyntaxError{Offset: -1, Reason: "no action"}
	}
	if st.Action, err = metalog.String("action", v); err != nil {
		return st, err
	}
	if st.Action != ActionAdd && st.Action != ActionDelete {
		return st, &metalog.SyntaxError{Offset: -1, Reason: fmt.Sprintf("action %q is neither add nor delete", st.Action)}
	}
	if v, ok := fields.Get("size"); ok {
		if st.Size, err = metalog.Int64("size", v); err != nil {
			return st, err
		}
	}
	if v, ok := fields.Get("modificationTime"); ok {
		if st.ModTime, err = metalog.Int64("modificationTime", v); err != nil {
			return st, err
		}
	}
	return st, nil
}
