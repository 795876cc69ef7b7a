package file

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/source"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var idName = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

func checkedMem(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// fixture is an input directory and a checkpoint, with options for a CSV
// source over them.
type fixture struct {
	t     *testing.T
	in    string
	st    checkpoint.Storage
	opts  Options
	mem   memory.Allocator
	mtime time.Time // of the next file written
}

func newFixture(t *testing.T) *fixture {
	in := t.TempDir()
	st := checkpoint.NewMem()
	return &fixture{
		t: t, in: in, st: st, mem: checkedMem(t),
		opts:  Options{Storage: st, Dir: "sources/0", Path: in, Format: CSV, Schema: idName},
		mtime: time.UnixMilli(1719290931000),
	}
}

// write writes a file into the input directory, with a modification time
// one second after the previous file's.
func (f *fixture) write(name, content string) string {
	f.t.Helper()
	p := filepath.Join(f.in, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Chtimes(p, f.mtime, f.mtime); err != nil {
		f.t.Fatal(err)
	}
	f.mtime = f.mtime.Add(time.Second)
	return p
}

// open creates a source with f.opts (a restart, if one was created before).
func (f *fixture) open() *Source {
	f.t.Helper()
	s, err := New(context.Background(), f.opts)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { s.Close() })
	return s
}

func offset(s string) source.Offset {
	if s == "" {
		return nil
	}
	return source.Offset(s)
}

// latest returns Latest(start) as a string, "" for nil.
func (f *fixture) latest(s *Source, start string, maxFiles int) string {
	f.t.Helper()
	end, err := s.Latest(context.Background(), offset(start), source.ReadLimit{MaxFiles: maxFiles})
	if err != nil {
		f.t.Fatal(err)
	}
	return string(end)
}

// read renders the rows of (start, end], one per line.
func (f *fixture) read(s *Source, start, end string) string {
	f.t.Helper()
	out, err := f.readErr(s, start, end)
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *fixture) readErr(s *Source, start, end string) (string, error) {
	ctx := context.Background()
	r, err := s.Read(ctx, offset(start), offset(end), f.mem)
	if err != nil {
		return "", err
	}
	recs, err := batch.ReadAll(ctx, r)
	if err != nil {
		return "", err
	}
	defer batch.Release(recs)
	return render(recs), nil
}

// render prints each row as its values separated by spaces.
func render(recs []arrow.RecordBatch) string {
	var lines []string
	for _, rec := range recs {
		for i := 0; i < int(rec.NumRows()); i++ {
			var vals []string
			for _, col := range rec.Columns() {
				vals = append(vals, valueString(col, i))
			}
			lines = append(lines, strings.Join(vals, " "))
		}
	}
	return strings.Join(lines, "\n")
}

func valueString(col arrow.Array, i int) string {
	if col.IsNull(i) {
		return "NULL"
	}
	switch c := col.(type) {
	case *array.String:
		return c.Value(i)
	case *array.Int64:
		return fmt.Sprint(c.Value(i))
	case *array.Float64:
		return fmt.Sprint(c.Value(i))
	}
	return col.ValueStr(i)
}

// logFile returns the content of a log entry.
func (f *fixture) logFile(name string) string {
	f.t.Helper()
	data, err := f.st.Read(context.Background(), name)
	if err != nil {
		f.t.Fatal(err)
	}
	return string(data)
}
