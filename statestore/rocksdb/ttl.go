package rocksdb

import (
	"bytes"
	"fmt"
)

// TTL. Every stored value starts with the time of its Put, so reads hide
// expired entries whatever the index holds. Commits remove them: a store
// opened with a TTL keeps an index of data keys by put time (spaceTTL keys,
// see keys.go), and a commit reads only the expired part of it. Index
// entries are never updated in place: a Put adds a new one and the old one
// stays, stale, until its time comes, when the commit finds that the data
// key's put time differs and just drops it.
//
// Puts made without a TTL add no index entries and clear the instance's
// ttlIndexed flag; the next commit with a TTL then scans every data key
// instead, rebuilding the index.

// evict adds the removal of the entries expired at c.now that no pending
// update touches (those are decided by the update) to the batch and the
// changelog.
func (c *committer) evict() error {
	if c.meta.ttlIndexed {
		return c.evictIndexed()
	}
	return c.evictScan()
}

// evictIndexed reads the expired part of the index: index keys with put
// times up to cutoff.
func (c *committer) evictIndexed() error {
	s := c.s
	cutoff := c.now - s.ttl
	end := ttlKey(nil, cutoff+1, nil)
	var keys [][]byte
	var puts []int64
	it := s.in.db.NewIterator(s.in.p.dbo.read)
	defer it.Close()
	for it.Seek([]byte{spaceTTL}); it.Valid(); it.Next() {
		ik := it.Key().Data()
		if bytes.Compare(ik, end) >= 0 {
			break
		}
		putNanos, k, err := parseTTLKey(ik)
		if err != nil {
			return s.corrupt(ik, err)
		}
		c.b.delRaw(ik)
		if _, pending := s.pend.get(k); !pending {
			keys = append(keys, bytes.Clone(k))
			puts = append(puts, putNanos)
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("iterate TTL index: %w", err)
	}
	if len(keys) == 0 {
		return nil
	}
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	var g multiGetter
	stored, err := g.getMany(s.in, keys, idx)
	if err != nil {
		return fmt.Errorf("multi-get: %w", err)
	}
	for i, sv := range stored {
		if sv == nil {
			continue // deleted since: a stale index entry
		}
		putNanos, _, err := parseValue(sv)
		if err != nil {
			return s.corrupt(keys[i], err)
		}
		if putNanos == puts[i] {
			if err := c.evictKey(keys[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// evictScan reads every data key, removing the expired ones and indexing
// the rest afresh.
func (c *committer) evictScan() error {
	s := c.s
	c.b.delRange([]byte{spaceTTL}, []byte{spaceTTL + 1})
	it := s.in.db.NewIterator(s.in.p.dbo.read)
	defer it.Close()
	for it.Seek([]byte{spaceData}); it.Valid(); it.Next() {
		dk := it.Key().Data()
		if len(dk) == 0 || dk[0] != spaceData {
			break
		}
		k := dk[1:]
		if _, pending := s.pend.get(k); pending {
			continue
		}
		putNanos, _, err := parseValue(it.Value().Data())
		if err != nil {
			return s.corrupt(k, err)
		}
		if s.expired(putNanos, c.now) {
			if err := c.evictKey(k); err != nil {
				return err
			}
		} else {
			c.b.putRaw(ttlKey(nil, putNanos, k), nil)
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("iterate: %w", err)
	}
	c.meta.ttlIndexed = true
	return nil
}

// evictKey removes a present, expired, untouched key. (Evictions are
// direct: the key's clean cache entry goes.)
func (c *committer) evictKey(k []byte) error {
	if ca := c.s.in.cache; ca != nil {
		ca.drop(k)
	}
	c.s.metrics.NumRowsEvicted++
	c.s.metrics.NumRowsRemoved++
	return c.remove(k, presencePresent)
}
