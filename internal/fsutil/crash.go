package fsutil

import (
	"bytes"
	"errors"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// CrashFS is an in-memory FS that remembers what has been made durable, so a
// test can cut the power and see what a real disk would keep.
//
// The model is the weakest POSIX promise, as on ext4 with data=writeback: a
// file's content survives a power cut only as far as Sync on the file made it
// durable; a directory entry (a creation, rename, link, removal or mkdir)
// survives only once Sync on the directory (from OpenDir) made it durable. A
// new file's name is not durable because the file was synced, and a rename is
// not durable until the directory is synced.
//
// Crash drops everything not durable; CrashKeepMetadata keeps every directory
// change but drops unsynced file content (the case that catches a rename of a
// file that was never fsynced); CrashRandom keeps a random prefix of each
// directory's unsynced changes and a random part of each file's unsynced
// content, sometimes as zeros. A rename within one directory is atomic; a
// rename across directories is two changes, one in each, that a crash may
// split. After a crash, files opened before it fail every call with
// ErrCrashed.
//
// Names are slash-separated and absolute ("/ck/offsets/0"); a relative name
// is taken relative to "/". It is safe for concurrent use.
type CrashFS struct {
	mu   sync.Mutex
	root *node
	gen  int // bumped by every crash; handles of older generations are dead
}

var _ FS = (*CrashFS)(nil)

// ErrCrashed is the error of calls on a file opened before a crash.
var ErrCrashed = errors.New("file handle lost in a simulated crash")

// node is a file or directory (an inode: hard links share it).
type node struct {
	dir  bool
	mode fs.FileMode
	mod  time.Time

	// A file's content now, and as far as Sync made it durable.
	data, synced []byte

	// A directory's entries now, as of the last Sync, and the changes since
	// in order (so a crash can keep a prefix of them).
	entries, durable map[string]*node
	pending          []dirChange
}

// dirChange is one atomic change of a directory: entry name set to n, or
// removed when n is nil; a rename within one directory also removes from.
type dirChange struct {
	name, from string
	n          *node
}

// NewCrashFS returns a CrashFS holding an empty root directory "/", which is
// durable.
func NewCrashFS() *CrashFS {
	return &CrashFS{root: newDir(0o755)}
}

func newDir(perm fs.FileMode) *node {
	return &node{dir: true, mode: fs.ModeDir | perm.Perm(), mod: time.Now(),
		entries: map[string]*node{}, durable: map[string]*node{}}
}

// set changes a directory entry, remembering the change for a crash.
func (d *node) set(name string, n *node) { d.change(dirChange{name: name, n: n}) }

// change applies ch to the directory's entries and remembers it.
func (d *node) change(ch dirChange) {
	ch.apply(d.entries)
	d.pending = append(d.pending, ch)
	d.mod = time.Now()
}

func (ch dirChange) apply(entries map[string]*node) {
	if ch.from != "" {
		delete(entries, ch.from)
	}
	if ch.n == nil {
		delete(entries, ch.name)
	} else {
		entries[ch.name] = ch.n
	}
}

// split cleans name into its elements below the root.
func split(name string) []string {
	clean := filepath.ToSlash(filepath.Clean("/" + filepath.ToSlash(name)))
	if clean == "/" {
		return nil
	}
	return strings.Split(clean[1:], "/")
}

// walk resolves the elements to a node.
func (c *CrashFS) walk(op, name string, elems []string) (*node, error) {
	n := c.root
	for _, e := range elems {
		if !n.dir {
			return nil, &fs.PathError{Op: op, Path: name, Err: syscall.ENOTDIR}
		}
		next := n.entries[e]
		if next == nil {
			return nil, &fs.PathError{Op: op, Path: name, Err: syscall.ENOENT}
		}
		n = next
	}
	return n, nil
}

// parent resolves the directory holding name, and name's last element.
func (c *CrashFS) parent(op, name string) (*node, string, error) {
	elems := split(name)
	if len(elems) == 0 {
		return nil, "", &fs.PathError{Op: op, Path: name, Err: syscall.EBUSY} // the root
	}
	dir, err := c.walk(op, name, elems[:len(elems)-1])
	if err != nil {
		return nil, "", err
	}
	if !dir.dir {
		return nil, "", &fs.PathError{Op: op, Path: name, Err: syscall.ENOTDIR}
	}
	return dir, elems[len(elems)-1], nil
}

// OpenFile implements FS for the flags O_RDONLY, O_WRONLY, O_RDWR, O_CREATE,
// O_EXCL, O_TRUNC and O_APPEND.
func (c *CrashFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	write := flag&(os.O_WRONLY|os.O_RDWR) != 0
	if len(split(name)) == 0 { // the root
		if write {
			return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EISDIR}
		}
		return &crashFile{fs: c, gen: c.gen, n: c.root, name: name, flag: flag}, nil
	}
	dir, base, err := c.parent("open", name)
	if err != nil {
		return nil, err
	}
	n := dir.entries[base]
	switch {
	case n != nil && flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0:
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EEXIST}
	case n != nil && n.dir && write:
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EISDIR}
	case n == nil && flag&os.O_CREATE == 0:
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.ENOENT}
	case n == nil:
		n = &node{mode: perm.Perm(), mod: time.Now()}
		dir.set(base, n)
	}
	if flag&os.O_TRUNC != 0 && write {
		n.data = nil
	}
	return &crashFile{fs: c, gen: c.gen, n: n, name: name, flag: flag}, nil
}

// Open implements FS.
func (c *CrashFS) Open(name string) (File, error) { return c.OpenFile(name, os.O_RDONLY, 0) }

// OpenDir implements FS.
func (c *CrashFS) OpenDir(name string) (File, error) {
	f, err := c.OpenFile(name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	if !f.(*crashFile).n.dir {
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.ENOTDIR}
	}
	return f, nil
}

// Rename implements FS: a file may replace a file, a directory may replace
// an empty directory.
func (c *CrashFS) Rename(oldname, newname string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	lerr := func(err error) error { return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err} }
	odir, obase, err := c.parent("rename", oldname)
	if err != nil {
		return lerr(err.(*fs.PathError).Err)
	}
	ndir, nbase, err := c.parent("rename", newname)
	if err != nil {
		return lerr(err.(*fs.PathError).Err)
	}
	n := odir.entries[obase]
	if n == nil {
		return lerr(syscall.ENOENT)
	}
	if old := ndir.entries[nbase]; old != nil {
		switch {
		case old == n:
			return nil
		case old.dir && !n.dir:
			return lerr(syscall.EISDIR)
		case !old.dir && n.dir:
			return lerr(syscall.ENOTDIR)
		case old.dir && len(old.entries) > 0:
			return lerr(syscall.ENOTEMPTY)
		}
	}
	if odir == ndir { // atomic, as journaling file systems make it
		odir.change(dirChange{name: nbase, from: obase, n: n})
		return nil
	}
	odir.set(obase, nil)
	ndir.set(nbase, n)
	return nil
}

// Link implements FS.
func (c *CrashFS) Link(oldname, newname string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	lerr := func(err error) error { return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: err} }
	n, err := c.walk("link", oldname, split(oldname))
	if err != nil {
		return lerr(err.(*fs.PathError).Err)
	}
	if n.dir {
		return lerr(syscall.EPERM)
	}
	ndir, nbase, err := c.parent("link", newname)
	if err != nil {
		return lerr(err.(*fs.PathError).Err)
	}
	if ndir.entries[nbase] != nil {
		return lerr(syscall.EEXIST)
	}
	ndir.set(nbase, n)
	return nil
}

// Remove implements FS.
func (c *CrashFS) Remove(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	dir, base, err := c.parent("remove", name)
	if err != nil {
		return err
	}
	n := dir.entries[base]
	switch {
	case n == nil:
		return &fs.PathError{Op: "remove", Path: name, Err: syscall.ENOENT}
	case n.dir && len(n.entries) > 0:
		return &fs.PathError{Op: "remove", Path: name, Err: syscall.ENOTEMPTY}
	}
	dir.set(base, nil)
	return nil
}

// ReadDir implements FS.
func (c *CrashFS) ReadDir(name string) ([]fs.DirEntry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.walk("readdir", name, split(name))
	if err != nil {
		return nil, err
	}
	if !n.dir {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: syscall.ENOTDIR}
	}
	out := make([]fs.DirEntry, 0, len(n.entries))
	for e, child := range n.entries {
		out = append(out, fs.FileInfoToDirEntry(child.info(e)))
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// Mkdir implements FS.
func (c *CrashFS) Mkdir(name string, perm fs.FileMode) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mkdir(name, perm)
}

func (c *CrashFS) mkdir(name string, perm fs.FileMode) error {
	dir, base, err := c.parent("mkdir", name)
	if err != nil {
		if errors.Is(err, syscall.EBUSY) {
			return &fs.PathError{Op: "mkdir", Path: name, Err: syscall.EEXIST}
		}
		return err
	}
	if dir.entries[base] != nil {
		return &fs.PathError{Op: "mkdir", Path: name, Err: syscall.EEXIST}
	}
	dir.set(base, newDir(perm))
	return nil
}

// MkdirAll implements FS.
func (c *CrashFS) MkdirAll(name string, perm fs.FileMode) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	elems := split(name)
	for i := range elems {
		p := "/" + strings.Join(elems[:i+1], "/")
		err := c.mkdir(p, perm)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		if n, _ := c.walk("mkdir", p, elems[:i+1]); !n.dir {
			return &fs.PathError{Op: "mkdir", Path: p, Err: syscall.ENOTDIR}
		}
	}
	return nil
}

// Stat implements FS.
func (c *CrashFS) Stat(name string) (fs.FileInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	elems := split(name)
	n, err := c.walk("stat", name, elems)
	if err != nil {
		return nil, err
	}
	base := "/"
	if len(elems) > 0 {
		base = elems[len(elems)-1]
	}
	return n.info(base), nil
}

// ReadFile implements FS.
func (c *CrashFS) ReadFile(name string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.walk("open", name, split(name))
	if err != nil {
		return nil, err
	}
	if n.dir {
		return nil, &fs.PathError{Op: "read", Path: name, Err: syscall.EISDIR}
	}
	return bytes.Clone(n.data), nil
}

// Crash cuts the power: only what Sync made durable survives.
func (c *CrashFS) Crash() {
	c.crash(func(*node) int { return 0 }, func(n *node) []byte { return n.synced })
}

// CrashKeepMetadata cuts the power keeping every directory change, synced or
// not, but only synced file content: a file renamed into place without an
// fsync of its own comes back short or empty.
func (c *CrashFS) CrashKeepMetadata() {
	c.crash(func(d *node) int { return len(d.pending) }, func(n *node) []byte { return n.synced })
}

// CrashRandom cuts the power keeping, per directory, a random prefix of its
// unsynced changes and, per file whose unsynced content extends its synced
// content, a random part of the extension, sometimes zeroed. The same seed
// gives the same outcome for the same history.
func (c *CrashFS) CrashRandom(seed uint64) {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	c.crash(func(d *node) int { return r.IntN(len(d.pending) + 1) }, func(n *node) []byte {
		if !bytes.HasPrefix(n.data, n.synced) || len(n.data) == len(n.synced) || r.IntN(2) == 0 {
			return n.synced
		}
		keep := len(n.synced) + r.IntN(len(n.data)-len(n.synced)+1)
		out := bytes.Clone(n.data[:keep])
		if r.IntN(2) == 0 {
			clear(out[len(n.synced):])
		}
		return out
	})
}

// crash rebuilds the tree as a power cut leaves it: each directory keeps its
// durable entries plus the first keep(d) unsynced changes, each file the
// content data(n). Then everything left is durable.
func (c *CrashFS) crash(keep func(d *node) int, data func(n *node) []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	seen := map[*node]bool{}
	var visit func(n *node)
	visit = func(n *node) {
		if seen[n] {
			return
		}
		seen[n] = true
		if !n.dir {
			n.data = bytes.Clone(data(n))
			n.synced = n.data
			return
		}
		entries := maps.Clone(n.durable)
		for _, ch := range n.pending[:keep(n)] {
			ch.apply(entries)
		}
		n.entries, n.durable, n.pending = entries, maps.Clone(entries), nil
		for _, name := range slices.Sorted(maps.Keys(entries)) { // deterministic order for CrashRandom
			visit(entries[name])
		}
	}
	visit(c.root)
}
