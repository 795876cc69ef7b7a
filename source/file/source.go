package file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/internal/fileformat"
	"github.com/sluicestream/sluice/internal/metalog"
	"github.com/sluicestream/sluice/source"
)

// Source is a directory of files watched for new ones.
type Source struct {
	opts   Options
	read   fileformat.ReadOptions // with the source's schema
	schema *arrow.Schema
	log    *fileLog
	files  []FileEntry         // the sequence: every file taken, in order
	seen   map[string]struct{} // the paths of files
}

var _ source.Source = (*Source)(nil)

// New opens the file source whose log is opts.Dir in opts.Storage,
// rebuilding its sequence of files from the log. If the schema is to be
// inferred and the log is empty, New takes the first files now (logging
// them as the first entry) so that the files the schema comes from are the
// logged ones, on every restart too.
func New(ctx context.Context, opts Options) (*Source, error) {
	opts, ro, err := opts.validate()
	if err != nil {
		return nil, err
	}
	s := &Source{opts: opts, read: ro, seen: map[string]struct{}{}}
	s.log = metalog.NewTyped(opts.Storage, opts.Dir, logCodec)
	files, first, err := loadSequence(ctx, s.log)
	if err != nil {
		return nil, fmt.Errorf("file source: %w", err)
	}
	s.files = files
	for _, f := range files {
		s.seen[f.Path] = struct{}{}
	}
	if err := s.resolveSchema(ctx, first); err != nil {
		return nil, err
	}
	s.read.Schema = s.schema
	return s, nil
}

// resolveSchema sets s.schema: the given one (with the corrupt-record
// column in PERMISSIVE mode), or one inferred from the first of the files
// of the first log entry, which holds first files.
func (s *Source) resolveSchema(ctx context.Context, first int) error {
	if !s.opts.needsInference() {
		schema, err := fileformat.InferSchema(nil, s.read)
		if err != nil {
			return fmt.Errorf("file source: %w", err)
		}
		s.schema = schema
		return nil
	}
	if len(s.files) == 0 {
		n, err := s.take(ctx, s.opts.MaxFilesPerTrigger)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("file source: no files in %q to infer the schema from; give option %q", s.opts.Path, optSchema)
		}
		first = n
	}
	paths := make([]string, 0, min(first, maxInferFiles))
	for _, f := range s.files[:min(first, maxInferFiles)] {
		paths = append(paths, f.Path)
	}
	schema, err := fileformat.InferSchema(paths, s.read)
	if err != nil {
		return fmt.Errorf("file source: infer the schema from the files of %s: %w (give option %q to do without)",
			s.log.Path(batch.ID(s.files[0].BatchID)), err, optSchema)
	}
	s.schema = schema
	return nil
}

// Schema returns the rows' schema, fixed when the source was created.
func (s *Source) Schema() *arrow.Schema { return s.schema }

// Latest returns the offset after the files available after start, at most
// the smaller of MaxFilesPerTrigger and limit.MaxFiles of them (every one
// with limit.AllAvailable). Files the
// log already has after start come first; only when there are none does
// Latest list the directory, and then it logs the new files it takes before
// returning their offset.
func (s *Source) Latest(ctx context.Context, start source.Offset, limit source.ReadLimit) (source.Offset, error) {
	from, err := parseOffset(start)
	if err != nil {
		return nil, err
	}
	if from > len(s.files) {
		return nil, s.beyond(from)
	}
	max := s.opts.MaxFilesPerTrigger
	if limit.MaxFiles > 0 && (max == 0 || limit.MaxFiles < max) {
		max = limit.MaxFiles
	}
	if limit.AllAvailable {
		max = 0
	}
	end := len(s.files)
	if from == end {
		n, err := s.take(ctx, max)
		if err != nil {
			return nil, err
		}
		end += n
	}
	if max > 0 && end-from > max {
		end = from + max
	}
	if end == from {
		return start, nil
	}
	return encodeOffset(end), nil
}

// beyond is the error for an offset past the end of the sequence: the
// offset log and the source log disagree.
func (s *Source) beyond(n int) error {
	return fmt.Errorf("file source: offset %d is beyond the %d files logged in %s (was the source log deleted?)",
		n, len(s.files), s.opts.Dir)
}

// Read returns the rows of the files in (start, end], in sequence order.
// A file that is gone is a *MissingFileError; a file whose content changed
// since it was logged is read as it is now.
func (s *Source) Read(ctx context.Context, start, end source.Offset, mem memory.Allocator) (batch.Reader, error) {
	from, err := parseOffset(start)
	if err != nil {
		return nil, err
	}
	to, err := parseOffset(end)
	if err != nil {
		return nil, err
	}
	switch {
	case to < from:
		return nil, fmt.Errorf("file source: read (%d, %d]: end before start", from, to)
	case to > len(s.files):
		return nil, s.beyond(to)
	}
	paths := make([]string, 0, to-from)
	for _, f := range s.files[from:to] {
		if _, err := os.Stat(f.Path); err != nil {
			return nil, s.missing(f, err)
		}
		paths = append(paths, f.Path)
	}
	r, err := fileformat.Open(ctx, mem, paths, s.read)
	if err != nil {
		return nil, fmt.Errorf("file source: read (%d, %d]: %w", from, to, err)
	}
	return r, nil
}

// MissingFileError says a file the source log lists for a range being read
// cannot be found: the input directory changed under a logged batch, which
// therefore cannot be replayed.
type MissingFileError struct {
	Path  string // the file
	Entry string // the log entry that lists it, e.g. "sources/0/7"
	Err   error  // from os.Stat, wrapping fs.ErrNotExist when the file is gone
}

func (e *MissingFileError) Error() string {
	return fmt.Sprintf("file source: %s, logged in %s, cannot be read again: %v", e.Path, e.Entry, e.Err)
}

func (e *MissingFileError) Unwrap() error { return e.Err }

func (s *Source) missing(f FileEntry, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is in the message already
	}
	return &MissingFileError{Path: f.Path, Entry: s.log.Path(batch.ID(f.BatchID)), Err: err}
}

// Commit does nothing: the source keeps its whole log (see the package doc).
func (s *Source) Commit(ctx context.Context, end source.Offset) error {
	if _, err := parseOffset(end); err != nil {
		return err
	}
	return nil
}

// Close does nothing: the source holds no open files between calls.
func (s *Source) Close() error { return nil }
