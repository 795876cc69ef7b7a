package file

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/internal/fileformat"
	"github.com/sluicestream/sluice/internal/sinklog"
)

// MetadataDir is the directory of the manifest log inside an output
// directory. Its name starts with "_" so that readers listing the
// directory (fileformat.Expand) skip it.
const MetadataDir = sinklog.MetadataDir

// ErrNoManifest: the directory has no manifest log (it was not written by
// the file sink).
var ErrNoManifest = sinklog.ErrNoManifest

// Files returns the committed files of the file sink's output directory
// dir, in the order they were added: the newest compact file's list, then
// the adds and deletes of the entries after it. Files written by a batch
// that never committed (a crash between its part files and its manifest
// entry), replaced by a Complete-mode batch, or being written right now are
// not listed. A directory without a manifest is an error wrapping
// ErrNoManifest; a corrupt manifest a *checkpoint.CorruptionError naming
// the file.
//
// It only reads, so it may run while a sink (in this process or another)
// writes to dir.
func Files(dir string) ([]string, error) {
	return sinklog.Files(context.Background(), dir)
}

// HasManifest reports whether dir is a directory the file sink writes: it
// holds a _sluice_metadata directory.
func HasManifest(dir string) bool { return sinklog.HasManifest(dir) }

// Expand is fileformat.Expand made aware of the file sink: if path is a
// directory with a manifest, it returns the committed files (Files), so a
// reader sees exactly the batches that committed and never an orphan part
// file; any other path (a file, a plain directory, a glob) expands as
// fileformat.Expand does. Spark's readers treat a _spark_metadata
// directory the same way (MetadataLogFileIndex), and so does the batch
// API's DataFrameReader.
func Expand(path string) ([]string, error) {
	if HasManifest(path) {
		return Files(path)
	}
	return fileformat.Expand(path)
}

// OpenReader opens a reader over the rows of path, expanded by Expand:
// for a file sink's output directory, only the committed files. The caller
// closes the reader and releases every record. A CSV output has a header
// line in every file, so opts.Header should be true.
func OpenReader(ctx context.Context, mem memory.Allocator, path string, opts fileformat.ReadOptions) (fileformat.Reader, error) {
	paths, err := Expand(path)
	if err != nil {
		return nil, err
	}
	return fileformat.Open(ctx, mem, paths, opts)
}
