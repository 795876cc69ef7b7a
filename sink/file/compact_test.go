package file

import (
	"slices"
	"testing"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/internal/fileformat"
	"github.com/sluicestream/sluice/sink"
)

func TestCompaction(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	s := openSink(t, Options{Path: dir, CompactInterval: 3})
	wantMeta := map[batch.ID][]string{
		1:  {"0", "1"},
		2:  {"0", "1", "2.compact"},              // no previous compact: nothing deleted
		4:  {"0", "1", "2.compact", "3", "4"},    // entries stay until the next compaction
		5:  {"2.compact", "3", "4", "5.compact"}, // below the previous compact (2): deleted
		8:  {"5.compact", "6", "7", "8.compact"}, // 2.compact, 3, 4 deleted
		10: {"5.compact", "6", "7", "8.compact", "9", "10"},
	}
	for id := batch.ID(0); id <= 10; id++ {
		mustWrite(t, s, id, sink.Append, rowsReader(mem, seq(int64(id)*2, int64(id)*2+2)))
		if want, ok := wantMeta[id]; ok {
			if got := metaNames(t, dir); !slices.Equal(got, want) {
				t.Fatalf("after batch %d: manifest files %v, want %v", id, got, want)
			}
		}
		if got, want := committedValues(t, mem, dir, fileformat.Parquet), seq(0, int64(id)*2+2); !slices.Equal(got, want) {
			t.Fatalf("after batch %d: committed %v, want %v", id, got, want)
		}
	}
	// A reopened sink reads the compact file and the entries after it.
	s.Close()
	s = openSink(t, Options{Path: dir, CompactInterval: 3})
	if s.log.Latest() != 10 || s.log.LatestCompact() != 8 || len(s.log.Files()) != 11 {
		t.Fatalf("reopened state: latest %d, compact %d, %d files", s.log.Latest(), s.log.LatestCompact(), len(s.log.Files()))
	}
	mustWrite(t, s, 10, sink.Append, rowsReader(mem, seq(100, 101))) // replay
	mustWrite(t, s, 11, sink.Append, rowsReader(mem, seq(22, 24)))
	if got, want := committedValues(t, mem, dir, fileformat.Parquet), seq(0, 24); !slices.Equal(got, want) {
		t.Fatalf("committed %v, want %v", got, want)
	}
	if got := metaNames(t, dir); !slices.Equal(got, []string{"8.compact", "9", "10", "11.compact"}) {
		t.Fatalf("manifest files %v", got)
	}
}

// In Complete mode the committed content is the latest batch's, and old
// results are deleted from disk by compaction.
func TestCompleteMode(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	s := openSink(t, Options{Path: dir, CompactInterval: 4, Write: fileformat.WriteOptions{MaxRowsPerFile: 2}})
	for id := batch.ID(0); id < 30; id++ {
		v := int64(id) * 10
		mustWrite(t, s, id, sink.Complete, rowsReader(mem, seq(v, v+3)))
		if got, want := committedValues(t, mem, dir, fileformat.Parquet), seq(v, v+3); !slices.Equal(got, want) {
			t.Fatalf("after batch %d: committed %v, want %v", id, got, want)
		}
		if got := batchesOf(mustFiles(t, dir)); !slices.Equal(got, []batch.ID{id, id}) {
			t.Fatalf("after batch %d: files of batches %v", id, got)
		}
		// The previous compact file is at most 2×4-1 batches back; parts of
		// batches below it go. Each batch writes 2 parts.
		if n := len(partsOnDisk(t, dir)); n > 2*2*4 {
			t.Fatalf("after batch %d: %d part files on disk", id, n)
		}
	}
	// An empty result empties the directory's committed content.
	mustWrite(t, s, 30, sink.Complete, rowsReader(mem))
	if got := mustFiles(t, dir); len(got) != 0 {
		t.Fatalf("after an empty complete batch: %v", got)
	}
}

// Compaction deletes orphans (parts of failed attempts) and nothing else.
func TestCompactionRemovesOrphansOnly(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	s := openSink(t, Options{Path: dir, CompactInterval: 2})
	mustWrite(t, s, 0, sink.Append, rowsReader(mem, seq(0, 1)))
	// An orphan of batch 1: written, never committed.
	orphans, err := s.writeParts(t.Context(), 1, rowsReader(mem, seq(50, 51)))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "user-notes.txt", "not ours")
	writeFile(t, dir, "part-00000-not-a-uuid.parquet", "not ours either")
	for id := batch.ID(1); id <= 5; id++ {
		mustWrite(t, s, id, sink.Append, rowsReader(mem, seq(int64(id), int64(id)+1)))
	}
	onDisk := partsOnDisk(t, dir)
	if slices.Contains(onDisk, orphans[0].Path) {
		t.Fatalf("orphan %s survived compactions at 1, 3, 5", orphans[0].Path)
	}
	if len(onDisk) != 6 {
		t.Fatalf("parts on disk %v, want the 6 committed", onDisk)
	}
	for _, name := range []string{"user-notes.txt", "part-00000-not-a-uuid.parquet"} {
		if !exists(dir, name) {
			t.Fatalf("compaction removed %s, which the sink did not write", name)
		}
	}
	if got, want := committedValues(t, mem, dir, fileformat.Parquet), seq(0, 6); !slices.Equal(got, want) {
		t.Fatalf("committed %v, want %v", got, want)
	}
}
