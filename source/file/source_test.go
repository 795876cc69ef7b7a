package file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/source"
)

func TestFilesArriveBetweenLatest(t *testing.T) {
	f := newFixture(t)
	s := f.open()
	if got := f.latest(s, "", 0); got != "" {
		t.Fatalf("latest of an empty directory = %q, want the start (nil)", got)
	}
	b := f.write("b.csv", "2,bee\n")
	a := f.write("a.csv", "1,ay\n")
	f.write(".hidden.csv", "9,no\n")
	f.write("_SUCCESS", "")
	if got := f.latest(s, "", 0); got != `{"logOffset":2}` {
		t.Fatalf("latest = %s", got)
	}
	if got := f.latest(s, `{"logOffset":2}`, 0); got != `{"logOffset":2}` {
		t.Fatalf("latest with nothing new = %s", got)
	}
	// Name order within a listing; a later file that sorts first goes last.
	f.write("c.csv", "3,sea\n")
	zero := f.write("0.csv", "0,zero\n")
	if got := f.latest(s, `{"logOffset":2}`, 0); got != `{"logOffset":4}` {
		t.Fatalf("latest = %s", got)
	}
	for i := 0; i < 2; i++ {
		if got := f.read(s, "", `{"logOffset":2}`); got != "1 ay\n2 bee" {
			t.Fatalf("read (0, 2] = %q", got)
		}
		if got := f.read(s, `{"logOffset":2}`, `{"logOffset":4}`); got != "0 zero\n3 sea" {
			t.Fatalf("read (2, 4] = %q", got)
		}
		if got := f.read(s, `{"logOffset":4}`, `{"logOffset":4}`); got != "" {
			t.Fatalf("read (4, 4] = %q", got)
		}
	}
	want2 := fmt.Sprintf("v1\n{\"path\":%q,\"timestamp\":1719290932000,\"batchId\":2}\n{\"path\":%q,\"timestamp\":1719290931000,\"batchId\":2}", a, b)
	if got := f.logFile("sources/0/2"); got != want2 {
		t.Errorf("sources/0/2 =\n%s\nwant\n%s", got, want2)
	}
	if got := f.logFile("sources/0/4"); !strings.HasPrefix(got, fmt.Sprintf("v1\n{\"path\":%q,", zero)) {
		t.Errorf("sources/0/4 =\n%s", got)
	}
}

func TestMaxFiles(t *testing.T) {
	f := newFixture(t)
	for i, name := range []string{"a", "b", "c", "d", "e"} {
		f.write(name+".csv", fmt.Sprintf("%d,%s\n", i, name))
	}
	f.opts.MaxFilesPerTrigger = 2
	s := f.open()
	var steps []string
	for start := ""; ; {
		end := f.latest(s, start, 0)
		if end == start {
			break
		}
		steps = append(steps, strings.ReplaceAll(f.read(s, start, end), "\n", ","))
		start = end
	}
	if got := strings.Join(steps, " | "); got != "0 a,1 b | 2 c,3 d | 4 e" {
		t.Fatalf("batches: %s", got)
	}
	if ids, _ := f.st.List(context.Background(), "sources/0"); strings.Join(ids, " ") != "2 4 5" {
		t.Fatalf("log entries %v", ids)
	}
	// The engine's limit wins when lower; logged files come before listing.
	if got := f.latest(s, "", 1); got != `{"logOffset":1}` {
		t.Fatalf("latest(nil, maxFiles 1) = %s", got)
	}
	if got := f.latest(s, `{"logOffset":1}`, 5); got != `{"logOffset":3}` {
		t.Fatalf("latest(1, maxFiles 5) under maxFilesPerTrigger 2 = %s", got)
	}
}

func TestLatestFirst(t *testing.T) {
	f := newFixture(t)
	for i, name := range []string{"a", "b", "c"} {
		f.write(name+".csv", fmt.Sprintf("%d,%s\n", i, name))
	}
	f.opts.MaxFilesPerTrigger, f.opts.LatestFirst = 2, true
	s := f.open()
	if got := f.latest(s, "", 0); got != `{"logOffset":2}` {
		t.Fatal(got)
	}
	if got := f.read(s, "", `{"logOffset":2}`); got != "2 c\n1 b" {
		t.Fatalf("latest first: %q", got)
	}
	f.write("d.csv", "3,d\n")
	if got := f.latest(s, `{"logOffset":2}`, 0); got != `{"logOffset":4}` {
		t.Fatal(got)
	}
	if got := f.read(s, `{"logOffset":2}`, `{"logOffset":4}`); got != "3 d\n0 a" {
		t.Fatalf("latest first, second batch: %q", got)
	}
}

// TestReplayAfterRestart: a new source over the same checkpoint reads the
// logged ranges exactly, whatever happened to the directory since.
func TestReplayAfterRestart(t *testing.T) {
	f := newFixture(t)
	f.write("a.csv", "1,a\n")
	f.write("b.csv", "2,b\n")
	s := f.open()
	end1 := f.latest(s, "", 1)
	end2 := f.latest(s, end1, 0) // logged: a batch the engine never ran
	before := f.read(s, "", end2)

	f.write("0.csv", "0,new\n") // would sort first
	f.write("c.csv", "3,c\n")
	r := f.open()
	if got := f.read(r, "", end1); got != "1 a" {
		t.Fatalf("replay (0, 1] = %q", got)
	}
	if got := f.read(r, "", end2); got != before {
		t.Fatalf("replay (0, 2] = %q, want %q", got, before)
	}
	if got := f.latest(r, end1, 0); got != end2 {
		t.Fatalf("latest after restart = %s, want the logged %s first", got, end2)
	}
	end3 := f.latest(r, end2, 0)
	if got := f.read(r, end2, end3); got != "0 new\n3 c" {
		t.Fatalf("new files after restart: %q", got)
	}
}

func TestDeletedFile(t *testing.T) {
	f := newFixture(t)
	a := f.write("a.csv", "1,a\n")
	s := f.open()
	end := f.latest(s, "", 0)
	if err := os.Remove(a); err != nil {
		t.Fatal(err)
	}
	for _, src := range []*Source{s, f.open()} {
		_, err := f.readErr(src, "", end)
		var mf *MissingFileError
		if !errors.As(err, &mf) || !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("read of a deleted file: %v", err)
		}
		if mf.Path != a || mf.Entry != "sources/0/1" || !strings.Contains(err.Error(), a) {
			t.Fatalf("error %v does not name %s and sources/0/1", err, a)
		}
	}
}

func TestSchemaInferredOnce(t *testing.T) {
	f := newFixture(t)
	f.opts.Schema, f.opts.InferSchema, f.opts.Header = nil, true, true
	f.opts.MaxFilesPerTrigger = 1
	if _, err := New(context.Background(), f.opts); err == nil || !strings.Contains(err.Error(), `give option "schema"`) {
		t.Fatalf("inference over an empty directory: %v", err)
	}
	f.write("a.csv", "id,score\n1,2.5\n")
	f.write("b.csv", "id,score\nx,y\n") // would widen both columns to string
	s := f.open()
	const want = "id: int64, score: float64"
	if got := schemaString(s); got != want {
		t.Fatalf("schema %s, want %s", got, want)
	}
	// New took and logged the first file, which the schema came from.
	if got := f.latest(s, "", 0); got != `{"logOffset":1}` {
		t.Fatalf("latest = %s", got)
	}
	f.write("c.csv", "id,score\nq,r\n")
	for i := 0; i < 2; i++ { // a restart infers the same schema
		if got := schemaString(f.open()); got != want {
			t.Fatalf("schema after restart %s, want %s", got, want)
		}
	}
	if got := f.read(s, "", `{"logOffset":1}`); got != "1 2.5" {
		t.Fatalf("read = %q", got)
	}
	end := f.latest(s, `{"logOffset":1}`, 0)
	if _, err := f.readErr(s, `{"logOffset":1}`, end); err == nil || !strings.Contains(err.Error(), "b.csv") {
		t.Fatalf("a file not matching the fixed schema: %v", err)
	}
	// The files inferred from are gone: a clear error.
	os.Remove(filepath.Join(f.in, "a.csv"))
	if _, err := New(context.Background(), f.opts); err == nil || !strings.Contains(err.Error(), "sources/0/1") {
		t.Fatalf("inference without its files: %v", err)
	}
}

func schemaString(s *Source) string {
	var parts []string
	for _, fl := range s.Schema().Fields() {
		parts = append(parts, fl.Name+": "+fl.Type.String())
	}
	return strings.Join(parts, ", ")
}

func TestPermissiveSchema(t *testing.T) {
	f := newFixture(t)
	f.opts.Mode = "permissive"
	f.write("a.csv", "1,a\nx,b\n")
	s := f.open()
	if got := schemaString(s); got != "id: int64, name: utf8, _corrupt_record: utf8" {
		t.Fatalf("schema %s", got)
	}
	end := f.latest(s, "", 0)
	if got := f.read(s, "", end); got != "1 a NULL\nNULL b x,b" {
		t.Fatalf("read = %q", got)
	}
}

func TestBadOffsets(t *testing.T) {
	f := newFixture(t)
	f.write("a.csv", "1,a\n")
	s := f.open()
	ctx := context.Background()
	for _, o := range []string{`{"logOffset":-1}`, `{"logOffset":1.5}`, `{"x":1}`, `{"logOffset":1,"x":2}`, `1`, `{`} {
		if _, err := s.Latest(ctx, source.Offset(o), source.ReadLimit{}); err == nil {
			t.Errorf("latest(%s): no error", o)
		}
	}
	if _, err := s.Latest(ctx, source.Offset(`{"logOffset":5}`), source.ReadLimit{}); err == nil || !strings.Contains(err.Error(), "beyond") {
		t.Errorf("latest beyond the log: %v", err)
	}
	if _, err := f.readErr(s, "", `{"logOffset":1}`); err == nil || !strings.Contains(err.Error(), "beyond") {
		t.Errorf("read beyond the log: %v", err)
	}
	end := f.latest(s, "", 0)
	if _, err := f.readErr(s, end, ""); err == nil || !strings.Contains(err.Error(), "end before start") {
		t.Errorf("read backwards: %v", err)
	}
	if err := s.Commit(ctx, source.Offset(end)); err != nil {
		t.Errorf("commit: %v", err)
	}
}

func TestCorruptLog(t *testing.T) {
	ctx := context.Background()
	entry := func(id int, paths ...string) string {
		var lines []string
		for _, p := range paths {
			lines = append(lines, fmt.Sprintf(`{"path":%q,"timestamp":0,"batchId":%d}`, p, id))
		}
		return "v1\n" + strings.Join(lines, "\n")
	}
	for _, c := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"gap", map[string]string{"sources/0/1": entry(1, "/a"), "sources/0/3": entry(3, "/b")}, "sources/0/3: lists 1 files but follows offset 1"},
		{"purged", map[string]string{"sources/0/2": entry(2, "/b")}, "sources/0/2: lists 1 files but follows offset 0"},
		{"batchId", map[string]string{"sources/0/1": entry(2, "/a")}, "has batchId 2, not 1"},
		{"twice", map[string]string{"sources/0/1": entry(1, "/a"), "sources/0/2": entry(2, "/a")}, "listed again"},
		{"garbled", map[string]string{"sources/0/1": "v1\n{\"path\":1}"}, "sources/0/1"},
		{"newer", map[string]string{"sources/0/1": "v2\n" + entry(1, "/a")[3:]}, "newer"},
		{"empty", map[string]string{"sources/0/1": "v1\n"}, "no files listed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			for p, data := range c.files {
				if err := f.st.Create(ctx, p, []byte(data)); err != nil {
					t.Fatal(err)
				}
			}
			_, err := New(ctx, f.opts)
			var ce *checkpoint.CorruptionError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("New: %v, want a corruption error containing %q", err, c.want)
			}
		})
	}
}

// TestEntryAlreadyLogged: an entry found already written under the name
// Latest wants (an earlier attempt that did publish) is adopted.
func TestEntryAlreadyLogged(t *testing.T) {
	f := newFixture(t)
	s := f.open()
	a := f.write("a.csv", "1,a\n")
	f.write("b.csv", "2,b\n")
	f.write("c.csv", "3,c\n")
	other := fmt.Sprintf(`v1`+"\n"+`{"path":%q,"timestamp":0,"batchId":3}`+"\n"+`{"path":"/gone/x.csv","timestamp":0,"batchId":3}`+"\n"+`{"path":%q,"timestamp":0,"batchId":3}`,
		a, filepath.Join(f.in, "c.csv"))
	if err := f.st.Create(context.Background(), "sources/0/3", []byte(other)); err != nil {
		t.Fatal(err)
	}
	if got := f.latest(s, "", 0); got != `{"logOffset":3}` {
		t.Fatalf("latest = %s", got)
	}
	if _, err := f.readErr(s, "", `{"logOffset":3}`); err == nil || !strings.Contains(err.Error(), "/gone/x.csv") {
		t.Fatalf("the adopted entry was not used: %v", err)
	}
	end := f.latest(s, `{"logOffset":3}`, 0) // b.csv was not in the adopted entry
	if got := f.read(s, `{"logOffset":3}`, end); got != "2 b" {
		t.Fatalf("after adoption: %q", got)
	}
}

func TestGlobAndFormats(t *testing.T) {
	f := newFixture(t)
	os.MkdirAll(filepath.Join(f.in, "d1"), 0o755)
	os.MkdirAll(filepath.Join(f.in, "d2"), 0o755)
	f.write("d2/x.json", `{"id":2,"name":"two"}`+"\n")
	f.write("d1/y.json", `{"id":1,"name":"one"}`+"\n")
	f.write("d1/z.txt", "not json\n")
	f.opts.Path, f.opts.Format = filepath.Join(f.in, "d*", "*.json"), JSON
	s := f.open()
	end := f.latest(s, "", 0)
	if got := f.read(s, "", end); got != "1 one\n2 two" {
		t.Fatalf("json over a glob: %q", got)
	}

	g := newFixture(t)
	g.write("a.txt", "hello\r\nworld\n")
	g.opts.Format, g.opts.Schema = Text, nil
	s = g.open()
	if got := schemaString(s); got != "value: utf8" {
		t.Fatalf("text schema %s", got)
	}
	end = g.latest(s, "", 0)
	if got := g.read(s, "", end); got != "hello\nworld" {
		t.Fatalf("text: %q", got)
	}
}
