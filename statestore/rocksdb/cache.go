package rocksdb

import (
	"encoding/binary"
	"slices"
	"strings"
)

// cache is an instance's write-back cache of committed entries (see
// doc.go): key → user value and put time, or "absent". Clean entries
// repeat what RocksDB holds; dirty ones hold what a commit made and RocksDB
// lacks. The instance keeps these invariants (writeback.go):
//
//   - RocksDB holds a whole committed version, the one its metadata keys
//     name (instance.flushed); every key whose newest committed state
//     (instance.meta) differs from it has a dirty entry, so a key not
//     cached reads right from RocksDB.
//   - A dirty entry is never evicted: it is written back first (all of
//     them, in one batch with the newest version's metadata), and never
//     while a commit is half applied to the cache. Only a reset or restore,
//     which replaces the local copy, drops dirty entries.
//   - The local changelogs since the last snapshot flush are kept, which
//     covers every version after the one RocksDB last flushed: a crash loses
//     the cache with the memtable, and they rebuild the rest.
//
// The entries sit in a slice, linked by index into an LRU list, so a hit
// costs a map lookup and no allocation, and a commit overwrites a cached
// value in place when it fits. The instance's mutex guards it.
type cache struct {
	budget  int64 // bytes
	bytes   int64 // entry sizes (see entrySize)
	m       map[string]int32
	entries []cacheEntry
	free    []int32 // unused indexes of entries
	head    int32   // most recently used, or nilEntry
	tail    int32   // least recently used, or nilEntry
	dirty   []int32 // the dirty entries, in no order
}

// cacheEntry is a key's committed state: its user value and put time if
// present. Present entries have a non-nil value.
type cacheEntry struct {
	key        string
	value      []byte
	putNanos   int64
	present    bool
	dirty      bool // RocksDB does not hold this state yet
	prev, next int32
}

const nilEntry int32 = -1

// cacheEntryOverhead is what an entry costs beyond its key and value
// bytes: the entry itself (64 bytes), its share of the map's table (a
// string header and an index per slot, with the table's slack) and of the
// dirty list, and allocation rounding. An estimate, so that the budget
// bounds the memory held rather than just the data.
const cacheEntryOverhead = 128

func newCache(budget int64) *cache {
	return &cache{budget: budget, m: make(map[string]int32), head: nilEntry, tail: nilEntry}
}

func entrySize(key string, value []byte) int64 {
	return int64(len(key)+cap(value)) + cacheEntryOverhead
}

// get returns key's entry, marking it most recently used. The pointer is
// valid until the next change of the cache.
func (c *cache) get(key []byte) (*cacheEntry, bool) {
	i, ok := c.m[string(key)]
	if !ok {
		return nil, false
	}
	c.touch(i)
	return &c.entries[i], true
}

// peek returns key's entry without marking it used.
func (c *cache) peek(key []byte) (*cacheEntry, bool) {
	i, ok := c.m[string(key)]
	if !ok {
		return nil, false
	}
	return &c.entries[i], true
}

// add caches what RocksDB holds for key (stored: its stored value, nil if
// absent) unless key is cached already.
//
// REQUIRES: stored parses (parseValue).
func (c *cache) add(key, stored []byte) {
	if _, ok := c.m[string(key)]; ok {
		return
	}
	if stored == nil {
		c.set(key, false, 0, nil, false)
		return
	}
	putNanos, v, _ := parseValue(stored)
	c.set(key, true, putNanos, v, false)
}

// set records key's committed state, copying key and value; dirty says
// whether RocksDB lacks it. An entry that is dirty stays dirty.
func (c *cache) set(key []byte, present bool, putNanos int64, value []byte, dirty bool) {
	i, ok := c.m[string(key)]
	if !ok {
		i = c.alloc()
		k := string(key)
		c.entries[i] = cacheEntry{key: k, prev: nilEntry, next: nilEntry}
		c.m[k] = i
		c.bytes += entrySize(k, nil)
		c.pushFront(i)
	} else {
		c.touch(i)
	}
	e := &c.entries[i]
	if present {
		if cap(e.value) < len(value) || e.value == nil {
			c.bytes += int64(len(value) - cap(e.value))
			e.value = make([]byte, len(value))
		}
		e.value = e.value[:len(value)]
		copy(e.value, value)
	} else {
		c.bytes -= int64(cap(e.value))
		e.value = nil
	}
	e.present, e.putNanos = present, putNanos
	if dirty && !e.dirty {
		e.dirty = true
		c.dirty = append(c.dirty, i)
	}
}

// drop forgets key, which must not be dirty.
func (c *cache) drop(key []byte) {
	if i, ok := c.m[string(key)]; ok {
		c.remove(i)
	}
}

// over reports whether the cache holds more than its budget.
func (c *cache) over() bool { return c.bytes > c.budget }

// lruDirty reports whether the least recently used entry is dirty, so that
// shrinking has to write the dirty entries first.
func (c *cache) lruDirty() bool { return c.tail != nilEntry && c.entries[c.tail].dirty }

// evict drops clean least recently used entries until the cache is within
// its budget or the next one is dirty.
func (c *cache) evict() {
	for c.over() && c.tail != nilEntry && !c.entries[c.tail].dirty {
		c.remove(c.tail)
	}
}

// hasDirty reports whether any entry is dirty.
func (c *cache) hasDirty() bool { return len(c.dirty) > 0 }

// writeDirty adds the dirty entries to b in key order (RocksDB inserts an
// ordered batch faster).
func (c *cache) writeDirty(b *batch) {
	slices.SortFunc(c.dirty, func(x, y int32) int { return strings.Compare(c.entries[x].key, c.entries[y].key) })
	var header [valueHeaderLen]byte
	for _, i := range c.dirty {
		e := &c.entries[i]
		if e.present {
			binary.BigEndian.PutUint64(header[:], uint64(e.putNanos))
			b.put(spaceData, bytesOf(e.key), header[:], e.value)
		} else {
			b.del(spaceData, bytesOf(e.key))
		}
	}
}

// markClean records that RocksDB holds every dirty entry.
func (c *cache) markClean() {
	for _, i := range c.dirty {
		c.entries[i].dirty = false
	}
	c.dirty = c.dirty[:0]
}

// clear drops every entry, dirty ones included.
func (c *cache) clear() {
	*c = *newCache(c.budget)
}

func (c *cache) alloc() int32 {
	if n := len(c.free); n > 0 {
		i := c.free[n-1]
		c.free = c.free[:n-1]
		return i
	}
	c.entries = append(c.entries, cacheEntry{})
	return int32(len(c.entries) - 1)
}

// remove unlinks and frees entry i.
func (c *cache) remove(i int32) {
	e := &c.entries[i]
	if e.dirty {
		panic("rocksdb: dropping a dirty cache entry") // a broken invariant: its state would be lost
	}
	c.unlink(i)
	delete(c.m, e.key)
	c.bytes -= entrySize(e.key, e.value)
	*e = cacheEntry{}
	c.free = append(c.free, i)
}

func (c *cache) touch(i int32) {
	if c.head != i {
		c.unlink(i)
		c.pushFront(i)
	}
}

func (c *cache) pushFront(i int32) {
	e := &c.entries[i]
	e.prev, e.next = nilEntry, c.head
	if c.head != nilEntry {
		c.entries[c.head].prev = i
	}
	c.head = i
	if c.tail == nilEntry {
		c.tail = i
	}
}

func (c *cache) unlink(i int32) {
	e := &c.entries[i]
	if e.prev != nilEntry {
		c.entries[e.prev].next = e.next
	} else {
		c.head = e.next
	}
	if e.next != nilEntry {
		c.entries[e.next].prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next = nilEntry, nilEntry
}
