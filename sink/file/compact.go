package file

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/fsutil"
	"github.com/sluicestream/sluice/internal/sinklog"
)

// expire runs after a compaction, once the new compact file is durable,
// with q the previous compact file's batch (-1 if none). It deletes the
// manifest files below q (sinklog.Log.Expire), then the part files that no
// reader can reach any more: those written by batches below q that are not
// committed as of q.
//
// Why q and not the new compact file: a reader that listed the log just
// before the compaction reads q's compact file and the entries after it,
// so those stay until the next compaction. A part file of a batch below q
// that q's compact file does not list is an orphan of a failed attempt, or
// was replaced by a Complete-mode batch at or below q; either way only
// views of the directory older than q list it, and after this the log
// cannot produce those views.
func (s *Sink) expire(ctx context.Context, q batch.ID) error {
	if q < 0 {
		return nil
	}
	if err := s.log.Expire(ctx, q); err != nil {
		return err
	}
	return s.collectGarbage(ctx, q)
}

// collectGarbage removes the part files of batches below q that q's
// compact file does not list. Files not named as the sink names parts are
// never touched.
func (s *Sink) collectGarbage(ctx context.Context, q batch.ID) error {
	sts, err := s.log.ReadCompact(ctx, q)
	if errors.Is(err, checkpoint.ErrNotExist) {
		return nil // q's compact file is gone (deleted by hand?): keep everything
	}
	if err != nil {
		return err
	}
	live := map[string]bool{}
	for _, st := range sts {
		if p, err := sinklog.Resolve(s.opts.Path, st.Path); err == nil {
			live[p] = true
		}
	}
	entries, err := s.fsys.ReadDir(s.opts.Path)
	if err != nil {
		return err
	}
	removed := false
	for _, e := range entries {
		id, ok := partBatch(e.Name())
		path := filepath.Join(s.opts.Path, e.Name())
		if !ok || id >= q || live[path] {
			continue
		}
		if err := s.fsys.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		removed = true
	}
	if removed {
		return fsutil.SyncDir(s.fsys, s.opts.Path)
	}
	return nil
}
