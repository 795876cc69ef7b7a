package file

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/internal/fileformat"
	"github.com/sluicestream/sluice/internal/fsutil"
	"github.com/sluicestream/sluice/sink"
)

// isManifestPublish reports whether a FaultFS call publishes a manifest
// entry (checkpoint.Local's Create links the temp file to its name).
func isManifestPublish(op fsutil.Op, path string) bool {
	return op == fsutil.OpLink && filepath.Base(filepath.Dir(path)) == MetadataDir
}

// The process dies after the parts of batch 2 are durable and before its
// manifest entry is: from then on every file operation fails, so nothing
// is cleaned up. Readers ignore the parts; the re-run commits new ones.
func TestCrashBetweenPartsAndManifest(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	ffs := fsutil.NewFaultFS(fsutil.OS)
	s, err := newSink(context.Background(), Options{Path: dir, CompactInterval: 3}, ffs)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, s, 0, sink.Append, rowsReader(mem, seq(0, 2)))
	mustWrite(t, s, 1, sink.Append, rowsReader(mem, seq(2, 4)))
	var dead atomic.Bool
	ffs.Inject(func(op fsutil.Op, path string) error {
		if dead.Load() || isManifestPublish(op, path) {
			dead.Store(true)
			return fsutil.ErrInjected
		}
		return nil
	})
	if err := s.Write(context.Background(), 2, sink.Append, rowsReader(mem, seq(90, 99))); !errors.Is(err, fsutil.ErrInjected) {
		t.Fatalf("Write of the crashing batch: %v", err)
	}
	orphans := slices.DeleteFunc(partsOnDisk(t, dir), func(n string) bool {
		id, _ := partBatch(n)
		return id != 2
	})
	if len(orphans) != 1 {
		t.Fatalf("parts of batch 2 on disk: %v, want the orphan", orphans)
	}
	if got, want := committedValues(t, mem, dir, fileformat.Parquet), seq(0, 4); !slices.Equal(got, want) {
		t.Fatalf("committed after the crash %v, want %v", got, want)
	}

	// Restart: batch 2 runs again, with its logged (deterministic) rows.
	s = openSink(t, Options{Path: dir, CompactInterval: 3})
	mustWrite(t, s, 2, sink.Append, rowsReader(mem, seq(4, 6)))
	if got, want := committedValues(t, mem, dir, fileformat.Parquet), seq(0, 6); !slices.Equal(got, want) {
		t.Fatalf("committed after the re-run %v, want %v", got, want)
	}
	// Compaction at 8 removes the parts of batches below the previous
	// compact file (5) that it does not list.
	for id := batch.ID(3); id <= 8; id++ {
		mustWrite(t, s, id, sink.Append, rowsReader(mem, seq(int64(id)*2, int64(id)*2+2)))
	}
	if exists(dir, orphans[0]) {
		t.Fatalf("orphan %s survived the compaction of batch 8", orphans[0])
	}
}

// A failed manifest Create that did take effect (the directory fsync
// failed after the link) keeps the parts: they are committed. The engine's
// retry of the batch then meets the entry and removes its own new parts.
func TestCommitFailsAfterPublish(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	ffs := fsutil.NewFaultFS(fsutil.OS)
	s, err := newSink(context.Background(), Options{Path: dir}, ffs)
	if err != nil {
		t.Fatal(err)
	}
	var linked atomic.Bool
	ffs.Inject(func(op fsutil.Op, path string) error {
		if isManifestPublish(op, path) {
			linked.Store(true)
			return nil
		}
		if op == fsutil.OpSyncDir && linked.Load() && filepath.Base(path) == MetadataDir {
			ffs.Inject(nil)
			return fsutil.ErrInjected
		}
		return nil
	})
	if err := s.Write(context.Background(), 0, sink.Append, rowsReader(mem, seq(0, 3))); !errors.Is(err, fsutil.ErrInjected) {
		t.Fatalf("Write: %v", err)
	}
	if got, want := committedValues(t, mem, dir, fileformat.Parquet), seq(0, 3); !slices.Equal(got, want) {
		t.Fatalf("committed %v, want %v: the entry was published", got, want)
	}
	mustWrite(t, s, 0, sink.Append, rowsReader(mem, seq(0, 3))) // the engine's retry
	if got, want := committedValues(t, mem, dir, fileformat.Parquet), seq(0, 3); !slices.Equal(got, want) {
		t.Fatalf("committed after the retry %v, want %v", got, want)
	}
	if n := len(partsOnDisk(t, dir)); n != 1 {
		t.Fatalf("%d parts on disk, want 1: the retry's parts are removed", n)
	}
	mustWrite(t, s, 1, sink.Append, rowsReader(mem, seq(3, 4)))
}

// Two attempts of one batch race (another process of the same query):
// exactly one commits, the loser removes its files and succeeds.
func TestConcurrentAttempt(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	a := openSink(t, Options{Path: dir})
	b := openSink(t, Options{Path: dir}) // opened before a commits: thinks 0 is new
	mustWrite(t, a, 0, sink.Append, rowsReader(mem, seq(0, 3)))
	mustWrite(t, b, 0, sink.Append, rowsReader(mem, seq(0, 3)))
	if got, want := committedValues(t, mem, dir, fileformat.Parquet), seq(0, 3); !slices.Equal(got, want) {
		t.Fatalf("committed %v, want %v", got, want)
	}
	if n := len(partsOnDisk(t, dir)); n != 1 {
		t.Fatalf("%d parts on disk, want the winner's only", n)
	}
	if b.log.Latest() != 0 {
		t.Fatalf("the loser did not reread the manifest: latest %d", b.log.Latest())
	}
	mustWrite(t, b, 1, sink.Append, rowsReader(mem, seq(3, 4)))
}

const crashChildEnv = "SLUICE_FILE_SINK_CRASH_CHILD"

// A real process is killed (SIGKILL) between the parts of batch 3 and its
// manifest entry; the restarted sink's output equals a straight run's.
func TestKilledProcess(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	mem := checkedMem(t)
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child: %v, want killed by SIGKILL\n%s", err, out)
	}
	if got, want := committedValues(t, mem, dir, fileformat.Parquet), seq(0, 6); !slices.Equal(got, want) {
		t.Fatalf("committed after the kill %v, want batches 0-2: %v", got, want)
	}
	if got := batchesOf(partsOnDisk(t, dir)); !slices.Contains(got, 3) {
		t.Fatalf("no orphan part of batch 3 on disk: %v", got)
	}
	s := openSink(t, Options{Path: dir})
	for id := batch.ID(2); id <= 4; id++ { // the engine re-runs from its last commit
		mustWrite(t, s, id, sink.Append, rowsReader(mem, seq(int64(id)*2, int64(id)*2+2)))
	}
	if got, want := committedValues(t, mem, dir, fileformat.Parquet), seq(0, 10); !slices.Equal(got, want) {
		t.Fatalf("committed after the restart %v, want a straight run's %v", got, want)
	}
}

// crashChild writes batches 0-2, then dies as batch 3's entry is published.
func crashChild(dir string) {
	ffs := fsutil.NewFaultFS(fsutil.OS)
	ffs.Inject(func(op fsutil.Op, path string) error {
		if isManifestPublish(op, path) && strings.HasSuffix(path, string(filepath.Separator)+"3") {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way
		}
		return nil
	})
	ctx := context.Background()
	s, err := newSink(ctx, Options{Path: dir}, ffs)
	if err != nil {
		panic(err)
	}
	alloc := memory.NewGoAllocator()
	for id := batch.ID(0); id <= 3; id++ {
		if err := s.Write(ctx, id, sink.Append, rowsReader(alloc, seq(int64(id)*2, int64(id)*2+2))); err != nil {
			panic(err)
		}
	}
	panic("batch 3 committed: the child was not killed")
}
