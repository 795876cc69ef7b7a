package checkpoint

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/sluicestream/sluice/internal/fsutil"
)

// LockFile is the file in a local checkpoint directory that a running
// query holds an advisory lock on.
const LockFile = ".lock"

// ErrLocked means another process holds the checkpoint's lock.
var ErrLocked = errors.New("checkpoint is in use by another process")

// Lock takes an exclusive advisory lock (flock) on the directory's LockFile,
// failing at once with ErrLocked if another process holds it. The OS drops
// the lock when the process dies, however it dies, so a killed query never
// leaves its checkpoint locked. Storage on a test file system (OpenLocalFS
// with other than fsutil.OS) does not lock.
func (l *Local) Lock() (unlock func() error, err error) {
	if l.fs != fsutil.OS || l.readOnly {
		return func() error { return nil }, nil
	}
	path := filepath.Join(l.root, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock checkpoint %s: %w", l.root, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("lock checkpoint %s (%s): %w", l.root, LockFile, ErrLocked)
		}
		return nil, fmt.Errorf("lock checkpoint %s: %w", l.root, err)
	}
	// Closing the file drops the lock.
	return f.Close, nil
}
