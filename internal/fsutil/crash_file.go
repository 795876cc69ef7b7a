package fsutil

import (
	"bytes"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// info describes n under the name base.
func (n *node) info(base string) fs.FileInfo {
	return crashInfo{name: base, size: int64(len(n.data)), mode: n.mode, mod: n.mod}
}

type crashInfo struct {
	name string
	size int64
	mode fs.FileMode
	mod  time.Time
}

func (i crashInfo) Name() string       { return i.name }
func (i crashInfo) Size() int64        { return i.size }
func (i crashInfo) Mode() fs.FileMode  { return i.mode }
func (i crashInfo) ModTime() time.Time { return i.mod }
func (i crashInfo) IsDir() bool        { return i.mode.IsDir() }
func (i crashInfo) Sys() any           { return nil }

// crashFile is an open file or directory of a CrashFS.
type crashFile struct {
	fs     *CrashFS
	gen    int
	n      *node
	name   string
	flag   int
	off    int
	closed bool
}

// live locks the FS and checks the handle may be used; the caller unlocks.
func (f *crashFile) live(op string) error {
	f.fs.mu.Lock()
	switch {
	case f.closed:
		f.fs.mu.Unlock()
		return &fs.PathError{Op: op, Path: f.name, Err: fs.ErrClosed}
	case f.gen != f.fs.gen:
		f.fs.mu.Unlock()
		return &fs.PathError{Op: op, Path: f.name, Err: ErrCrashed}
	}
	return nil
}

func (f *crashFile) Read(p []byte) (int, error) {
	if err := f.live("read"); err != nil {
		return 0, err
	}
	defer f.fs.mu.Unlock()
	switch {
	case f.n.dir:
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: syscall.EISDIR}
	case f.flag&os.O_WRONLY != 0:
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: syscall.EBADF}
	case f.off >= len(f.n.data):
		return 0, io.EOF
	}
	k := copy(p, f.n.data[f.off:])
	f.off += k
	return k, nil
}

func (f *crashFile) Write(p []byte) (int, error) {
	if err := f.live("write"); err != nil {
		return 0, err
	}
	defer f.fs.mu.Unlock()
	if f.flag&(os.O_WRONLY|os.O_RDWR) == 0 {
		return 0, &fs.PathError{Op: "write", Path: f.name, Err: syscall.EBADF}
	}
	if f.flag&os.O_APPEND != 0 {
		f.off = len(f.n.data)
	}
	if end := f.off + len(p); end > len(f.n.data) {
		f.n.data = append(f.n.data, make([]byte, end-len(f.n.data))...)
	}
	copy(f.n.data[f.off:], p)
	f.off += len(p)
	f.n.mod = time.Now()
	return len(p), nil
}

// Sync makes a file's content, or a directory's entries, durable.
func (f *crashFile) Sync() error {
	if err := f.live("sync"); err != nil {
		return err
	}
	defer f.fs.mu.Unlock()
	if f.n.dir {
		f.n.durable, f.n.pending = maps.Clone(f.n.entries), nil
	} else {
		f.n.synced = bytes.Clone(f.n.data)
	}
	return nil
}

func (f *crashFile) Close() error {
	if err := f.live("close"); err != nil {
		return err
	}
	defer f.fs.mu.Unlock()
	f.closed = true
	return nil
}

func (f *crashFile) Stat() (fs.FileInfo, error) {
	if err := f.live("stat"); err != nil {
		return nil, err
	}
	defer f.fs.mu.Unlock()
	return f.n.info(filepath.Base(f.name)), nil
}

func (f *crashFile) Name() string { return f.name }
