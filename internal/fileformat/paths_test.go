package fileformat

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.csv", "a.csv", "c.json", ".hidden.csv", "_SUCCESS", "sub/d.csv", "sub/e.csv", "other/f.csv"} {
		writeFile(t, dir, name, "x\n")
	}
	if err := os.Symlink(filepath.Join(dir, "a.csv"), filepath.Join(dir, "link.csv")); err != nil {
		t.Fatal(err)
	}
	join := func(names ...string) []string {
		for i, n := range names {
			names[i] = filepath.Join(dir, n)
		}
		return names
	}
	tests := []struct {
		path string
		want []string
	}{
		{"a.csv", join("a.csv")},
		{"_SUCCESS", join("_SUCCESS")}, // named explicitly
		{"", join("a.csv", "b.csv", "c.json", "link.csv")},
		{"*.csv", join("a.csv", "b.csv", "link.csv")},
		{"?.csv", join("a.csv", "b.csv")},
		{"s*", join("sub/d.csv", "sub/e.csv")}, // a matched directory lists its files
		{"*/*.csv", join("other/f.csv", "sub/d.csv", "sub/e.csv")},
		{"[ab].csv", join("a.csv", "b.csv")},
	}
	for _, tt := range tests {
		got, err := Expand(filepath.Join(dir, tt.path))
		if err != nil {
			t.Errorf("Expand(%q): %v", tt.path, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Expand(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestExpandNothing(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "empty/_SUCCESS", "")
	for _, p := range []string{"missing.csv", "*.parquet", "empty"} {
		path := filepath.Join(dir, p)
		_, err := Expand(path)
		if !errors.Is(err, ErrNoFiles) {
			t.Errorf("Expand(%q) = %v, want ErrNoFiles", p, err)
			continue
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("Expand(%q) error %q does not name the path", p, err)
		}
	}
	if _, err := Expand(filepath.Join(dir, "[")); err == nil || errors.Is(err, ErrNoFiles) {
		t.Errorf("Expand of a bad pattern = %v, want a pattern error", err)
	}
}
