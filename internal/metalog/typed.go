package metalog

import (
	"context"
	"fmt"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
)

// Codec is the entry format of a typed log: the version it writes (and the
// highest it reads), and how an entry's body, the bytes after the version
// line, becomes an entry and back.
type Codec[E any] struct {
	// Version is written on every entry's version line; files with a higher
	// one are refused (ErrNewerVersion). It is at least 1.
	Version int
	// ParseBody returns the entry whose file rec is. Its errors are
	// rec.Corrupt(...), so that they name the file and the byte.
	ParseBody func(rec Record) (E, error)
	// EncodeBody returns what follows the version line in e's file, or an
	// error if e cannot be written.
	EncodeBody func(e E) ([]byte, error)
}

// Parse parses data, the content of the file at path (used in errors only).
// Errors are *checkpoint.CorruptionError naming path.
func (c Codec[E]) Parse(path string, data []byte) (E, error) {
	rec, err := ParseRecord(path, data, c.Version)
	if err != nil {
		var zero E
		return zero, err
	}
	return c.ParseBody(rec)
}

// Encode returns the bytes of e's file: the version line, then the body.
func (c Codec[E]) Encode(e E) ([]byte, error) {
	body, err := c.EncodeBody(e)
	if err != nil {
		return nil, err
	}
	return Format(c.Version, body), nil
}

// Typed is a Log whose entries are values of type E, read and written with
// a Codec: what package offsetlog and package commitlog export as their Log.
// It holds no state besides the Log and the Codec and is safe for
// concurrent use (see the package doc).
type Typed[E any] struct {
	log   *Log
	codec Codec[E]
}

// NewTyped returns the typed log in directory dir of st (e.g. "offsets").
//
// REQUIRES: dir as for New; codec.Version >= 1; codec.ParseBody and
// codec.EncodeBody are not nil.
func NewTyped[E any](st checkpoint.Storage, dir string, codec Codec[E]) *Typed[E] {
	if codec.ParseBody == nil || codec.EncodeBody == nil {
		panic(fmt.Sprintf("metalog.NewTyped(%q): codec without ParseBody or EncodeBody", dir))
	}
	return &Typed[E]{log: New(st, dir, codec.Version), codec: codec}
}

// Path returns the path of batch id's entry, e.g. "offsets/7".
func (l *Typed[E]) Path(id batch.ID) string { return l.log.Path(id) }

// Add writes the entry of batch id. If it exists the error is
// *AlreadyLoggedError and the file is unchanged; of concurrent Adds of one
// id exactly one succeeds. An entry the codec cannot encode is an error and
// writes nothing.
func (l *Typed[E]) Add(ctx context.Context, id batch.ID, e E) error {
	body, err := l.codec.EncodeBody(e)
	if err != nil {
		return fmt.Errorf("add %s: %w", l.log.Path(id), err)
	}
	return l.log.Add(ctx, id, body)
}

// Get reads the entry of batch id. A missing entry is an error wrapping
// checkpoint.ErrNotExist; one that does not parse a
// *checkpoint.CorruptionError.
func (l *Typed[E]) Get(ctx context.Context, id batch.ID) (E, error) {
	rec, err := l.log.Get(ctx, id)
	if err != nil {
		var zero E
		return zero, err
	}
	return l.codec.ParseBody(rec)
}

// Latest returns the entry with the highest id, or an error wrapping
// ErrEmpty if there is none.
func (l *Typed[E]) Latest(ctx context.Context) (batch.ID, E, error) {
	id, err := l.log.Latest(ctx)
	if err != nil {
		var zero E
		return 0, zero, err
	}
	e, err := l.Get(ctx, id)
	return id, e, err
}

// List returns the ids present, ascending, gaps and all.
func (l *Typed[E]) List(ctx context.Context) ([]batch.ID, error) { return l.log.List(ctx) }

// ListDense returns the ids present, ascending, or a
// *checkpoint.CorruptionError naming the first missing entry if there is a
// gap between the lowest and the highest (see the package doc).
func (l *Typed[E]) ListDense(ctx context.Context) ([]batch.ID, error) { return l.log.ListDense(ctx) }

// Purge deletes all but the keepNewest newest entries, oldest first.
func (l *Typed[E]) Purge(ctx context.Context, keepNewest int) error {
	return l.log.Purge(ctx, keepNewest)
}

// PurgeBefore deletes the entries with ids below threshold, oldest first.
func (l *Typed[E]) PurgeBefore(ctx context.Context, threshold batch.ID) error {
	return l.log.PurgeBefore(ctx, threshold)
}
