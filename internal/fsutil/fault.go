package fsutil

import (
	"errors"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
)

// Op names an FS or File operation, for fault injection.
type Op uint8

// The operations of FS and File. OpSyncDir is Sync on a directory opened with
// OpenDir; OpSync is Sync on a file.
const (
	OpAny Op = iota // matches every operation in FailNth
	OpOpenFile
	OpOpen
	OpOpenDir
	OpRead
	OpWrite
	OpSync
	OpSyncDir
	OpClose
	OpRename
	OpLink
	OpRemove
	OpReadDir
	OpMkdir
	OpMkdirAll
	OpStat
	OpReadFile
)

var opNames = [...]string{
	OpAny: "any", OpOpenFile: "openfile", OpOpen: "open", OpOpenDir: "opendir",
	OpRead: "read", OpWrite: "write", OpSync: "sync", OpSyncDir: "syncdir",
	OpClose: "close", OpRename: "rename", OpLink: "link", OpRemove: "remove",
	OpReadDir: "readdir", OpMkdir: "mkdir", OpMkdirAll: "mkdirall",
	OpStat: "stat", OpReadFile: "readfile",
}

func (op Op) String() string {
	if int(op) < len(opNames) {
		return opNames[op]
	}
	return "op?"
}

// ErrInjected is the error the injectors of this package fail calls with
// when given a nil error.
var ErrInjected = errors.New("injected fault")

// Injector decides, before each operation runs, whether it fails: a non-nil
// return fails the call with that error (wrapped as the os package would)
// and the operation does not reach the base FS. It is called concurrently
// from every goroutine using the FS. path is the file the call acts on; for
// Rename and Link it is the new name, the one being published.
type Injector func(op Op, path string) error

// Call is one operation a FaultFS saw, failed or not.
type Call struct {
	Op   Op
	Path string
	Err  error // the injected error, or nil
}

// FaultFS wraps an FS and fails the calls its Injector picks. It records
// every call, so a test can count the steps of an operation and then fail
// each in turn. It is safe for concurrent use.
type FaultFS struct {
	base   FS
	inject atomic.Pointer[Injector]
	mu     sync.Mutex
	calls  []Call
}

var _ FS = (*FaultFS)(nil)

// NewFaultFS returns a FaultFS over base that fails nothing until Inject.
func NewFaultFS(base FS) *FaultFS { return &FaultFS{base: base} }

// Inject replaces the injector; nil stops injecting.
func (f *FaultFS) Inject(in Injector) {
	if in == nil {
		f.inject.Store(nil)
		return
	}
	f.inject.Store(&in)
}

// Calls returns the calls seen since the FaultFS was made or last Reset.
func (f *FaultFS) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Injected returns the calls that were failed by injection.
func (f *FaultFS) Injected() []Call {
	var out []Call
	for _, c := range f.Calls() {
		if c.Err != nil {
			out = append(out, c)
		}
	}
	return out
}

// Reset forgets the recorded calls.
func (f *FaultFS) Reset() {
	f.mu.Lock()
	f.calls = nil
	f.mu.Unlock()
}

// check records a call and returns the injected error, if any.
func (f *FaultFS) check(op Op, path string) error {
	var err error
	if in := f.inject.Load(); in != nil {
		err = (*in)(op, path)
	}
	f.mu.Lock()
	f.calls = append(f.calls, Call{Op: op, Path: path, Err: err})
	f.mu.Unlock()
	return err
}

func (f *FaultFS) pathErr(op Op, path string) error {
	if err := f.check(op, path); err != nil {
		return &fs.PathError{Op: op.String(), Path: path, Err: err}
	}
	return nil
}

func (f *FaultFS) linkErr(op Op, oldname, newname string) error {
	if err := f.check(op, newname); err != nil {
		return &os.LinkError{Op: op.String(), Old: oldname, New: newname, Err: err}
	}
	return nil
}

// OpenFile implements FS.
func (f *FaultFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	return f.wrap(OpOpenFile, name, false, func() (File, error) { return f.base.OpenFile(name, flag, perm) })
}

// Open implements FS.
func (f *FaultFS) Open(name string) (File, error) {
	return f.wrap(OpOpen, name, false, func() (File, error) { return f.base.Open(name) })
}

// OpenDir implements FS.
func (f *FaultFS) OpenDir(name string) (File, error) {
	return f.wrap(OpOpenDir, name, true, func() (File, error) { return f.base.OpenDir(name) })
}

func (f *FaultFS) wrap(op Op, name string, dir bool, open func() (File, error)) (File, error) {
	if err := f.pathErr(op, name); err != nil {
		return nil, err
	}
	file, err := open()
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f, name: name, dir: dir}, nil
}

// Rename implements FS.
func (f *FaultFS) Rename(oldname, newname string) error {
	if err := f.linkErr(OpRename, oldname, newname); err != nil {
		return err
	}
	return f.base.Rename(oldname, newname)
}

// Link implements FS.
func (f *FaultFS) Link(oldname, newname string) error {
	if err := f.linkErr(OpLink, oldname, newname); err != nil {
		return err
	}
	return f.base.Link(oldname, newname)
}

// Remove implements FS.
func (f *FaultFS) Remove(name string) error {
	if err := f.pathErr(OpRemove, name); err != nil {
		return err
	}
	return f.base.Remove(name)
}

// ReadDir implements FS.
func (f *FaultFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := f.pathErr(OpReadDir, name); err != nil {
		return nil, err
	}
	return f.base.ReadDir(name)
}

// Mkdir implements FS.
func (f *FaultFS) Mkdir(name string, perm fs.FileMode) error {
	if err := f.pathErr(OpMkdir, name); err != nil {
		return err
	}
	return f.base.Mkdir(name, perm)
}

// MkdirAll implements FS.
func (f *FaultFS) MkdirAll(name string, perm fs.FileMode) error {
	if err := f.pathErr(OpMkdirAll, name); err != nil {
		return err
	}
	return f.base.MkdirAll(name, perm)
}

// Stat implements FS.
func (f *FaultFS) Stat(name string) (fs.FileInfo, error) {
	if err := f.pathErr(OpStat, name); err != nil {
		return nil, err
	}
	return f.base.Stat(name)
}

// ReadFile implements FS.
func (f *FaultFS) ReadFile(name string) ([]byte, error) {
	if err := f.pathErr(OpReadFile, name); err != nil {
		return nil, err
	}
	return f.base.ReadFile(name)
}

// faultFile injects faults into the calls on one open file.
type faultFile struct {
	File
	fs   *FaultFS
	name string
	dir  bool
}

func (f *faultFile) Read(p []byte) (int, error) {
	if err := f.fs.pathErr(OpRead, f.name); err != nil {
		return 0, err
	}
	return f.File.Read(p)
}

func (f *faultFile) Write(p []byte) (int, error) {
	if err := f.fs.pathErr(OpWrite, f.name); err != nil {
		return 0, err
	}
	return f.File.Write(p)
}

func (f *faultFile) Sync() error {
	op := OpSync
	if f.dir {
		op = OpSyncDir
	}
	if err := f.fs.pathErr(op, f.name); err != nil {
		return err
	}
	return f.File.Sync()
}

// Close closes the underlying file even when the close is failed by
// injection, so a test leaks no descriptor.
func (f *faultFile) Close() error {
	err := f.fs.pathErr(OpClose, f.name)
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	return err
}

// FailNth fails the nth call (counting from 1) of op, or of any op if op is
// OpAny, with err (ErrInjected if nil). Later calls succeed.
func FailNth(op Op, n int, err error) Injector {
	if err == nil {
		err = ErrInjected
	}
	var seen atomic.Int64
	return func(o Op, _ string) error {
		if (op == OpAny || o == op) && seen.Add(1) == int64(n) {
			return err
		}
		return nil
	}
}

// FailFrom fails every call from the nth on (counting all ops from 1), as
// if the process died just before it: nothing it would have done happens.
// Use it with CrashFS to cut the power at every step of an operation.
func FailFrom(n int, err error) Injector {
	if err == nil {
		err = ErrInjected
	}
	var seen atomic.Int64
	return func(Op, string) error {
		if seen.Add(1) >= int64(n) {
			return err
		}
		return nil
	}
}

// FailPath fails every call of op (or of any op, for OpAny) whose path
// satisfies match, with err (ErrInjected if nil).
func FailPath(op Op, match func(path string) bool, err error) Injector {
	if err == nil {
		err = ErrInjected
	}
	return func(o Op, path string) error {
		if (op == OpAny || o == op) && match(path) {
			return err
		}
		return nil
	}
}
