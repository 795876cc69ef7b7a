package checkpoint_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/checkpoint/storagetest"
)

func TestValidatePath(t *testing.T) {
	for _, p := range []string{"a", "offsets/0", "state/0/3/12.changelog", ".x", "..x", "a..b/c", "x.tmp-0123456789abcdef", "ü/ß"} {
		if err := checkpoint.ValidatePath(p); err != nil {
			t.Errorf("ValidatePath(%q) = %v, want nil", p, err)
		}
	}
	for _, p := range storagetest.BadPaths {
		err := checkpoint.ValidatePath(p)
		if !errors.Is(err, checkpoint.ErrInvalidPath) {
			t.Errorf("ValidatePath(%q) = %v, want ErrInvalidPath", p, err)
		}
	}
	err := checkpoint.ValidatePath("a/../b")
	if want := `invalid checkpoint path "a/../b": contains a .. element`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestValidateDir(t *testing.T) {
	for in, want := range map[string]string{"": "", "offsets": "offsets", "offsets/": "offsets", "a/b/": "a/b"} {
		got, err := checkpoint.ValidateDir(in)
		if err != nil || got != want {
			t.Errorf("ValidateDir(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, d := range storagetest.BadDirs {
		if _, err := checkpoint.ValidateDir(d); !errors.Is(err, checkpoint.ErrInvalidPath) {
			t.Errorf("ValidateDir(%q) = %v, want ErrInvalidPath", d, err)
		}
	}
}

// FuzzValidatePath checks that every path ValidatePath accepts stays inside
// the checkpoint root on disk and round-trips through Mem.
func FuzzValidatePath(f *testing.F) {
	for _, p := range append([]string{"a", "offsets/0", "a/b/c", ".x", "x/..y"}, storagetest.BadPaths...) {
		f.Add(p)
	}
	root := filepath.FromSlash("/ck/root")
	f.Fuzz(func(t *testing.T, p string) {
		if checkpoint.ValidatePath(p) != nil {
			return
		}
		abs := filepath.Join(root, filepath.FromSlash(p))
		if !strings.HasPrefix(abs, root+string(filepath.Separator)) {
			t.Fatalf("valid path %q maps to %s, outside the root", p, abs)
		}
		if filepath.ToSlash(abs[len(root)+1:]) != p {
			t.Fatalf("valid path %q is not canonical: it maps to %s", p, abs)
		}
		m := checkpoint.NewMem()
		if err := m.Create(t.Context(), p, []byte(p)); err != nil {
			t.Fatal(err)
		}
		got, err := m.Read(t.Context(), p)
		if err != nil || string(got) != p {
			t.Fatalf("Read(%q) = %q, %v", p, got, err)
		}
	})
}
