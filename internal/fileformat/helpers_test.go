package fileformat

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
)

// checkedMem returns an allocator that fails the test if anything allocated
// from it is still live when the test ends.
func checkedMem(t testing.TB) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// writeFile writes content to name in dir and returns its path.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// readFiles opens paths with opts and reads every record.
func readFiles(t testing.TB, mem memory.Allocator, paths []string, opts ReadOptions) (*arrow.Schema, []arrow.RecordBatch, Reader) {
	t.Helper()
	r, err := Open(context.Background(), mem, paths, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	recs, err := batch.ReadAll(context.Background(), r)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	t.Cleanup(func() { batch.Release(recs) })
	return r.Schema(), recs, r
}

// readErr opens paths with opts, reads until an error, and returns it.
func readErr(t testing.TB, mem memory.Allocator, paths []string, opts ReadOptions) error {
	t.Helper()
	r, err := Open(context.Background(), mem, paths, opts)
	if err != nil {
		return err
	}
	recs, err := batch.ReadAll(context.Background(), r)
	batch.Release(recs)
	if err == nil {
		t.Fatal("read succeeded, want an error")
	}
	return err
}

// render prints records as rows of |-separated values, NULL as "∅".
func render(recs []arrow.RecordBatch) string {
	var sb strings.Builder
	for _, rec := range recs {
		for row := 0; row < int(rec.NumRows()); row++ {
			for j, col := range rec.Columns() {
				if j > 0 {
					sb.WriteByte('|')
				}
				if col.IsNull(row) {
					sb.WriteString("∅")
				} else {
					sb.WriteString(col.ValueStr(row))
				}
			}
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

// schemaString prints a schema as "name:type, …".
func schemaString(s *arrow.Schema) string {
	parts := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		parts[i] = f.Name + ":" + f.Type.String()
	}
	return strings.Join(parts, ", ")
}

func checkRows(t testing.TB, recs []arrow.RecordBatch, want string) {
	t.Helper()
	if got := render(recs); got != want {
		t.Errorf("rows:\n%s\nwant:\n%s", got, want)
	}
}

func checkSchema(t testing.TB, s *arrow.Schema, want string) {
	t.Helper()
	if got := schemaString(s); got != want {
		t.Errorf("schema: %s\nwant:   %s", got, want)
	}
}

// tableEqual reports whether two record lists hold the same rows, however
// they are split into records; NaNs are equal.
func tableEqual(schema *arrow.Schema, a, b []arrow.RecordBatch) bool {
	ta := array.NewTableFromRecords(schema, a)
	defer ta.Release()
	tb := array.NewTableFromRecords(schema, b)
	defer tb.Release()
	return array.TableApproxEqual(ta, tb, array.WithNaNsEqual(true))
}
