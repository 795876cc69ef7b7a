package sluice_test

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

	"github.com/sluicestream/sluice"
	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/internal/fileformat"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/sink/file"
)

var sinkSchema = arrow.NewSchema([]arrow.Field{
	{Name: "v", Type: arrow.PrimitiveTypes.Int64},
	{Name: "s", Type: arrow.BinaryTypes.String},
}, nil)

// checkedSession is a session on a checked allocator, which it returns so
// a test can build its input on it; at the end nothing may be left.
func checkedSession(t *testing.T) (*sluice.Session, memory.Allocator) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	s := sluice.NewSession(sluice.WithAllocator(mem), sluice.WithBatchSize(2))
	t.Cleanup(func() {
		s.Close()
		mem.AssertSize(t, 0)
	})
	return s, mem
}

// rowsOf returns a reader of one record holding vs (s is "s<v>").
func rowsOf(mem memory.Allocator, vs ...int64) batch.Reader {
	vb := array.NewInt64Builder(mem)
	defer vb.Release()
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	for _, v := range vs {
		vb.Append(v)
		sb.Append("s" + strings.Repeat("x", int(v%4)))
	}
	cols := []arrow.Array{vb.NewArray(), sb.NewArray()}
	defer cols[0].Release()
	defer cols[1].Release()
	return batch.NewSliceReader(sinkSchema, array.NewRecordBatch(sinkSchema, cols, int64(len(vs))))
}

func writeBatch(t *testing.T, s sink.Sink, id batch.ID, r batch.Reader) {
	t.Helper()
	if err := s.Write(context.Background(), id, sink.Append, r); err != nil {
		t.Fatalf("Write(%d): %v", id, err)
	}
}

// collectV runs df and returns its column v in order.
func collectV(t *testing.T, df *sluice.DataFrame) []int64 {
	t.Helper()
	recs, err := df.Collect(context.Background())
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	defer batch.Release(recs)
	out := []int64{}
	for _, rec := range recs {
		out = append(out, rec.Column(rec.Schema().FieldIndices("v")[0]).(*array.Int64).Int64Values()...)
	}
	return out
}

// Reading the file sink's output directory reads exactly what its manifest
// commits, as Spark reads a directory with _spark_metadata: not the orphan
// part file of a batch whose entry was never written, not a replay's rows.
func TestReadFileSinkOutput(t *testing.T) {
	s, mem := checkedSession(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "out")
	fs, err := file.New(ctx, file.Options{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	writeBatch(t, fs, 0, rowsOf(mem, 0, 1, 2))
	writeBatch(t, fs, 1, rowsOf(mem, 3, 4))
	writeBatch(t, fs, 2, rowsOf(mem, 5))
	writeBatch(t, fs, 2, rowsOf(mem, 500, 501)) // a replay of a committed batch: skipped

	// The orphan: batch 3's part file, durable, but the process died before
	// its manifest entry. It is made by a sink writing batch 3 elsewhere, so
	// it is named and written as a real part is.
	scratch := filepath.Join(t.TempDir(), "scratch")
	other, err := file.New(ctx, file.Options{Path: scratch})
	if err != nil {
		t.Fatal(err)
	}
	writeBatch(t, other, 3, rowsOf(mem, 900, 901))
	parts, err := file.Files(scratch)
	if err != nil || len(parts) != 1 {
		t.Fatalf("scratch parts %v, %v", parts, err)
	}
	orphan := filepath.Join(dir, filepath.Base(parts[0]))
	if err := os.Link(parts[0], orphan); err != nil {
		t.Fatal(err)
	}

	// The orphan is really there: listing the directory finds it.
	listed, err := fileformat.Expand(dir)
	if err != nil || !slices.Contains(listed, orphan) {
		t.Fatalf("the directory lists %v, %v; want the orphan %s among them", listed, err, orphan)
	}
	committed, err := file.Files(dir)
	if err != nil || len(committed) != 3 || slices.Contains(committed, orphan) {
		t.Fatalf("committed files %v, %v; want batches 0-2's three", committed, err)
	}

	if got, want := collectV(t, s.Read().Parquet(dir)), []int64{0, 1, 2, 3, 4, 5}; !slices.Equal(got, want) {
		t.Fatalf("Read().Parquet(dir) = %v, want the committed rows %v", got, want)
	}
	// A file named explicitly, or a glob, reads as before.
	if got := collectV(t, s.Read().Parquet(orphan)); !slices.Equal(got, []int64{900, 901}) {
		t.Fatalf("Read().Parquet(orphan) = %v", got)
	}
	if got := collectV(t, s.Read().Parquet(scratch+"/part-*")); !slices.Equal(got, []int64{900, 901}) {
		t.Fatalf("Read().Parquet(glob) = %v", got)
	}
}

// A file sink directory that committed no file reads as no rows when the
// schema is given, and is an error that says why when it is not.
func TestReadEmptyFileSinkOutput(t *testing.T) {
	s, mem := checkedSession(t)
	dir := filepath.Join(t.TempDir(), "out")
	fs, err := file.New(context.Background(), file.Options{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	writeBatch(t, fs, 0, rowsOf(mem)) // no rows: no part file

	if got := collectV(t, s.Read().Schema(sinkSchema).Parquet(dir)); len(got) != 0 {
		t.Fatalf("rows %v, want none", got)
	}
	_, err = s.Read().Parquet(dir).Collect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "committed no files") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("reading without a schema: %v, want an error saying no files committed", err)
	}
}

// A corrupt manifest is an error naming the file, not a silent fall back
// to listing the directory.
func TestReadCorruptFileSinkOutput(t *testing.T) {
	s, mem := checkedSession(t)
	dir := filepath.Join(t.TempDir(), "out")
	fs, err := file.New(context.Background(), file.Options{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	writeBatch(t, fs, 0, rowsOf(mem, 1))
	if err := os.WriteFile(filepath.Join(dir, file.MetadataDir, "1"), []byte("v1\n{"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = s.Read().Parquet(dir).Collect(context.Background())
	if err == nil || !strings.Contains(err.Error(), file.MetadataDir+"/1") {
		t.Fatalf("reading a corrupt manifest: %v, want an error naming %s/1", err, file.MetadataDir)
	}
}
