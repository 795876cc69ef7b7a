package commitlog

import (
	"bytes"
	"fmt"

	"github.com/sluicestream/sluice/internal/metalog"
)

// Version is the entry format version this package writes and the highest
// it reads (Spark's CommitLog with state checkpoint format 1).
const Version = 1

// fieldWatermark is the one field this package interprets.
const fieldWatermark = "nextBatchWatermarkMs"

// Entry is one batch's commit (Spark's CommitMetadata).
type Entry struct {
	// NextBatchWatermarkMs is the watermark computed at the end of this
	// batch, which the next batch uses (it becomes that batch's
	// offsets entry's BatchWatermarkMs).
	NextBatchWatermarkMs int64
	// Extra holds the fields this package does not interpret, verbatim and
	// in file order; Encode writes them after NextBatchWatermarkMs.
	Extra metalog.Fields
}

// codec is the entry format: Spark's CommitLog, version Version.
var codec = metalog.Codec[Entry]{Version: Version, ParseBody: parseBody, EncodeBody: Entry.encodeBody}

// Parse parses data, the content of the commit log file at path (used in
// errors only). Errors are *checkpoint.CorruptionError naming path.
func Parse(path string, data []byte) (Entry, error) { return codec.Parse(path, data) }

func parseBody(rec metalog.Record) (Entry, error) {
	line, rest, more := bytes.Cut(rec.Body, []byte{'\n'})
	if len(bytes.TrimSpace(line)) == 0 {
		return Entry{}, rec.Corrupt(0, "", fmt.Errorf("missing commit metadata (truncated?)"))
	}
	if more {
		return Entry{}, rec.Corrupt(int64(len(line)+1), "", fmt.Errorf("unexpected line after the commit metadata: %.40q", rest))
	}
	fields, err := metalog.ParseObject(line)
	if err != nil {
		return Entry{}, rec.Corrupt(0, "commit metadata", err)
	}
	var e Entry
	for _, f := range fields {
		if f.Name != fieldWatermark {
			e.Extra = append(e.Extra, f)
			continue
		}
		if e.NextBatchWatermarkMs, err = metalog.Int64(f.Name, f.Value); err != nil {
			return Entry{}, rec.Corrupt(0, "commit metadata", err)
		}
	}
	return e, nil
}

// Encode returns the file bytes of e, in Spark's format (see the package
// doc). It fails if an Extra field is not one line of JSON, repeats, or is
// called nextBatchWatermarkMs.
func (e Entry) Encode() ([]byte, error) { return codec.Encode(e) }

func (e Entry) encodeBody() ([]byte, error) {
	var w metalog.ObjectWriter
	w.Int(fieldWatermark, e.NextBatchWatermarkMs)
	if err := metalog.WriteExtra(&w, e.Extra, fieldWatermark); err != nil {
		return nil, fmt.Errorf("commit metadata: %w", err)
	}
	b, err := w.Bytes()
	if err != nil {
		return nil, fmt.Errorf("commit metadata: %w", err)
	}
	return b, nil
}
