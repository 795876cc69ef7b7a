package offsetlog

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/sluicestream/sluice/internal/metalog"
)

// Version is the entry format version this package writes and the highest
// it reads (Spark's OffsetSeqLog.VERSION; Spark 4.1's v2 "OffsetMap"
// entries, keyed by source name, are refused as newer).
const Version = 1

// voidOffset stands for a source without an offset (Spark's
// SERIALIZED_VOID_OFFSET).
const voidOffset = "-"

// Names of the metadata fields this package interprets, in the order
// Spark writes them.
const (
	fieldWatermark = "batchWatermarkMs"
	fieldTimestamp = "batchTimestampMs"
	fieldConf      = "conf"
)

// Entry is one batch's offset log entry.
type Entry struct {
	Metadata Metadata
	// Offsets holds, per source in the query's source order, the end offset
	// of the batch as the source's JSON, or nil if the source has none.
	Offsets []json.RawMessage
}

// Metadata is what a batch runs under besides its offsets (Spark's
// OffsetSeqMetadata).
type Metadata struct {
	// BatchWatermarkMs is the event-time watermark the batch uses: the one
	// computed at the end of the batch before.
	BatchWatermarkMs int64
	// BatchTimestampMs is the batch's processing time (current_timestamp,
	// processing-time timeouts).
	BatchTimestampMs int64
	// Conf is the configuration that must not change across restarts,
	// such as the number of shuffle partitions. nil means the file had no
	// conf field (Spark 2.1); an empty non-nil Conf is written as {}.
	Conf Conf
	// Extra holds metadata fields this package does not know, verbatim and
	// in file order; Encode writes them after the known ones.
	Extra metalog.Fields
}

// Conf is an ordered string map: Spark's conf map in file order.
type Conf []ConfEntry

// ConfEntry is one configuration setting.
type ConfEntry struct{ Key, Value string }

// Get returns the value of key.
func (c Conf) Get(key string) (string, bool) {
	for _, e := range c {
		if e.Key == key {
			return e.Value, true
		}
	}
	return "", false
}

// Set replaces the value of key in place, or appends the setting.
func (c *Conf) Set(key, value string) {
	for i := range *c {
		if (*c)[i].Key == key {
			(*c)[i].Value = value
			return
		}
	}
	*c = append(*c, ConfEntry{key, value})
}

// codec is the entry format: Spark's OffsetSeqLog, version Version.
var codec = metalog.Codec[Entry]{Version: Version, ParseBody: parseBody, EncodeBody: Entry.encodeBody}

// Parse parses data, the content of the offset log file at path (used in
// errors only). Errors are *checkpoint.CorruptionError naming path.
func Parse(path string, data []byte) (Entry, error) { return codec.Parse(path, data) }

func parseBody(rec metalog.Record) (Entry, error) {
	lines := bytes.Split(rec.Body, []byte{'\n'})
	if len(bytes.TrimSpace(lines[0])) == 0 {
		return Entry{}, rec.Corrupt(0, "", fmt.Errorf("missing batch metadata (truncated?)"))
	}
	md, err := parseMetadata(lines[0])
	if err != nil {
		return Entry{}, rec.Corrupt(0, "batch metadata", err)
	}
	e := Entry{Metadata: md}
	off := int64(len(lines[0]) + 1)
	for i, line := range lines[1:] {
		switch {
		case string(line) == voidOffset:
			e.Offsets = append(e.Offsets, nil)
		case json.Valid(line):
			e.Offsets = append(e.Offsets, bytes.Clone(line))
		default:
			return Entry{}, rec.Corrupt(off, "", fmt.Errorf("offset of source %d is not JSON: %.40q", i, line))
		}
		off += int64(len(line) + 1)
	}
	return e, nil
}

func parseMetadata(line []byte) (Metadata, error) {
	fields, err := metalog.ParseObject(line)
	if err != nil {
		return Metadata{}, err
	}
	var md Metadata
	for _, f := range fields {
		switch f.Name {
		case fieldWatermark:
			md.BatchWatermarkMs, err = metalog.Int64(f.Name, f.Value)
		case fieldTimestamp:
			md.BatchTimestampMs, err = metalog.Int64(f.Name, f.Value)
		case fieldConf:
			md.Conf, err = parseConf(f.Value)
		default:
			md.Extra = append(md.Extra, f)
		}
		if err != nil {
			return Metadata{}, err
		}
	}
	return md, nil
}

func parseConf(v json.RawMessage) (Conf, error) {
	fields, err := metalog.ParseObject(v)
	if err != nil {
		return nil, &metalog.SyntaxError{Offset: -1, Reason: "conf is not a JSON object", Err: err}
	}
	conf := make(Conf, 0, len(fields))
	for _, f := range fields {
		s, err := metalog.String("conf "+f.Name, f.Value)
		if err != nil {
			return nil, err
		}
		conf = append(conf, ConfEntry{f.Name, s})
	}
	return conf, nil
}

// Encode returns the file bytes of e, in Spark's format (see the package
// doc). It fails on an entry that cannot be written: an offset that is not
// one line of JSON, a conf key that repeats, a string that is not UTF-8,
// an Extra field that is not JSON or has a known field's name.
func (e Entry) Encode() ([]byte, error) { return codec.Encode(e) }

// encodeBody returns what follows the version line.
func (e Entry) encodeBody() ([]byte, error) {
	body, err := e.Metadata.encode()
	if err != nil {
		return nil, err
	}
	for i, o := range e.Offsets {
		body = append(body, '\n')
		switch {
		case o == nil:
			body = append(body, voidOffset...)
		case len(o) == 0 || !json.Valid(o):
			return nil, fmt.Errorf("offset of source %d is not JSON: %.40q", i, o)
		case bytes.IndexByte(o, '\n') >= 0:
			return nil, fmt.Errorf("offset of source %d spans lines", i)
		default:
			body = append(body, o...)
		}
	}
	return body, nil
}

func (md Metadata) encode() ([]byte, error) {
	var w metalog.ObjectWriter
	w.Int(fieldWatermark, md.BatchWatermarkMs)
	w.Int(fieldTimestamp, md.BatchTimestampMs)
	if md.Conf != nil {
		var c metalog.ObjectWriter
		for i, e := range md.Conf {
			for _, prev := range md.Conf[:i] {
				if prev.Key == e.Key {
					return nil, fmt.Errorf("batch metadata: conf key %q appears twice", e.Key)
				}
			}
			c.String(e.Key, e.Value)
		}
		w.Object(fieldConf, &c)
	}
	if err := metalog.WriteExtra(&w, md.Extra, fieldWatermark, fieldTimestamp, fieldConf); err != nil {
		return nil, fmt.Errorf("batch metadata: %w", err)
	}
	b, err := w.Bytes()
	if err != nil {
		return nil, fmt.Errorf("batch metadata: %w", err)
	}
	return b, nil
}
