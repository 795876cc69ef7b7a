package fileformat

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Expand turns a path into the sorted list of files it names:
//   - an existing file: itself;
//   - a directory: the regular files directly inside it (not recursive);
//   - otherwise a glob (filepath.Match syntax): the files it matches, and the
//     files directly inside the directories it matches.
//
// As in Spark, names starting with "." or "_" (temporary files, _SUCCESS
// markers) are skipped inside directories and in glob results, though an
// existing file named explicitly is always returned. A path that names no file
// is an error wrapping ErrNoFiles.
func Expand(path string) ([]string, error) {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		files, err := listDir(path)
		if err != nil {
			return nil, err
		}
		return nonEmpty(path, files)
	case err == nil:
		return []string{path}, nil
	case !os.IsNotExist(err):
		return nil, fmt.Errorf("expand %q: %w", path, err)
	case !strings.ContainsAny(path, "*?["):
		return nil, fmt.Errorf("expand %q: %w", path, ErrNoFiles)
	}
	matches, err := filepath.Glob(path)
	if err != nil {
		return nil, fmt.Errorf("expand %q: %w", path, err)
	}
	var files []string
	for _, m := range matches {
		if hidden(filepath.Base(m)) {
			continue
		}
		fi, err := os.Stat(m)
		if err != nil {
			return nil, fmt.Errorf("expand %q: %w", path, err)
		}
		if !fi.IsDir() {
			if fi.Mode().IsRegular() {
				files = append(files, m)
			}
			continue
		}
		inside, err := listDir(m)
		if err != nil {
			return nil, err
		}
		files = append(files, inside...)
	}
	sort.Strings(files)
	return nonEmpty(path, dedupe(files))
}

// listDir returns the regular, not hidden files directly inside dir, sorted.
func listDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("expand %q: %w", dir, err)
	}
	var files []string
	for _, e := range entries {
		if hidden(e.Name()) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		mode := e.Type()
		if mode&os.ModeSymlink != 0 {
			fi, err := os.Stat(p)
			if err != nil {
				return nil, fmt.Errorf("expand %q: %w", dir, err)
			}
			mode = fi.Mode()
		}
		if mode.IsRegular() {
			files = append(files, p)
		}
	}
	return files, nil // os.ReadDir sorts by name
}

func hidden(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

func nonEmpty(path string, files []string) ([]string, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("expand %q: %w", path, ErrNoFiles)
	}
	return files, nil
}

func dedupe(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}
