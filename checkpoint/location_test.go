package checkpoint_test

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
)

func TestOpenLocalLocations(t *testing.T) {
	dir := t.TempDir()
	for _, loc := range []string{
		filepath.Join(dir, "plain"),
		"file://" + filepath.ToSlash(filepath.Join(dir, "url")),
		"FILE://localhost" + filepath.ToSlash(filepath.Join(dir, "host")),
		"file://" + filepath.ToSlash(filepath.Join(dir, "sp%20ace")),
	} {
		st, err := checkpoint.Open(t.Context(), loc)
		if err != nil {
			t.Fatalf("Open(%s): %v", loc, err)
		}
		if _, ok := st.(*checkpoint.Local); !ok {
			t.Fatalf("Open(%s) = %T, want *Local", loc, st)
		}
		if err := st.Create(t.Context(), "metadata", []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	st, err := checkpoint.OpenLocal(filepath.Join(dir, "sp ace"), checkpoint.ReadOnly())
	if err != nil {
		t.Fatalf("the %%20 in a file URL was not decoded: %v", err)
	}
	mustRead(t, st, "metadata", "x")
}

func TestOpenRelativePath(t *testing.T) {
	t.Chdir(t.TempDir())
	st, err := checkpoint.Open(t.Context(), "rel/ck")
	if err != nil {
		t.Fatal(err)
	}
	if l := st.(*checkpoint.Local); !filepath.IsAbs(l.Dir()) {
		t.Errorf("Dir() = %s, want it made absolute", l.Dir())
	}
}

func TestOpenBadLocations(t *testing.T) {
	for loc, want := range map[string]string{
		"":                       "empty location",
		"nosuch://bucket/prefix": `no storage registered for scheme "nosuch"; import the package`,
		"file://otherhost/x":     `names host "otherhost"`,
		"file:///x?versionId=3":  "query",
		"file://":                "no path",
	} {
		_, err := checkpoint.Open(t.Context(), loc)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q) = %v, want an error containing %q", loc, err, want)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := checkpoint.Open(ctx, t.TempDir()); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a canceled context: %v", err)
	}
}

func TestRegisterScheme(t *testing.T) {
	var got *url.URL
	mem := checkpoint.NewMem()
	checkpoint.RegisterScheme("memtest", func(ctx context.Context, u *url.URL) (checkpoint.Storage, error) {
		got = u
		if u.Host == "fail" {
			return nil, errors.New("no such bucket")
		}
		return mem, nil
	})
	st, err := checkpoint.Open(t.Context(), "MemTest://bucket/some/prefix")
	if err != nil {
		t.Fatal(err)
	}
	if st != checkpoint.Storage(mem) || got.Host != "bucket" || got.Path != "/some/prefix" {
		t.Errorf("opener got %v and returned %v", got, st)
	}
	_, err = checkpoint.Open(t.Context(), "memtest://fail/x")
	if err == nil || !strings.Contains(err.Error(), "memtest://fail/x") || !strings.Contains(err.Error(), "no such bucket") {
		t.Errorf("opener error not passed on with the location: %v", err)
	}
	found := false
	for _, s := range checkpoint.Schemes() {
		found = found || s == "memtest"
	}
	if !found {
		t.Errorf("Schemes() = %q lacks memtest", checkpoint.Schemes())
	}
	for _, bad := range []string{"memtest", "file", "", "1x", "a b"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RegisterScheme(%q) did not panic", bad)
				}
			}()
			checkpoint.RegisterScheme(bad, func(context.Context, *url.URL) (checkpoint.Storage, error) { return nil, nil })
		}()
	}
}

func TestOpenRedactsCredentials(t *testing.T) {
	_, err := checkpoint.Open(context.Background(), "nosuch://user:hunter2@bucket/prefix")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %v must exist and not show the password", err)
	}
	_, err = checkpoint.Open(context.Background(), "nosuch://user:hunter2@bu cket/%zz")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %v must exist and not show the password", err)
	}
}
