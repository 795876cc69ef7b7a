package fsutil

import (
	"io"
	"io/fs"
	"os"
	"syscall"
)

// FS is every file-system operation the checkpoint's local storage performs.
// Names are OS paths. Errors are *fs.PathError or *os.LinkError values whose
// underlying errors satisfy errors.Is with fs.ErrNotExist, fs.ErrExist and
// the syscall errnos, as the os package's do, so callers cannot tell an
// implementation apart by its errors.
type FS interface {
	// OpenFile opens name with os.OpenFile's flags and permissions.
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	// Open opens name for reading.
	Open(name string) (File, error)
	// OpenDir opens a directory so that its entries can be made durable
	// with Sync.
	OpenDir(name string) (File, error)
	// Rename renames oldname to newname, replacing a file at newname,
	// atomically.
	Rename(oldname, newname string) error
	// Link makes newname a hard link to oldname; it fails with an error
	// wrapping fs.ErrExist if newname exists, and never replaces it.
	Link(oldname, newname string) error
	// Remove removes a file or an empty directory.
	Remove(name string) error
	// ReadDir lists the directory sorted by file name.
	ReadDir(name string) ([]fs.DirEntry, error)
	// Mkdir makes one directory; it fails wrapping fs.ErrExist if name
	// exists.
	Mkdir(name string, perm fs.FileMode) error
	// MkdirAll makes a directory and its missing parents.
	MkdirAll(name string, perm fs.FileMode) error
	// Stat describes name, following symbolic links.
	Stat(name string) (fs.FileInfo, error)
	// ReadFile returns the content of name.
	ReadFile(name string) ([]byte, error)
}

// File is an open file or directory of an FS. Sync makes the file's content
// durable; on a directory from OpenDir it makes the directory's entries
// (creations, renames, links, removals) durable.
type File interface {
	io.Reader
	io.Writer
	io.Closer
	Sync() error
	Stat() (fs.FileInfo, error)
	Name() string
}

// OS is the FS of the operating system.
var OS FS = osFS{}

type osFS struct{}

func (osFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (osFS) Open(name string) (File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (osFS) OpenDir(name string) (File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (osFS) Rename(oldname, newname string) error         { return os.Rename(oldname, newname) }
func (osFS) Link(oldname, newname string) error           { return os.Link(oldname, newname) }
func (osFS) Remove(name string) error                     { return os.Remove(name) }
func (osFS) ReadDir(name string) ([]fs.DirEntry, error)   { return os.ReadDir(name) }
func (osFS) Mkdir(name string, perm fs.FileMode) error    { return os.Mkdir(name, perm) }
func (osFS) MkdirAll(name string, perm fs.FileMode) error { return os.MkdirAll(name, perm) }
func (osFS) Stat(name string) (fs.FileInfo, error)        { return os.Stat(name) }
func (osFS) ReadFile(name string) ([]byte, error)         { return os.ReadFile(name) }

// errNotDir is the errno of a path that needs a directory and found a file.
var errNotDir = syscall.ENOTDIR
