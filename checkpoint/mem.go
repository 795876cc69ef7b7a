package checkpoint

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Mem is an in-memory Storage for tests. It behaves as the local storage
// does, durability aside: directories exist while they hold files, a file and
// a directory cannot share a name, and every operation is atomic. It is safe
// for concurrent use.
type Mem struct {
	mu   sync.Mutex
	root memDir
}

var _ Storage = (*Mem)(nil)

// memDir is one directory of a Mem. Stored file contents are never mutated,
// so a reader may keep one after the lock is released.
type memDir struct {
	files map[string][]byte
	dirs  map[string]*memDir
}

// NewMem returns an empty in-memory Storage.
func NewMem() *Mem { return &Mem{} }

// Read implements Storage.
func (m *Mem) Read(ctx context.Context, path string) ([]byte, error) {
	data, err := m.get(ctx, "read", path)
	if err != nil {
		return nil, err
	}
	return bytes.Clone(data), nil
}

// Open implements Storage. The reader fails with the context's error once
// ctx is done.
func (m *Mem) Open(ctx context.Context, path string) (io.ReadCloser, error) {
	data, err := m.get(ctx, "open", path)
	if err != nil {
		return nil, err
	}
	return &ctxReader{ctx: ctx, path: path, r: bytes.NewReader(data)}, nil
}

func (m *Mem) get(ctx context.Context, op, path string) ([]byte, error) {
	if err := check(ctx, op, path); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	dir, base := m.lookup(path, false)
	if dir == nil || dir.files[base] == nil {
		return nil, fmt.Errorf("%s %s: %w", op, path, ErrNotExist)
	}
	return dir.files[base], nil
}

// Create implements Storage.
func (m *Mem) Create(ctx context.Context, path string, data []byte) error {
	return m.put(ctx, "create", path, bytes.Clone(data), false)
}

// Write implements Storage.
func (m *Mem) Write(ctx context.Context, path string, data []byte) error {
	return m.put(ctx, "write", path, bytes.Clone(data), true)
}

// Put implements Storage.
func (m *Mem) Put(ctx context.Context, path string, r io.Reader) error {
	if err := check(ctx, "put", path); err != nil {
		return err
	}
	data, err := io.ReadAll(&ctxReader{ctx: ctx, path: path, r: r})
	if err != nil {
		return fmt.Errorf("put %s: %w", path, err)
	}
	return m.put(ctx, "put", path, data, true)
}

// put stores data (owned by the Mem from now on) at path.
func (m *Mem) put(ctx context.Context, op, path string, data []byte, replace bool) error {
	if err := check(ctx, op, path); err != nil {
		return err
	}
	if data == nil {
		data = []byte{} // nil marks "no file" in memDir.files lookups
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	// Check the whole path before changing anything, so a failed call
	// leaves no directories behind.
	dir := &m.root
	elems := strings.Split(path, "/")
	for i, e := range elems[:len(elems)-1] {
		if dir.files[e] != nil {
			return fmt.Errorf("%s %s: %s is a file, not a directory", op, path, strings.Join(elems[:i+1], "/"))
		}
		if dir = dir.dirs[e]; dir == nil {
			break
		}
	}
	dir, base := m.lookup(path, true)
	switch {
	case dir.dirs[base] != nil && !replace:
		return fmt.Errorf("%s %s: %w (a directory)", op, path, ErrExist)
	case dir.dirs[base] != nil:
		return fmt.Errorf("%s %s: is a directory", op, path)
	case dir.files[base] != nil && !replace:
		return fmt.Errorf("%s %s: %w", op, path, ErrExist)
	}
	if dir.files == nil {
		dir.files = make(map[string][]byte)
	}
	dir.files[base] = data
	return nil
}

// List implements Storage.
func (m *Mem) List(ctx context.Context, dir string) ([]string, error) {
	d, err := ValidateDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	md := &m.root
	if d != "" {
		parent, base := m.lookup(d, false)
		if parent == nil || parent.dirs[base] == nil {
			return []string{}, nil
		}
		md = parent.dirs[base]
	}
	names := make([]string, 0, len(md.files)+len(md.dirs))
	for name := range md.files {
		names = append(names, name)
	}
	for name := range md.dirs {
		names = append(names, name+"/")
	}
	slices.Sort(names)
	return names, nil
}

// Delete implements Storage. Directories left empty disappear.
func (m *Mem) Delete(ctx context.Context, path string) error {
	if err := check(ctx, "delete", path); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	dir, base := m.lookup(path, false)
	if dir == nil {
		return nil
	}
	if dir.dirs[base] != nil {
		return fmt.Errorf("delete %s: is a directory", path)
	}
	delete(dir.files, base)
	m.prune(path)
	return nil
}

// lookup returns the directory holding path and path's last element. If the
// directory is missing it returns nil, or with create makes it.
func (m *Mem) lookup(path string, create bool) (*memDir, string) {
	dir := &m.root
	elems := strings.Split(path, "/")
	for _, e := range elems[:len(elems)-1] {
		next := dir.dirs[e]
		if next == nil {
			if !create {
				return nil, ""
			}
			next = &memDir{}
			if dir.dirs == nil {
				dir.dirs = make(map[string]*memDir)
			}
			dir.dirs[e] = next
		}
		dir = next
	}
	return dir, elems[len(elems)-1]
}

// prune removes the empty directories on the way to path, deepest first.
func (m *Mem) prune(path string) {
	elems := strings.Split(path, "/")
	for n := len(elems) - 1; n > 0; n-- {
		parent, base := m.lookup(strings.Join(elems[:n], "/"), false)
		d := parent.dirs[base]
		if len(d.files) > 0 || len(d.dirs) > 0 {
			return
		}
		delete(parent.dirs, base)
	}
}

// check validates path and ctx, the preamble of every file operation.
func check(ctx context.Context, op, path string) error {
	if err := ValidatePath(path); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s %s: %w", op, path, err)
	}
	return nil
}

// ctxReader fails reads with ctx's error once ctx is done.
type ctxReader struct {
	ctx  context.Context
	path string
	r    io.Reader
}

func (r *ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

func (r *ctxReader) Close() error {
	if c, ok := r.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
