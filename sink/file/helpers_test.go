package file

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/internal/fileformat"
	"github.com/sluicestream/sluice/internal/sinklog"
	"github.com/sluicestream/sluice/sink"
)

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

func checkedMem(t testing.TB) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// rowsReader returns a reader of one record per group of values; s is the
// value as a string.
func rowsReader(mem memory.Allocator, groups ...[]int64) batch.Reader {
	var recs []arrow.RecordBatch
	for _, g := range groups {
		vb := array.NewInt64Builder(mem)
		sb := array.NewStringBuilder(mem)
		for _, v := range g {
			vb.Append(v)
			sb.Append("s" + strings.Repeat("x", int(v%3)))
		}
		cols := []arrow.Array{vb.NewArray(), sb.NewArray()}
		vb.Release()
		sb.Release()
		recs = append(recs, array.NewRecordBatch(testSchema, cols, int64(len(g))))
		cols[0].Release()
		cols[1].Release()
	}
	return batch.NewSliceReader(testSchema, recs...)
}

func seq(from, to int64) []int64 {
	var out []int64
	for v := from; v < to; v++ {
		out = append(out, v)
	}
	return out
}

func openSink(t testing.TB, opts Options) *Sink {
	t.Helper()
	s, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustWrite(t testing.TB, s *Sink, id batch.ID, mode sink.OutputMode, r batch.Reader) {
	t.Helper()
	if err := s.Write(context.Background(), id, mode, r); err != nil {
		t.Fatalf("Write(%d): %v", id, err)
	}
}

// committedValues reads the committed output of dir and returns column v
// in file order.
func committedValues(t testing.TB, mem memory.Allocator, dir, format string) []int64 {
	t.Helper()
	opts := fileformat.ReadOptions{Format: format, Header: true}
	if format != fileformat.Parquet {
		opts.Schema = testSchema
	}
	r, err := OpenReader(context.Background(), mem, dir, opts)
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	recs, err := batch.ReadAll(context.Background(), r)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	defer batch.Release(recs)
	var out []int64
	for _, rec := range recs {
		out = append(out, rec.Column(0).(*array.Int64).Int64Values()...)
	}
	return out
}

// mustFiles returns the base names of the committed files of dir.
func mustFiles(t testing.TB, dir string) []string {
	t.Helper()
	paths, err := Files(dir)
	if err != nil {
		t.Fatalf("Files: %v", err)
	}
	return baseNames(paths)
}

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

// partsOnDisk returns the part files in dir, sorted.
func partsOnDisk(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if _, ok := partBatch(e.Name()); ok {
			out = append(out, e.Name())
		}
	}
	return out
}

// metaNames returns the entries of dir's manifest log, sorted as listed.
func metaNames(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, MetadataDir))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	slices.SortFunc(out, func(a, b string) int {
		ia, _, _ := sinklog.ParseName(a)
		ib, _, _ := sinklog.ParseName(b)
		return int(ia - ib)
	})
	return out
}

// batchesOf returns the batch ids of part file names, in order.
func batchesOf(names []string) []batch.ID {
	var out []batch.ID
	for _, n := range names {
		id, _ := partBatch(n)
		out = append(out, id)
	}
	return out
}

func writeFile(t testing.TB, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func exists(dir, name string) bool {
	_, err := os.Stat(filepath.Join(dir, name))
	return err == nil
}
