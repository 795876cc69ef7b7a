package file

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/internal/fileformat"
	"github.com/sluicestream/sluice/sink"
)

func TestAppendReplayNoDuplicates(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	s := openSink(t, Options{Path: dir})
	mustWrite(t, s, 0, sink.Append, rowsReader(mem, seq(0, 3)))
	mustWrite(t, s, 1, sink.Append, rowsReader(mem, seq(3, 5), nil, seq(5, 6)))
	mustWrite(t, s, 1, sink.Append, rowsReader(mem, seq(100, 105))) // replay: skipped
	mustWrite(t, s, 2, sink.Append, rowsReader(mem))                // no rows: no file
	mustWrite(t, s, 0, sink.Append, rowsReader(mem, seq(100, 105))) // older replay: skipped

	if got, want := committedValues(t, mem, dir, fileformat.Parquet), seq(0, 6); !slices.Equal(got, want) {
		t.Fatalf("committed %v, want %v", got, want)
	}
	files := mustFiles(t, dir)
	if got := batchesOf(files); !slices.Equal(got, []batch.ID{0, 1}) {
		t.Fatalf("files of batches %v (%v)", got, files)
	}
	if got := partsOnDisk(t, dir); len(got) != 2 {
		t.Fatalf("replays left files on disk: %v", got)
	}
	if got := metaNames(t, dir); !slices.Equal(got, []string{"0", "1", "2"}) {
		t.Fatalf("manifest files %v", got)
	}
	data, err := os.ReadFile(filepath.Join(dir, MetadataDir, "2"))
	if err != nil || string(data) != "v1" {
		t.Fatalf("entry of an empty batch: %q, %v; want Spark's \"v1\"", data, err)
	}

	// Reopened, as after a restart: the replay is skipped, the next batch
	// follows.
	s.Close()
	s = openSink(t, Options{Path: dir})
	mustWrite(t, s, 2, sink.Append, rowsReader(mem, seq(100, 105)))
	mustWrite(t, s, 3, sink.Append, rowsReader(mem, seq(6, 8)))
	if got, want := committedValues(t, mem, dir, fileformat.Parquet), seq(0, 8); !slices.Equal(got, want) {
		t.Fatalf("after reopening: committed %v, want %v", got, want)
	}
}

func TestEntryFormat(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	s := openSink(t, Options{Path: dir, Format: fileformat.JSON})
	mustWrite(t, s, 0, sink.Append, rowsReader(mem, seq(0, 2)))
	data, err := os.ReadFile(filepath.Join(dir, MetadataDir, "0"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) != 2 || lines[0] != "v1" {
		t.Fatalf("entry %q", data)
	}
	name := partsOnDisk(t, dir)[0]
	fi, _ := os.Stat(filepath.Join(dir, name))
	want := `{"path":"` + name + `","size":` + itoa(fi.Size()) + `,"isDir":false,"modificationTime":` +
		itoa(fi.ModTime().UnixMilli()) + `,"blockReplication":1,"blockSize":33554432,"action":"add"}`
	if lines[1] != want {
		t.Fatalf("line\n%s\nwant\n%s", lines[1], want)
	}
	if !partPattern.MatchString(name) || !strings.HasPrefix(name, "part-00000-") || !strings.HasSuffix(name, "-c000.json") {
		t.Fatalf("part name %q", name)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestFormatsRoundTrip(t *testing.T) {
	for _, format := range []string{fileformat.Parquet, fileformat.CSV, fileformat.JSON} {
		t.Run(format, func(t *testing.T) {
			mem := checkedMem(t)
			dir := t.TempDir()
			s := openSink(t, Options{Path: dir, Format: format, Write: fileformat.WriteOptions{MaxRowsPerFile: 3}})
			mustWrite(t, s, 0, sink.Append, rowsReader(mem, seq(0, 2), seq(2, 7), nil, seq(7, 10)))
			mustWrite(t, s, 1, sink.Append, rowsReader(mem, seq(10, 11)))
			if got, want := committedValues(t, mem, dir, format), seq(0, 11); !slices.Equal(got, want) {
				t.Fatalf("committed %v, want %v", got, want)
			}
			files := mustFiles(t, dir)
			if got := batchesOf(files); !slices.Equal(got, []batch.ID{0, 0, 0, 0, 1}) {
				t.Fatalf("files %v: want 4 parts of at most 3 rows for batch 0, 1 for batch 1", files)
			}
			for i, f := range files[:4] {
				if !strings.HasSuffix(f, "-c00"+string(rune('0'+i))+"."+extensions[format]) {
					t.Fatalf("part %d is %q", i, f)
				}
			}
		})
	}
}
