package metalog

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/sluicestream/sluice/checkpoint"
)

// QueryMetadataPath is where the query metadata lives, relative to the
// checkpoint root (Spark's StreamMetadata file).
const QueryMetadataPath = "metadata"

// QueryMetadata is the content of the checkpoint's "metadata" file: the id
// that names the query for as long as the checkpoint lives. Spark's format,
// with no version line and no trailing newline:
//
//	{"id":"dddc5e7f-1e71-454c-8362-de184444fb5a"}
//
// Members other than id (none today) are kept in Extra, so a file read and
// written again is unchanged; Encode writes them after id.
type QueryMetadata struct {
	ID    string // a UUID, lower-case as written by NewQueryID and Spark
	Extra Fields
}

// NewQueryID returns a random (version 4) UUID in canonical lower-case form,
// as Java's UUID.randomUUID().toString() gives Spark.
func NewQueryID() string {
	var u [16]byte
	rand.Read(u[:]) // never fails (crypto/rand)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// ParseQueryMetadata parses data, the content of the file at path. A trailing
// newline is accepted. Errors are *checkpoint.CorruptionError naming path.
func ParseQueryMetadata(path string, data []byte) (QueryMetadata, error) {
	if len(data) == 0 {
		return QueryMetadata{}, corrupt(path, 0, "empty file", nil)
	}
	fields, err := ParseObject(bytes.TrimSuffix(data, []byte{'\n'}))
	if err != nil {
		return QueryMetadata{}, Corrupt(path, 0, "", err)
	}
	var m QueryMetadata
	var haveID bool
	for _, f := range fields {
		if f.Name != "id" {
			m.Extra = append(m.Extra, f)
			continue
		}
		if m.ID, err = String("id", f.Value); err != nil {
			return QueryMetadata{}, Corrupt(path, 0, "", err)
		}
		haveID = true
	}
	switch {
	case !haveID:
		return QueryMetadata{}, corrupt(path, 0, "no query id", nil)
	case !isUUID(m.ID):
		return QueryMetadata{}, corrupt(path, 0, fmt.Sprintf("query id %q is not a UUID", m.ID), nil)
	}
	return m, nil
}

// Encode returns the file's bytes.
func (m QueryMetadata) Encode() ([]byte, error) {
	if !isUUID(m.ID) {
		return nil, fmt.Errorf("query metadata: id %q is not a UUID", m.ID)
	}
	var w ObjectWriter
	w.String("id", m.ID)
	if err := WriteExtra(&w, m.Extra, "id"); err != nil {
		return nil, fmt.Errorf("query metadata: %w", err)
	}
	return w.Bytes()
}

// ReadQueryMetadata reads the checkpoint's query metadata. A missing file is
// an error wrapping checkpoint.ErrNotExist.
func ReadQueryMetadata(ctx context.Context, st checkpoint.Storage) (QueryMetadata, error) {
	data, err := st.Read(ctx, QueryMetadataPath)
	if err != nil {
		return QueryMetadata{}, err
	}
	return ParseQueryMetadata(QueryMetadataPath, data)
}

// CreateQueryMetadata writes the checkpoint's query metadata if there is
// none; if there is, the error wraps checkpoint.ErrExist.
func CreateQueryMetadata(ctx context.Context, st checkpoint.Storage, m QueryMetadata) error {
	data, err := m.Encode()
	if err != nil {
		return err
	}
	return st.Create(ctx, QueryMetadataPath, data)
}

// LoadOrCreateQueryMetadata reads the checkpoint's query metadata, or, if
// there is none, writes one with a new id; created says which. Of two
// callers racing on a new checkpoint both end up with the id that won.
func LoadOrCreateQueryMetadata(ctx context.Context, st checkpoint.Storage) (m QueryMetadata, created bool, err error) {
	m, err = ReadQueryMetadata(ctx, st)
	if !errors.Is(err, checkpoint.ErrNotExist) {
		return m, false, err
	}
	m = QueryMetadata{ID: NewQueryID()}
	err = CreateQueryMetadata(ctx, st, m)
	if errors.Is(err, checkpoint.ErrExist) {
		m, err = ReadQueryMetadata(ctx, st)
		return m, false, err
	}
	if err != nil {
		return QueryMetadata{}, false, err
	}
	return m, true, nil
}

// isUUID reports whether s has the canonical 8-4-4-4-12 hex shape.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
