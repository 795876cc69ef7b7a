package rocksdb

import (
	"fmt"
	"io"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// changelogOps are a changelog's updates: each key's last, keys in the
// order they first appear.
type changelogOps struct {
	keys   [][]byte
	values [][]byte // stored values; nil: a delete
	index  map[string]int
	mem    arena
}

// readChangelogOps reads the changelog of version from r; path names it in
// errors. A put whose value lacks the put-time header is corruption.
func readChangelogOps(path string, r io.Reader, version int64) (*changelogOps, error) {
	ops := &changelogOps{index: make(map[string]int)}
	err := statestore.ReadChangelog(path, r, version, func(key, value []byte, deleted bool) error {
		if deleted {
			value = nil
		} else {
			if _, _, err := parseValue(value); err != nil {
				return &checkpoint.CorruptionError{Path: path, Offset: -1, Reason: fmt.Sprintf("put of key %q", key), Err: err}
			}
			value = ops.mem.copy(value)
		}
		if i, ok := ops.index[string(key)]; ok {
			ops.values[i] = value
			return nil
		}
		k := ops.mem.str(key)
		ops.index[k] = len(ops.keys)
		ops.keys = append(ops.keys, bytesOf(k))
		ops.values = append(ops.values, value)
		return nil
	})
	return ops, err
}

// applyChangelog applies the changelog of version, read from r (path names
// it in errors), to the local copy in one write batch that also records
// version. With a TTL the puts get index entries; without, the index is no
// longer complete.
//
// REQUIRES: in.mu held; the local copy holds version-1 and the cache is
// empty (settle, dropCache).
func (in *instance) applyChangelog(path string, r io.Reader, version, ttl int64) error {
	ops, err := readChangelogOps(path, r, version)
	if err != nil {
		return err
	}
	idx := make([]int, len(ops.keys))
	for i := range idx {
		idx[i] = i
	}
	var g multiGetter
	present, err := g.getMany(in, ops.keys, idx)
	if err != nil {
		return fmt.Errorf("replay %s: multi-get: %w", path, err)
	}
	meta := in.meta
	var b batch
	var scratch []byte
	for i, k := range ops.keys {
		v := ops.values[i]
		switch {
		case v == nil && present[i] != nil:
			b.del(spaceData, k)
			meta.rows--
		case v != nil:
			b.put(spaceData, k, nil, v)
			if present[i] == nil {
				meta.rows++
			}
			if ttl > 0 {
				putNanos, _, _ := parseValue(v)
				scratch = ttlKey(scratch[:0], putNanos, k)
				b.putRaw(scratch, nil)
			} else {
				meta.ttlIndexed = false
			}
		}
	}
	meta.version = version
	putMeta(&b, meta)
	if err := b.write(in.db, in.p.dbo.write); err != nil {
		return fmt.Errorf("replay %s: write batch: %w", path, err)
	}
	in.meta, in.flushed = meta, meta
	return nil
}
