package mem

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/sluicestream/sluice/statestore"
)

// op is one changelog record: a put of value at putNanos, or a delete.
type op struct {
	key, value []byte
	putNanos   int64
	del        bool
}

// Commit implements statestore.Store: it merges the pending updates into a
// new table, evicting expired entries, encodes the changelog of the new
// version and hands the provider the table as its newest version.
func (s *store) Commit(ctx context.Context) (statestore.Snapshot, error) {
	start := time.Now()
	if err := s.usable(); err != nil {
		return nil, err
	}
	version := s.version + 1
	if s.iters > 0 {
		return nil, fmt.Errorf("commit store %s version %d: %d iterators still open", s.id, version, s.iters)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("commit store %s version %d: %w", s.id, version, err)
	}
	next, ops := s.merge(s.nowNanos())
	changelog, err := encodeChangelog(version, ops)
	if err != nil {
		return nil, fmt.Errorf("commit store %s version %d: %w", s.id, version, err)
	}
	s.done = true
	s.p.committed(s.id, version, next)
	snap := &snapshot{
		id:        s.id,
		version:   version,
		changelog: changelog,
		cipher:    s.p.opts.Cipher,
		p:         s.p,
	}
	if version%int64(s.p.opts.SnapshotInterval) == 0 {
		snap.data, snap.dataName = next, dataFileName(version)
	}
	s.metrics.NumRowsTotal = int64(len(next.entries))
	s.metrics.CommitDuration = time.Since(start)
	s.base, s.pending, s.sorted = next, nil, nil
	return snap, nil
}

// merge applies the pending updates to the base table at now. It returns
// the new table and the changelog records that turn base into it, in key
// order: a put for every pending put that survives, a delete for every base
// entry that a pending delete or the TTL removes. Updates are counted in
// s.metrics as they happen; merge adds the evictions.
func (s *store) merge(now int64) (*table, []op) {
	base, keys := s.base.entries, s.sortedKeys()
	b := tableBuilder{t: table{entries: make([]entry, 0, len(base)+len(keys))}}
	ops := make([]op, 0, len(keys))
	for len(base) > 0 || len(keys) > 0 {
		var c int
		switch {
		case len(keys) == 0:
			c = -1
		case len(base) == 0:
			c = 1
		default:
			c = bytes.Compare(base[0].key, []byte(keys[0]))
		}
		if c < 0 { // a base entry no update touched
			e := base[0]
			base = base[1:]
			if s.expired(e.putNanos, now) {
				s.evicted()
				ops = append(ops, op{key: e.key, del: true})
			} else {
				b.add(e)
			}
			continue
		}
		k, u := []byte(keys[0]), s.pending[keys[0]]
		keys = keys[1:]
		inBase := c == 0
		if inBase {
			base = base[1:]
		}
		switch {
		case u.del:
			if inBase {
				ops = append(ops, op{key: k, del: true})
			}
		case s.expired(u.putNanos, now):
			s.evicted()
			if inBase {
				ops = append(ops, op{key: k, del: true})
			}
		default:
			b.add(entry{key: k, value: u.value, putNanos: u.putNanos})
			ops = append(ops, op{key: k, value: u.value, putNanos: u.putNanos})
		}
	}
	return b.finish(), ops
}

// evicted counts one entry removed by the TTL.
func (s *store) evicted() {
	s.metrics.NumRowsEvicted++
	s.metrics.NumRowsRemoved++
}
