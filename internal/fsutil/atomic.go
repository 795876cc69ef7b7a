package fsutil

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Mode says what WriteAtomic does when the target name is taken.
type Mode int

const (
	// Replace renames the temp file over the target, replacing it.
	Replace Mode = iota
	// NoReplace hard-links the temp file to the target name, which fails if
	// the name is taken; the error then wraps fs.ErrExist and the target is
	// unchanged. Of concurrent NoReplace writes of one name exactly one
	// succeeds.
	NoReplace
)

// filePerm and dirPerm are the permissions of files and directories this
// package makes (before the umask).
const (
	filePerm fs.FileMode = 0o644
	dirPerm  fs.FileMode = 0o755
)

// tempAttempts bounds the retries when a fresh temp name is taken (64 random
// bits: only a broken random source collides twice).
const tempAttempts = 3

// WriteAtomic is the one durable-write recipe: fill writes the content to a
// temp file in the target's directory, the temp file is fsynced and closed,
// then published under name — renamed over it (Replace) or hard-linked to it
// without overwriting (NoReplace, after which the temp name is removed) — and
// finally the directory is fsynced so the new entry survives a power cut.
//
// Outcomes: if WriteAtomic returns nil the new content is durable under name.
// If it fails before publishing, name is untouched and the temp file is
// removed (or, if the removal fails too, left for RemoveStaleTemps). If the
// final directory fsync fails, name may hold the new content but it is not
// known to be durable; the error says so.
//
// REQUIRES: the directory of name exists.
func WriteAtomic(fsys FS, name string, mode Mode, fill func(w io.Writer) error) error {
	tmp, f, err := createTemp(fsys, name)
	if err != nil {
		return err
	}
	if err := writeSyncClose(f, fill); err != nil {
		_ = fsys.Remove(tmp)
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := publish(fsys, tmp, name, mode); err != nil {
		return err
	}
	if err := SyncDir(fsys, filepath.Dir(name)); err != nil {
		return fmt.Errorf("%s published but not known to be durable: %w", name, err)
	}
	return nil
}

// WriteFile atomically and durably replaces (or creates) name with data.
func WriteFile(fsys FS, name string, data []byte) error {
	return WriteAtomic(fsys, name, Replace, writeBytes(data))
}

// CreateFile atomically and durably creates name with data; if name exists
// the error wraps fs.ErrExist and name is unchanged.
func CreateFile(fsys FS, name string, data []byte) error {
	return WriteAtomic(fsys, name, NoReplace, writeBytes(data))
}

func writeBytes(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}
}

// createTemp makes a fresh, empty temp file next to name.
func createTemp(fsys FS, name string) (string, File, error) {
	for attempt := 1; ; attempt++ {
		tmp := TempName(name)
		f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
		if err == nil {
			return tmp, f, nil
		}
		if !errors.Is(err, fs.ErrExist) || attempt == tempAttempts {
			return "", nil, fmt.Errorf("create temp file for %s: %w", name, err)
		}
	}
}

// writeSyncClose fills f, fsyncs it and closes it; f is closed whatever
// happens.
func writeSyncClose(f File, fill func(io.Writer) error) error {
	err := fill(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// publish gives the synced temp file its final name.
func publish(fsys FS, tmp, name string, mode Mode) error {
	if mode == Replace {
		if err := fsys.Rename(tmp, name); err != nil {
			_ = fsys.Remove(tmp)
			return err
		}
		return nil
	}
	err := fsys.Link(tmp, name)
	// The content now lives under name, or nowhere: the temp name goes either
	// way. A failed removal leaves a stale temp for RemoveStaleTemps and does
	// not undo the publication, so it is not an error.
	_ = fsys.Remove(tmp)
	return err
}

// SyncDir fsyncs the directory dir, making its entries durable.
func SyncDir(fsys FS, dir string) error {
	d, err := fsys.OpenDir(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// MkdirAllSync makes dir and its missing parents like MkdirAll, and makes
// each new directory durable by fsyncing its parent after creating it.
// Directories that exist are left alone (and not fsynced).
func MkdirAllSync(fsys FS, dir string) error {
	dir = filepath.Clean(dir)
	fi, err := fsys.Stat(dir)
	switch {
	case err == nil && fi.IsDir():
		return nil
	case err == nil:
		return &fs.PathError{Op: "mkdir", Path: dir, Err: errNotDir}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := MkdirAllSync(fsys, parent); err != nil {
			return err
		}
	}
	if err := fsys.Mkdir(dir, dirPerm); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return SyncDir(fsys, parent)
}
