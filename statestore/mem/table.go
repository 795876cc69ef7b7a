package mem

import (
	"bytes"
	"maps"
	"slices"
	"sort"
)

// entry is one key's value in a table, with the time of its last Put in
// Unix nanoseconds (what TTL counts from).
type entry struct {
	key, value []byte
	putNanos   int64
}

// table is one committed version's data: entries sorted by key, no key
// twice. A table is immutable once built, so a store, the provider's
// retained copy and snapshots being uploaded share it without locking.
type table struct {
	entries []entry
	bytes   int64 // sum of key and value lengths
}

var emptyTable = &table{}

// entryOverhead is the bytes a table entry costs beyond its key and value:
// the entry struct (two slice headers and an int64).
const entryOverhead = 56

// memoryBytes is an estimate of the memory the table holds.
func (t *table) memoryBytes() int64 { return t.bytes + int64(len(t.entries))*entryOverhead }

// find returns the entry of key, or nil.
func (t *table) find(key []byte) *entry {
	i, ok := slices.BinarySearchFunc(t.entries, key, func(e entry, k []byte) int { return bytes.Compare(e.key, k) })
	if !ok {
		return nil
	}
	return &t.entries[i]
}

// prefixRange returns the entries whose key starts with prefix.
func (t *table) prefixRange(prefix []byte) []entry {
	lo := sort.Search(len(t.entries), func(i int) bool { return bytes.Compare(t.entries[i].key, prefix) >= 0 })
	hi := lo + sort.Search(len(t.entries)-lo, func(i int) bool { return !bytes.HasPrefix(t.entries[lo+i].key, prefix) })
	return t.entries[lo:hi]
}

// tableBuilder builds a table from entries added in increasing key order.
type tableBuilder struct{ t table }

func (b *tableBuilder) add(e entry) {
	b.t.entries = append(b.t.entries, e)
	b.t.bytes += int64(len(e.key) + len(e.value))
}

func (b *tableBuilder) finish() *table {
	t := b.t
	b.t = table{}
	return &t
}

// tableFromMap builds a table from the state a restore accumulated.
func tableFromMap(m map[string]entry) *table {
	var b tableBuilder
	b.t.entries = make([]entry, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b.add(m[k])
	}
	return b.finish()
}
