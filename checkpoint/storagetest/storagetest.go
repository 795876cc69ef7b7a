package storagetest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
)

// Run runs the conformance suite; open returns a fresh, empty storage for
// each subtest (cleaning it up with t.Cleanup if it needs to).
func Run(t *testing.T, open func(t *testing.T) checkpoint.Storage) {
	for _, c := range []struct {
		name string
		fn   func(t *testing.T, st checkpoint.Storage)
	}{
		{"ReadMissing", testReadMissing},
		{"CreateThenCreate", testCreateThenCreate},
		{"CreateEmpty", testCreateEmpty},
		{"CreateMakesParents", testCreateMakesParents},
		{"WriteReplaces", testWriteReplaces},
		{"BuffersNotShared", testBuffersNotShared},
		{"PutOpenLarge", testPutOpenLarge},
		{"PutReplaces", testPutReplaces},
		{"PutReaderError", testPutReaderError},
		{"List", testList},
		{"ListMany", testListMany},
		{"ListMissing", testListMissing},
		{"Delete", testDelete},
		{"DeleteMissing", testDeleteMissing},
		{"ValidNames", testValidNames},
		{"BadPaths", testBadPaths},
		{"ConcurrentCreate", testConcurrentCreate},
		{"ConcurrentCreateNewDir", testConcurrentCreateNewDir},
		{"NoPartialReads", testNoPartialReads},
		{"NoPartialOpens", testNoPartialOpens},
		{"CanceledContext", testCanceledContext},
		{"PutCanceledMidway", testPutCanceledMidway},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open(t)) })
	}
}

func testReadMissing(t *testing.T, st checkpoint.Storage) {
	ctx := t.Context()
	for _, p := range []string{"nope", "a/b/c"} {
		_, err := st.Read(ctx, p)
		wantErr(t, err, checkpoint.ErrNotExist, p)
		_, err = st.Open(ctx, p)
		wantErr(t, err, checkpoint.ErrNotExist, p)
	}
	mustCreate(t, st, "dir/file", []byte("x"))
	_, err := st.Read(ctx, "dir")
	wantErr(t, err, checkpoint.ErrNotExist, "dir")
	_, err = st.Read(ctx, "dir/file/below")
	if err == nil {
		t.Errorf("Read(dir/file/below) succeeded below a file")
	}
}

func testCreateThenCreate(t *testing.T, st checkpoint.Storage) {
	ctx := t.Context()
	mustCreate(t, st, "offsets/0", []byte("first"))
	err := st.Create(ctx, "offsets/0", []byte("second, longer content"))
	wantErr(t, err, checkpoint.ErrExist, "offsets/0")
	mustRead(t, st, "offsets/0", []byte("first"))
	err = st.Create(ctx, "offsets/0", nil)
	wantErr(t, err, checkpoint.ErrExist, "offsets/0")
	mustRead(t, st, "offsets/0", []byte("first"))
}

func testCreateEmpty(t *testing.T, st checkpoint.Storage) {
	mustCreate(t, st, "empty", nil)
	mustRead(t, st, "empty", []byte{})
	mustList(t, st, "", "empty")
}

func testCreateMakesParents(t *testing.T, st checkpoint.Storage) {
	mustCreate(t, st, "a/b/c/d/e/f", []byte("deep"))
	mustRead(t, st, "a/b/c/d/e/f", []byte("deep"))
	mustList(t, st, "a/b/c", "d/")
	mustList(t, st, "a/b/c/d/e", "f")
}

func testWriteReplaces(t *testing.T, st checkpoint.Storage) {
	ctx := t.Context()
	must(t, st.Write(ctx, "metadata", []byte("a much longer first version")))
	mustRead(t, st, "metadata", []byte("a much longer first version"))
	must(t, st.Write(ctx, "metadata", []byte("v2")))
	mustRead(t, st, "metadata", []byte("v2"))
	must(t, st.Write(ctx, "metadata", nil))
	mustRead(t, st, "metadata", []byte{})
	wantErr(t, st.Create(ctx, "metadata", []byte("c")), checkpoint.ErrExist, "metadata")
	mustCreate(t, st, "log/1", []byte("created"))
	must(t, st.Write(ctx, "log/1", []byte("rewritten")))
	mustRead(t, st, "log/1", []byte("rewritten"))
}

// testBuffersNotShared checks that a storage copies what it is given and
// what it returns.
func testBuffersNotShared(t *testing.T, st checkpoint.Storage) {
	ctx := t.Context()
	in := []byte("hello")
	mustCreate(t, st, "c", in)
	must(t, st.Write(ctx, "w", in))
	in[0] = 'J'
	mustRead(t, st, "c", []byte("hello"))
	mustRead(t, st, "w", []byte("hello"))
	got, err := st.Read(ctx, "c")
	must(t, err)
	got[0] = 'Y'
	mustRead(t, st, "c", []byte("hello"))
}

// randomBytes returns n deterministic pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

// oddChunks yields r's bytes in chunks of varying, odd sizes, as a network
// reader would.
type oddChunks struct {
	r io.Reader
	n int
}

func (o *oddChunks) Read(p []byte) (int, error) {
	o.n++
	size := 1 + (o.n*7919)%65521
	if len(p) > size {
		p = p[:size]
	}
	return o.r.Read(p)
}

func testPutOpenLarge(t *testing.T, st checkpoint.Storage) {
	ctx := t.Context()
	const size = 20<<20 + 13 // not a multiple of any buffer size
	data := randomBytes(1, size)
	must(t, st.Put(ctx, "state/0/0/sst/000001.sst", &oddChunks{r: bytes.NewReader(data)}))
	rc, err := st.Open(ctx, "state/0/0/sst/000001.sst")
	must(t, err)
	got, err := io.ReadAll(rc)
	must(t, err)
	must(t, rc.Close())
	if !bytes.Equal(got, data) {
		t.Fatalf("Open after Put returned %d bytes, want the %d put (first difference at %d)", len(got), len(data), firstDiff(got, data))
	}
	got, err = st.Read(ctx, "state/0/0/sst/000001.sst")
	must(t, err)
	if !bytes.Equal(got, data) {
		t.Fatalf("Read after Put returned %d bytes, want the %d put", len(got), len(data))
	}
	// An empty Put and Open of a file made by Create.
	must(t, st.Put(ctx, "empty.sst", bytes.NewReader(nil)))
	mustRead(t, st, "empty.sst", []byte{})
	mustCreate(t, st, "small", []byte("small"))
	rc, err = st.Open(ctx, "small")
	must(t, err)
	got, err = io.ReadAll(rc)
	must(t, err)
	must(t, rc.Close())
	if string(got) != "small" {
		t.Fatalf("Open(small) = %q, want %q", got, "small")
	}
}

func testPutReplaces(t *testing.T, st checkpoint.Storage) {
	ctx := t.Context()
	must(t, st.Put(ctx, "f", strings.NewReader("first, the longer one")))
	must(t, st.Put(ctx, "f", strings.NewReader("second")))
	mustRead(t, st, "f", []byte("second"))
}

var errBrokenReader = errors.New("storagetest: broken reader")

// brokenReader returns n bytes, then an error.
type brokenReader struct{ n int }

func (b *brokenReader) Read(p []byte) (int, error) {
	if b.n == 0 {
		return 0, errBrokenReader
	}
	k := min(len(p), b.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	b.n -= k
	return k, nil
}

func testPutReaderError(t *testing.T, st checkpoint.Storage) {
	ctx := t.Context()
	err := st.Put(ctx, "new.sst", &brokenReader{n: 1 << 20})
	wantErr(t, err, errBrokenReader, "new.sst")
	_, err = st.Read(ctx, "new.sst")
	wantErr(t, err, checkpoint.ErrNotExist, "new.sst")
	must(t, st.Put(ctx, "old.sst", strings.NewReader("old")))
	err = st.Put(ctx, "old.sst", &brokenReader{n: 100})
	wantErr(t, err, errBrokenReader, "old.sst")
	mustRead(t, st, "old.sst", []byte("old"))
	mustList(t, st, "", "old.sst")
}

func testList(t *testing.T, st checkpoint.Storage) {
	for _, p := range []string{"9", "10", "1", "a/x", "a-b", "a0", "b/c/d", "Z", ".hidden", "sp ace", "ü"} {
		mustCreate(t, st, p, []byte(p))
	}
	// Bytewise order of the listed names: "a-b" < "a/" < "a0" ('-' < '/' < '0').
	mustList(t, st, "", ".hidden", "1", "10", "9", "Z", "a-b", "a/", "a0", "b/", "sp ace", "ü")
	mustList(t, st, "a", "x")
	mustList(t, st, "a/", "x")
	mustList(t, st, "b", "c/")
	mustList(t, st, "b/c", "d")
}

func testListMany(t *testing.T, st checkpoint.Storage) {
	const n = 300
	want := make([]string, 0, n)
	for i := range n {
		p := fmt.Sprint(i)
		mustCreate(t, st, "offsets/"+p, []byte(p))
		want = append(want, p)
	}
	mustCreate(t, st, "offsets/sub/x", nil)
	want = append(want, "sub/")
	slices.Sort(want)
	mustList(t, st, "offsets", want...)
}

func testListMissing(t *testing.T, st checkpoint.Storage) {
	mustList(t, st, "")
	mustList(t, st, "missing")
	mustList(t, st, "missing/deeper")
	mustCreate(t, st, "file", []byte("x"))
	mustList(t, st, "file") // a file is no directory
}

func testDelete(t *testing.T, st checkpoint.Storage) {
	ctx := t.Context()
	mustCreate(t, st, "commits/0", []byte("c0"))
	mustCreate(t, st, "commits/1", []byte("c1"))
	must(t, st.Delete(ctx, "commits/0"))
	_, err := st.Read(ctx, "commits/0")
	wantErr(t, err, checkpoint.ErrNotExist, "commits/0")
	mustList(t, st, "commits", "1")
	mustCreate(t, st, "commits/0", []byte("again")) // the name is free again
	mustRead(t, st, "commits/0", []byte("again"))
	must(t, st.Delete(ctx, "commits/0"))
	must(t, st.Delete(ctx, "commits/0"))
}

func testDeleteMissing(t *testing.T, st checkpoint.Storage) {
	ctx := t.Context()
	must(t, st.Delete(ctx, "never"))
	must(t, st.Delete(ctx, "no/such/dir/file"))
}

func testValidNames(t *testing.T, st checkpoint.Storage) {
	for _, p := range []string{".x", "..x", "x..", "a.tmp", ".a.tmp-123", "a b/c d", "é/ü", "state/0/_metadata/v1", "x.tmp-0123456789abcdef"} {
		mustCreate(t, st, p, []byte(p))
		mustRead(t, st, p, []byte(p))
	}
}

// BadPaths lists paths every storage must reject with ErrInvalidPath.
var BadPaths = []string{
	"", "/abs", "/", "a//b", "a/", "a/../b", "..", ".", "./a", "a/.", "a/..",
	"a\\b", "a\x00b", ".f.tmp-0123456789abcdef", "d/.f.tmp-0123456789abcdef",
}

// BadDirs lists List arguments every storage must reject with ErrInvalidPath.
var BadDirs = []string{"/", "/abs", "..", ".", "a//b", "a/../b", "a//", "a\\b"}

func testBadPaths(t *testing.T, st checkpoint.Storage) {
	ctx := t.Context()
	for _, p := range BadPaths {
		_, err := st.Read(ctx, p)
		wantInvalid(t, "Read", p, err)
		_, err = st.Open(ctx, p)
		wantInvalid(t, "Open", p, err)
		wantInvalid(t, "Create", p, st.Create(ctx, p, []byte("x")))
		wantInvalid(t, "Write", p, st.Write(ctx, p, []byte("x")))
		wantInvalid(t, "Put", p, st.Put(ctx, p, strings.NewReader("x")))
		wantInvalid(t, "Delete", p, st.Delete(ctx, p))
	}
	for _, d := range BadDirs {
		_, err := st.List(ctx, d)
		wantInvalid(t, "List", d, err)
	}
	mustList(t, st, "")
	// The error names the path.
	err := st.Create(ctx, "a/../b", nil)
	if err == nil || !strings.Contains(err.Error(), `"a/../b"`) {
		t.Errorf("Create(a/../b) error %v does not name the path", err)
	}
}

func wantInvalid(t *testing.T, op, p string, err error) {
	t.Helper()
	if !errors.Is(err, checkpoint.ErrInvalidPath) {
		t.Errorf("%s(%q) error = %v, want one wrapping ErrInvalidPath", op, p, err)
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustCreate(t *testing.T, st checkpoint.Storage, p string, data []byte) {
	t.Helper()
	if err := st.Create(t.Context(), p, data); err != nil {
		t.Fatalf("Create(%q): %v", p, err)
	}
}

func mustRead(t *testing.T, st checkpoint.Storage, p string, want []byte) {
	t.Helper()
	got, err := st.Read(t.Context(), p)
	if err != nil {
		t.Fatalf("Read(%q): %v", p, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Read(%q) = %q, want %q", p, trunc(got), trunc(want))
	}
}

func mustList(t *testing.T, st checkpoint.Storage, dir string, want ...string) {
	t.Helper()
	got, err := st.List(t.Context(), dir)
	if err != nil {
		t.Fatalf("List(%q): %v", dir, err)
	}
	if want == nil {
		want = []string{}
	}
	if got == nil {
		got = []string{}
	}
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Fatalf("List(%q) =\n  %q\nwant\n  %q", dir, got, want)
	}
}

// wantErr checks that err wraps target and names p.
func wantErr(t *testing.T, err, target error, p string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error for %q = %v, want one wrapping %q", p, err, target)
	}
	if !strings.Contains(err.Error(), p) {
		t.Errorf("error %q does not name the path %q", err, p)
	}
}

func trunc(b []byte) []byte {
	if len(b) > 64 {
		return append(b[:64:64], "..."...)
	}
	return b
}
