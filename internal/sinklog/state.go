package sinklog

import (
	"slices"

	"github.com/sluicestream/sluice/batch"
)

// state is what a manifest log says: the files committed, in the order
// they were added, as of the latest batch.
type state struct {
	latest  batch.ID       // the newest batch logged; -1 if none
	compact batch.ID       // the newest compact file's batch; -1 if none
	live    []Status       // Action == ActionAdd
	pos     map[string]int // index in live by path
}

func emptyState() state { return state{latest: -1, compact: -1, pos: map[string]int{}} }

// apply folds one entry's lines into s: its adds append files (an add of a
// path already present replaces its status in place), then its deletes
// remove files, those added by the same entry included (as Spark's
// compaction drops every status of a deleted path); a delete of a path not
// present is ignored.
func (s *state) apply(sts []Status) {
	var deleted map[string]bool
	for _, st := range sts {
		switch {
		case st.Action == ActionDelete:
			if deleted == nil {
				deleted = map[string]bool{}
			}
			deleted[st.Path] = true
		case s.has(st.Path):
			s.live[s.pos[st.Path]] = st
		default:
			s.pos[st.Path] = len(s.live)
			s.live = append(s.live, st)
		}
	}
	if len(deleted) == 0 {
		return
	}
	kept := s.live[:0]
	for _, st := range s.live {
		if deleted[st.Path] {
			delete(s.pos, st.Path)
			continue
		}
		s.pos[st.Path] = len(kept)
		kept = append(kept, st)
	}
	clear(s.live[len(kept):])
	s.live = kept
}

func (s *state) has(path string) bool {
	_, ok := s.pos[path]
	return ok
}

func (s *state) clone() state {
	c := *s
	c.live = slices.Clone(s.live)
	c.pos = make(map[string]int, len(s.pos))
	for k, v := range s.pos {
		c.pos[k] = v
	}
	return c
}

// IsCompaction reports whether batch id writes a compact file: Spark's
// CompactibleFileStreamLog.isCompactionBatch.
//
// REQUIRES: interval >= 1.
func IsCompaction(id batch.ID, interval int) bool {
	return (int64(id)+1)%int64(interval) == 0
}

// commit is what committing one batch writes.
type commit struct {
	id    batch.ID
	name  string   // the manifest file: "<id>" or "<id>.compact"
	lines []Status // its lines
	after *state   // for a compact file, the state once it is durable
}

// next decides how batch id commits the files added, on top of s: a plain
// entry with an add per file (and a delete per file committed before, if
// replace), or, for a compaction batch, a compact file listing every file
// committed as of id. It does not change s; done does, once the file is
// durable. Only a compaction copies the state: a plain entry costs what
// it lists, however many files are committed.
func (s *state) next(id batch.ID, added []Status, replace bool, interval int) commit {
	lines := make([]Status, 0, len(added))
	for _, st := range added {
		st.Action = ActionAdd
		lines = append(lines, st)
	}
	if replace {
		for _, st := range s.live {
			st.Action = ActionDelete
			lines = append(lines, st)
		}
	}
	if !IsCompaction(id, interval) {
		return commit{id: id, name: entryName(id, false), lines: lines}
	}
	after := s.clone()
	after.apply(lines)
	after.latest, after.compact = id, id
	return commit{id: id, name: entryName(id, true), lines: after.live, after: &after}
}

// done brings s up to date with c, whose file is durable.
func (s *state) done(c commit) {
	if c.after != nil {
		*s = *c.after
		return
	}
	s.apply(c.lines)
	s.latest = c.id
}
