package metalogtest

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
)

// ErrInjected is the I/O error Failing's storage returns.
var ErrInjected = errors.New("injected I/O error")

// Failing returns st with the operations named in ops ("Read", "Create",
// "List", "Delete", "Open") failing with an *os.PathError wrapping
// ErrInjected; the others pass through.
func Failing(st checkpoint.Storage, ops ...string) checkpoint.Storage {
	f := &failingStorage{Storage: st, fail: map[string]bool{}}
	for _, op := range ops {
		f.fail[op] = true
	}
	return f
}

type failingStorage struct {
	checkpoint.Storage
	mu   sync.Mutex
	fail map[string]bool
}

var _ checkpoint.Storage = (*failingStorage)(nil)

func (f *failingStorage) err(op, path string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail[op] {
		return &os.PathError{Op: strings.ToLower(op), Path: path, Err: ErrInjected}
	}
	return nil
}

func (f *failingStorage) Read(ctx context.Context, p string) ([]byte, error) {
	if err := f.err("Read", p); err != nil {
		return nil, err
	}
	return f.Storage.Read(ctx, p)
}

func (f *failingStorage) Create(ctx context.Context, p string, data []byte) error {
	if err := f.err("Create", p); err != nil {
		return err
	}
	return f.Storage.Create(ctx, p, data)
}

func (f *failingStorage) List(ctx context.Context, dir string) ([]string, error) {
	if err := f.err("List", dir); err != nil {
		return nil, err
	}
	return f.Storage.List(ctx, dir)
}

func (f *failingStorage) Delete(ctx context.Context, p string) error {
	if err := f.err("Delete", p); err != nil {
		return err
	}
	return f.Storage.Delete(ctx, p)
}

func (f *failingStorage) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	if err := f.err("Open", p); err != nil {
		return nil, err
	}
	return f.Storage.Open(ctx, p)
}

// RunStorages runs test as a subtest once per Storage implementation the
// log tests cover ("mem", "local"), each opened fresh and empty.
func RunStorages(t *testing.T, test func(t *testing.T, st checkpoint.Storage)) {
	for _, s := range []struct {
		name string
		open func(t *testing.T) checkpoint.Storage
	}{
		{"mem", func(t *testing.T) checkpoint.Storage { return checkpoint.NewMem() }},
		{"local", func(t *testing.T) checkpoint.Storage {
			st, err := checkpoint.OpenLocal(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return st
		}},
	} {
		t.Run(s.name, func(t *testing.T) { test(t, s.open(t)) })
	}
}
