package file

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/fsutil"
	"github.com/sluicestream/sluice/internal/sinklog"
	"github.com/sluicestream/sluice/sink"
)

// Sink writes every batch as files in an output directory and commits them
// in the manifest log. See the package doc for the protocol.
type Sink struct {
	opts   Options
	fsys   fsutil.FS    // the output directory's file system
	log    *sinklog.Log // the manifest log, <Path>/_sluice_metadata, as of the latest batch
	closed bool
}

var _ sink.Sink = (*Sink)(nil)

// New opens the file sink writing to opts.Path: it creates the directory
// and its manifest log if needed, removes the temporary files interrupted
// writes of part files left there, and reads the manifest. A corrupt
// manifest is a *checkpoint.CorruptionError naming the file.
//
// REQUIRES: no other sink writes to the directory (one query per output
// directory, as in Spark).
func New(ctx context.Context, opts Options) (*Sink, error) {
	return newSink(ctx, opts, fsutil.OS)
}

// newSink is New on the file system fsys; tests pass a fsutil.FaultFS.
func newSink(ctx context.Context, opts Options, fsys fsutil.FS) (*Sink, error) {
	opts, err := opts.validate()
	if err != nil {
		return nil, err
	}
	s := &Sink{opts: opts, fsys: fsys}
	if err := fsutil.MkdirAllSync(fsys, opts.Path); err != nil {
		return nil, s.errorf("open: %w", err)
	}
	if err := s.removeStaleTemps(); err != nil {
		return nil, s.errorf("open: remove stale temp files: %w", err)
	}
	meta, err := checkpoint.OpenLocalFS(fsys, filepath.Join(opts.Path, MetadataDir))
	if err != nil {
		return nil, s.errorf("open: %w", err)
	}
	if s.log, err = sinklog.Open(ctx, meta, opts.CompactInterval); err != nil {
		return nil, s.errorf("open: %w", err)
	}
	return s, nil
}

// removeStaleTemps removes the temp files fileformat.Write leaves when the
// process dies while it writes a part: ".part-….tmp-…".
func (s *Sink) removeStaleTemps() error {
	entries, err := s.fsys.ReadDir(s.opts.Path)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, ".part-") && strings.Contains(n, ".tmp-") {
			if err := s.fsys.Remove(filepath.Join(s.opts.Path, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Write writes batch id's rows as new part files and commits them by
// creating the batch's manifest entry, then closes r. An id the manifest
// already holds (or any lower id) is a replay: r is closed unread and
// Write returns nil. Append adds the files to the directory's content;
// Complete makes them its whole content. Update is refused, as Spark's file
// sink refuses it: files cannot change rows already written.
//
// On error the batch is not committed, unless the error says the entry was
// created (a failed cleanup after the commit point): the engine runs it
// again and Write skips it then.
func (s *Sink) Write(ctx context.Context, id batch.ID, mode sink.OutputMode, r batch.Reader) error {
	if err := s.check(id, mode); err != nil {
		r.Close()
		return err
	}
	if id <= s.log.Latest() {
		r.Close()
		return nil // replay: committed before
	}
	added, err := s.writeParts(ctx, id, r)
	if err != nil {
		return s.errorf("batch %d: %w", id, err)
	}
	prev := s.log.LatestCompact()
	committed, err := s.commit(ctx, id, mode, added)
	if err != nil || !committed || !sinklog.IsCompaction(id, s.opts.CompactInterval) {
		return err
	}
	if err := s.expire(ctx, prev); err != nil {
		return s.errorf("batch %d is committed, but removing what compaction made obsolete failed: %w", id, err)
	}
	return nil
}

// check refuses what Write cannot do.
func (s *Sink) check(id batch.ID, mode sink.OutputMode) error {
	switch {
	case s.closed:
		return s.errorf("batch %d: write after Close", id)
	case mode == sink.Update:
		return s.errorf("batch %d: output mode update is not supported (as in Spark); use append or complete", id)
	case mode != sink.Append && mode != sink.Complete:
		return s.errorf("batch %d: invalid output mode %v", id, mode)
	case id < 0:
		return s.errorf("batch %d: negative batch id", id)
	case s.log.Latest() >= 0 && id > s.log.Latest()+1:
		return s.errorf("batch %d: the manifest ends at batch %d; writing %d would leave a gap "+
			"(is the directory the output of another query?)", id, s.log.Latest(), id)
	}
	return nil
}

// commit creates batch id's manifest entry — the commit point — through
// the log, which keeps what it says current. It reports false if the entry
// existed: another attempt committed the batch first, so the files just
// written are removed and the log is read again.
func (s *Sink) commit(ctx context.Context, id batch.ID, mode sink.OutputMode, added []sinklog.Status) (bool, error) {
	err := s.log.Commit(ctx, id, added, mode == sink.Complete)
	switch {
	case errors.Is(err, checkpoint.ErrExist):
		s.removeParts(added)
		if err := s.log.Reload(ctx); err != nil {
			return false, s.errorf("batch %d: committed by another attempt; reread the manifest: %w", id, err)
		}
		return false, nil
	case err != nil:
		// The entry may exist even so (a Create that fails may have taken
		// effect), so the parts stay: orphans if it does not.
		return false, s.errorf("batch %d: commit: %w", id, err)
	}
	return true, nil
}

// Close implements sink.Sink. The directory and its manifest stay; a later
// New continues them.
func (s *Sink) Close() error {
	s.closed = true
	return nil
}

func (s *Sink) errorf(format string, args ...any) error {
	return fmt.Errorf("file sink %s: "+format, append([]any{s.opts.Path}, args...)...)
}
