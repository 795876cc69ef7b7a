package sinklog

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/sluicestream/sluice/checkpoint"
)

// ErrNoManifest: the directory has no manifest log (it was not written by
// the file sink).
var ErrNoManifest = errors.New("no " + MetadataDir + " manifest")

// HasManifest reports whether dir is a directory the file sink writes: it
// holds a _sluice_metadata directory.
func HasManifest(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, MetadataDir))
	return err == nil && fi.IsDir()
}

// Files returns the committed files of the file sink's output directory
// dir, as OS paths, in the order they were added: the newest compact
// file's list, then the adds and deletes of the entries after it. Files
// written by a batch that never committed (a crash between its part files
// and its manifest entry), replaced by a Complete-mode batch, or being
// written right now are not listed, nor is anything inside
// _sluice_metadata (the log is not data, whatever a hand-edited entry
// says). A directory without a manifest is an error wrapping ErrNoManifest; a
// corrupt manifest a *checkpoint.CorruptionError naming the file.
//
// It only reads, so it may run while a writer (in this process or
// another) commits to dir.
func Files(ctx context.Context, dir string) ([]string, error) {
	meta := filepath.Join(dir, MetadataDir)
	fi, err := os.Stat(meta)
	switch {
	case errors.Is(err, fs.ErrNotExist) || err == nil && !fi.IsDir():
		return nil, fmt.Errorf("file sink output %s: %w", dir, ErrNoManifest)
	case err != nil:
		return nil, fmt.Errorf("file sink output %s: %w", dir, err)
	}
	st, err := checkpoint.OpenLocal(meta, checkpoint.ReadOnly())
	if err != nil {
		return nil, fmt.Errorf("file sink output %s: %w", dir, err)
	}
	s, err := readState(ctx, st)
	if err != nil {
		return nil, fmt.Errorf("file sink output %s: %w", dir, err)
	}
	paths := make([]string, 0, len(s.live))
	for _, st := range s.live {
		p, err := Resolve(dir, st.Path)
		if err != nil {
			return nil, fmt.Errorf("file sink output %s: %w", dir, err)
		}
		if !inside(meta, p) {
			paths = append(paths, p)
		}
	}
	return paths, nil
}

// Resolve turns a path of the manifest of output directory dir into an OS
// path: Sluice's relative names are joined to dir; absolute paths and
// file: URLs (as Spark writes them) are taken as they are. Another URL
// scheme is an error.
func Resolve(dir, p string) (string, error) {
	if filepath.IsAbs(p) {
		return filepath.Clean(p), nil
	}
	if isURL(p) {
		u, err := url.Parse(p)
		if err != nil || u.Scheme != "file" || u.Path == "" {
			return "", fmt.Errorf("committed file %q is not a local file", p)
		}
		return filepath.Clean(filepath.FromSlash(u.Path)), nil
	}
	return filepath.Join(dir, filepath.FromSlash(p)), nil
}

// inside reports whether path p is dir or below it.
func inside(dir, p string) bool {
	dir, err1 := filepath.Abs(dir)
	p, err2 := filepath.Abs(p)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// isURL reports whether p is a URL as Spark writes paths: "file:…" or
// "<scheme>://…". Anything else is a relative name, colons and all.
func isURL(p string) bool {
	if strings.HasPrefix(p, "file:") {
		return true
	}
	scheme, _, ok := strings.Cut(p, "://")
	return ok && isScheme(scheme)
}

// isScheme reports whether s has the shape of a URL scheme of two
// characters or more (one letter is a Windows drive).
func isScheme(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i, c := range s {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}
