package fsutil

import (
	"encoding/hex"
	"errors"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"strings"
)

// tempMarker separates the target name from the random suffix of a temporary
// file: ".<name>.tmp-<16 hex digits>".
const tempMarker = ".tmp-"

// tempRandLen is the number of hex digits in a temp file's random suffix.
const tempRandLen = 16

// TempName returns a fresh temporary file name in the directory of target:
// ".<base>.tmp-<16 random hex digits>". The leading dot hides it from shell
// listings; the shape lets RemoveStaleTemps and IsTemp recognise it.
func TempName(target string) string {
	var b [tempRandLen / 2]byte
	for i := range b {
		b[i] = byte(rand.Uint32())
	}
	dir, base := filepath.Split(target)
	return dir + "." + base + tempMarker + hex.EncodeToString(b[:])
}

// IsTemp reports whether the file name (a base name, not a path) has the
// shape of a name made by TempName.
func IsTemp(name string) bool {
	const suffixLen = len(tempMarker) + tempRandLen
	if len(name) < 1+suffixLen || name[0] != '.' {
		return false
	}
	suf := name[len(name)-suffixLen:]
	if !strings.HasPrefix(suf, tempMarker) {
		return false
	}
	for _, c := range suf[len(tempMarker):] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// RemoveStaleTemps removes the temporary files directly in dir (not in its
// subdirectories) and returns the names it removed. A temp file is stale when
// no write is in flight: call it when opening a directory, before any write
// starts. A missing dir has nothing to remove.
//
// REQUIRES: no durable write into dir is in flight, in this process or another;
// removing an in-flight temp file makes that write fail (never corrupts it).
func RemoveStaleTemps(fsys FS, dir string) ([]string, error) {
	entries, err := fsys.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if e.IsDir() || !IsTemp(e.Name()) {
			continue
		}
		if err := fsys.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, err
		}
		removed = append(removed, e.Name())
	}
	return removed, nil
}
