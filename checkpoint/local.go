package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"sync"
	"syscall"

	"github.com/sluicestream/sluice/internal/fsutil"
)

// Local is a Storage on a local directory. Every write follows fsutil's
// durable-write recipe (temp file, fsync, rename or link, fsync the
// directory); new directories are made durable before a file is written into
// them. A checkpoint path "offsets/7" is the file <dir>/offsets/7.
type Local struct {
	fs       fsutil.FS
	root     string
	readOnly bool
	// durableDirs holds the checkpoint directories ("" is the root) this
	// Local has made durable: created or found, and their parent fsynced.
	durableDirs sync.Map
}

var _ Storage = (*Local)(nil)

// LocalOption configures OpenLocal.
type LocalOption func(*localOptions)

type localOptions struct {
	readOnly bool
}

// ReadOnly opens the directory for reading only: it must exist, stale temp
// files are left alone, and Create, Write, Put and Delete fail. For tools
// that inspect a checkpoint another process may be writing.
func ReadOnly() LocalOption { return func(o *localOptions) { o.readOnly = true } }

// errReadOnly is the error of writes to a read-only Local.
var errReadOnly = errors.New("storage opened read-only")

// OpenLocal opens (creating it if needed) the checkpoint directory dir and
// removes the temp files that interrupted writes left anywhere under it.
//
// REQUIRES: no other process writes to dir while it opens (it would lose
// its in-flight temp files and fail the writes; nothing is corrupted).
func OpenLocal(dir string, opts ...LocalOption) (*Local, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open checkpoint %s: %w", dir, err)
	}
	return OpenLocalFS(fsutil.OS, abs, opts...)
}

// OpenLocalFS is OpenLocal on fsys, for tests with fsutil.FaultFS and
// fsutil.CrashFS. dir is used as given.
func OpenLocalFS(fsys fsutil.FS, dir string, opts ...LocalOption) (*Local, error) {
	var o localOptions
	for _, opt := range opts {
		opt(&o)
	}
	l := &Local{fs: fsys, root: filepath.Clean(dir), readOnly: o.readOnly}
	if !l.readOnly {
		if err := fsutil.MkdirAllSync(fsys, l.root); err != nil {
			return nil, fmt.Errorf("open checkpoint %s: %w", dir, err)
		}
	}
	fi, err := fsys.Stat(l.root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("open checkpoint %s: %w", dir, ErrNotExist)
	case err != nil:
		return nil, fmt.Errorf("open checkpoint %s: %w", dir, err)
	case !fi.IsDir():
		return nil, fmt.Errorf("open checkpoint %s: not a directory", dir)
	}
	l.durableDirs.Store("", true)
	if !l.readOnly {
		if err := l.removeStaleTemps(l.root); err != nil {
			return nil, fmt.Errorf("open checkpoint %s: remove stale temp files: %w", dir, err)
		}
	}
	return l, nil
}

// Dir returns the checkpoint directory.
func (l *Local) Dir() string { return l.root }

// removeStaleTemps removes the temp files in dir and below.
func (l *Local) removeStaleTemps(dir string) error {
	if _, err := fsutil.RemoveStaleTemps(l.fs, dir); err != nil {
		return err
	}
	entries, err := l.fs.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			if err := l.removeStaleTemps(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// abs maps a checkpoint path to its OS path.
func (l *Local) abs(p string) string { return filepath.Join(l.root, filepath.FromSlash(p)) }

// Read implements Storage.
func (l *Local) Read(ctx context.Context, p string) ([]byte, error) {
	if err := check(ctx, "read", p); err != nil {
		return nil, err
	}
	data, err := l.fs.ReadFile(l.abs(p))
	if err != nil {
		return nil, readErr("read", p, err)
	}
	return data, nil
}

// Open implements Storage. The reader fails with the context's error once
// ctx is done.
func (l *Local) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	if err := check(ctx, "open", p); err != nil {
		return nil, err
	}
	f, err := l.fs.Open(l.abs(p))
	if err != nil {
		return nil, readErr("open", p, err)
	}
	if fi, err := f.Stat(); err != nil || fi.IsDir() {
		f.Close()
		if err == nil {
			err = syscall.EISDIR
		}
		return nil, readErr("open", p, err)
	}
	return &ctxReader{ctx: ctx, path: p, r: f}, nil
}

// readErr maps a read-side error of p: a missing file, a file in the place
// of a directory on the way, and a directory are all "no such file".
func readErr(op, p string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("%s %s: %w", op, p, ErrNotExist)
	case errors.Is(err, syscall.EISDIR):
		return fmt.Errorf("%s %s: %w (a directory)", op, p, ErrNotExist)
	}
	return fmt.Errorf("%s %s: %w", op, p, err)
}

// Create implements Storage.
func (l *Local) Create(ctx context.Context, p string, data []byte) error {
	return l.write(ctx, "create", p, fsutil.NoReplace, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write implements Storage.
func (l *Local) Write(ctx context.Context, p string, data []byte) error {
	return l.write(ctx, "write", p, fsutil.Replace, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Put implements Storage. The copy stops with the context's error once ctx
// is done, leaving p as it was.
func (l *Local) Put(ctx context.Context, p string, r io.Reader) error {
	return l.write(ctx, "put", p, fsutil.Replace, func(w io.Writer) error {
		_, err := io.Copy(w, &ctxReader{ctx: ctx, path: p, r: r})
		return err
	})
}

// write runs the durable-write recipe for p.
func (l *Local) write(ctx context.Context, op, p string, mode fsutil.Mode, fill func(io.Writer) error) error {
	if err := l.checkWrite(ctx, op, p); err != nil {
		return err
	}
	if err := l.ensureDir(path.Dir(p)); err != nil {
		return fmt.Errorf("%s %s: %w", op, p, err)
	}
	err := fsutil.WriteAtomic(l.fs, l.abs(p), mode, fill)
	switch {
	case err == nil:
		return nil
	case mode == fsutil.NoReplace && errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s %s: %w", op, p, ErrExist)
	}
	return fmt.Errorf("%s %s: %w", op, p, err)
}

func (l *Local) checkWrite(ctx context.Context, op, p string) error {
	if err := check(ctx, op, p); err != nil {
		return err
	}
	if l.readOnly {
		return fmt.Errorf("%s %s: %w", op, p, errReadOnly)
	}
	return nil
}

// ensureDir makes the checkpoint directory dir ("." for the root) and its
// parents exist durably: each is created if missing and its parent fsynced,
// once per Local — also for directories found existing, since whoever made
// them may not have fsynced their parent yet.
func (l *Local) ensureDir(dir string) error {
	if dir == "." {
		dir = ""
	}
	if _, ok := l.durableDirs.Load(dir); ok {
		return nil
	}
	if err := l.ensureDir(path.Dir(dir)); err != nil {
		return err
	}
	abs := l.abs(dir)
	if err := l.fs.Mkdir(abs, 0o755); errors.Is(err, fs.ErrExist) {
		if fi, err := l.fs.Stat(abs); err != nil {
			return err
		} else if !fi.IsDir() {
			return fmt.Errorf("%s is a file, not a directory", dir)
		}
	} else if err != nil {
		return err
	}
	if err := fsutil.SyncDir(l.fs, filepath.Dir(abs)); err != nil {
		return err
	}
	l.durableDirs.Store(dir, true)
	return nil
}

// List implements Storage. Temp files of writes in flight are not listed.
func (l *Local) List(ctx context.Context, dir string) ([]string, error) {
	d, err := ValidateDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	entries, err := l.fs.ReadDir(l.abs(d))
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return []string{}, nil
	case err != nil:
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		switch {
		case fsutil.IsTemp(e.Name()):
		case e.IsDir():
			names = append(names, e.Name()+"/")
		default:
			names = append(names, e.Name())
		}
	}
	slices.Sort(names) // again: the "/" suffix changes the order
	return names, nil
}

// Delete implements Storage. The removal is durable when it returns.
func (l *Local) Delete(ctx context.Context, p string) error {
	if err := l.checkWrite(ctx, "delete", p); err != nil {
		return err
	}
	abs := l.abs(p)
	fi, err := l.fs.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return nil
	case err != nil:
		return fmt.Errorf("delete %s: %w", p, err)
	case fi.IsDir():
		return fmt.Errorf("delete %s: is a directory", p)
	}
	if err := l.fs.Remove(abs); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", p, err)
	}
	if err := fsutil.SyncDir(l.fs, filepath.Dir(abs)); err != nil {
		return fmt.Errorf("delete %s: %w", p, err)
	}
	return nil
}
