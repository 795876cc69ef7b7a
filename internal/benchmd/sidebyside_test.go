package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAppendSection(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.md")
	if err := os.WriteFile(good, []byte("\n## Side by side\n\n| a |\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.md")
	if err := os.WriteFile(bad, []byte("no heading\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, want string
		fails            bool
	}{
		{name: "none", path: "", want: "before"},
		{name: "section", path: good, want: "before\n## Side by side\n\n| a |\n"},
		{name: "no heading", path: bad, fails: true},
		{name: "missing", path: filepath.Join(dir, "missing.md"), fails: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("before")
			err := appendSection(&b, tc.path)
			if tc.fails {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Fatalf("got %q, want %q", b.String(), tc.want)
			}
		})
	}
}
