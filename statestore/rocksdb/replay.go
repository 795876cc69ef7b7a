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
	info   statestore.ChangelogInfo
	// present holds version-1's values of keys (nil: absent), read only
	// when the changelog lacks the row count (format 1), to count the rows
	// the updates add and remove.
	present [][]byte
}

// readChangelogOps reads the changelog of version from r; path names it in
// errors. A put whose value lacks the put-time header is corruption.
func readChangelogOps(path string, r io.Reader, version int64) (*changelogOps, error) {
	ops := &changelogOps{index: make(map[string]int)}
	info, err := statestore.ReadChangelog(path, r, version, func(key, value []byte, deleted bool) error {
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
	ops.info = info
	return ops, err
}

// applyChangelog applies the changelog of version, read from r (path names
// it in errors), to the local copy in one write batch that also records
// version. With a TTL the puts get index entries; without, the index is no
// longer complete.
//
// The row count after version is the changelog's when it has one: replay
// then reads nothing, which on a freshly restored store (a cold block
// cache) would be a random SST read per key. Only a changelog without one
// (format 1) makes it read every key to learn which updates add or remove
// a row.
//
// REQUIRES: in.mu held; the local copy holds version-1 and the cache is
// empty (settle, dropCache).
func (in *instance) applyChangelog(path string, r io.Reader, version, ttl int64) error {
	ops, err := readChangelogOps(path, r, version)
	if err != nil {
		return err
	}
	if !ops.info.HasRows {
		if err := ops.readPresent(in); err != nil {
			return fmt.Errorf("replay %s: multi-get: %w", path, err)
		}
	}
	meta := in.meta
	var b batch
	ops.addTo(&b, &meta, ttl)
	meta.version = version
	putMeta(&b, meta)
	if err := b.write(in.db, in.p.dbo.write); err != nil {
		return fmt.Errorf("replay %s: write batch: %w", path, err)
	}
	in.meta, in.flushed = meta, meta
	return nil
}

// readPresent reads which of the keys the local copy holds.
func (ops *changelogOps) readPresent(in *instance) error {
	idx := make([]int, len(ops.keys))
	for i := range idx {
		idx[i] = i
	}
	var g multiGetter
	var err error
	ops.present, err = g.getMany(in, ops.keys, idx)
	return err
}

// addTo adds the updates, and with a TTL the puts' index entries, to b and
// brings meta's row count and TTL flag up to date. Knowing the row count,
// it deletes every deleted key: the committer logs deletes of present keys
// only, and a RocksDB delete of an absent key would just add a tombstone.
func (ops *changelogOps) addTo(b *batch, meta *dbMeta, ttl int64) {
	counting := !ops.info.HasRows
	var scratch []byte
	for i, k := range ops.keys {
		v := ops.values[i]
		switch {
		case v == nil && counting && ops.present[i] == nil:
			// absent already
		case v == nil:
			b.del(spaceData, k)
			if counting {
				meta.rows--
			}
		default:
			scratch = addPut(b, meta, ttl, k, v, scratch)
			if counting && ops.present[i] == nil {
				meta.rows++
			}
		}
	}
	if !counting {
		meta.rows = ops.info.Rows
	}
}

// addPut adds the put of key's stored value v to b, and with a TTL its
// index entry; without, it clears meta's TTL flag. It returns scratch,
// which it uses to build the index key.
func addPut(b *batch, meta *dbMeta, ttl int64, key, v, scratch []byte) []byte {
	b.put(spaceData, key, nil, v)
	if ttl <= 0 {
		meta.ttlIndexed = false
		return scratch
	}
	putNanos, _, _ := parseValue(v)
	scratch = ttlKey(scratch[:0], putNanos, key)
	b.putRaw(scratch, nil)
	return scratch
}
