package file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/fileformat"
)

// ErrNoManifest: the directory has no manifest log (it was not written by
// the file sink).
var ErrNoManifest = errors.New("no " + MetadataDir + " manifest")

// Files returns the committed files of the file sink's output directory
// dir, in the order they were added: the newest compact file's list, then
// the adds and deletes of the entries after it. Files written by a batch
// that never committed (a crash between its part files and its manifest
// entry), replaced by a Complete-mode batch, or being written right now are
// not listed. A directory without a manifest is an error wrapping
// ErrNoManifest; a corrupt manifest a *checkpoint.CorruptionError naming
// the file.
//
// It only reads, so it may run while a sink (in this process or another)
// writes to dir.
func Files(dir string) ([]string, error) {
	return files(context.Background(), dir)
}

func files(ctx context.Context, dir string) ([]string, error) {
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
	paths, err := resolve(dir, s.live)
	if err != nil {
		return nil, fmt.Errorf("file sink output %s: %w", dir, err)
	}
	return paths, nil
}

// HasManifest reports whether dir is a directory the file sink writes: it
// holds a _sluice_metadata directory.
func HasManifest(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, MetadataDir))
	return err == nil && fi.IsDir()
}

// Expand is fileformat.Expand made aware of the file sink: if path is a
// directory with a manifest, it returns the committed files (Files), so a
// reader sees exactly the batches that committed and never an orphan part
// file; any other path (a file, a plain directory, a glob) expands as
// fileformat.Expand does. Spark's readers treat a _spark_metadata
// directory the same way (MetadataLogFileIndex).
//
// This is where reading a file sink's output must go through, for the
// batch API's readers and the streaming file source; they do not use it
// yet (see the package doc).
func Expand(path string) ([]string, error) {
	if HasManifest(path) {
		return Files(path)
	}
	return fileformat.Expand(path)
}

// OpenReader opens a reader over the rows of path, expanded by Expand:
// for a file sink's output directory, only the committed files. The caller
// closes the reader and releases every record. A CSV output has a header
// line in every file, so opts.Header should be true.
func OpenReader(ctx context.Context, mem memory.Allocator, path string, opts fileformat.ReadOptions) (fileformat.Reader, error) {
	paths, err := Expand(path)
	if err != nil {
		return nil, err
	}
	return fileformat.Open(ctx, mem, paths, opts)
}

// resolve turns the manifest's paths into OS paths: Sluice's relative
// names are joined to dir; absolute paths and file: URLs (as Spark writes
// them) are taken as they are. Another URL scheme is an error.
func resolve(dir string, sts []status) ([]string, error) {
	out := make([]string, 0, len(sts))
	for _, st := range sts {
		p, err := resolvePath(dir, st.Path)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// resolveAll is resolve skipping the paths it cannot resolve.
func resolveAll(dir string, sts []status) []string {
	out := make([]string, 0, len(sts))
	for _, st := range sts {
		if p, err := resolvePath(dir, st.Path); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func resolvePath(dir, p string) (string, error) {
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
