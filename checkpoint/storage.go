package checkpoint

import (
	"context"
	"errors"
	"io"
)

// Sentinel errors; implementations wrap them with the path.
var (
	// ErrNotExist: the path names no file.
	ErrNotExist = errors.New("file does not exist")
	// ErrExist: Create found the path already present.
	ErrExist = errors.New("file already exists")
)

// Storage is the checkpoint namespace of one query.
type Storage interface {
	// Read returns the whole content of path, or an error wrapping
	// ErrNotExist.
	Read(ctx context.Context, path string) ([]byte, error)
	// Create writes path only if it does not exist yet, atomically and
	// durably; if it exists the error wraps ErrExist and the file is
	// unchanged. Of concurrent Creates of one path exactly one succeeds.
	Create(ctx context.Context, path string, data []byte) error
	// Write replaces path (or creates it) atomically and durably: readers see
	// the old or the new content, never a mix.
	Write(ctx context.Context, path string, data []byte) error
	// Put streams a large immutable file to path; readers never see it
	// partially written. Putting an existing path replaces it.
	Put(ctx context.Context, path string, r io.Reader) error
	// Open streams path; the caller closes the reader. A missing path is an
	// error wrapping ErrNotExist.
	Open(ctx context.Context, path string) (io.ReadCloser, error)
	// List returns the names (not paths) of the files directly under dir,
	// sorted bytewise; a missing dir lists as empty. Subdirectories are
	// listed with a trailing "/".
	List(ctx context.Context, dir string) ([]string, error)
	// Delete removes path; a missing path is not an error.
	Delete(ctx context.Context, path string) error
}
