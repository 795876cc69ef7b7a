package rocksdb

import (
	"slices"
	"strings"
	"unsafe"
)

// presence says whether a key is in the RocksDB instance as the store was
// opened (expired or not): what the row count needs to know about an
// update.
type presence int8

const (
	presenceUnknown presence = iota
	presenceAbsent
	presencePresent
)

// update is a pending change to one key: a put of value at putNanos, or a
// delete.
type update struct {
	value    []byte
	putNanos int64
	del      bool
	prior    presence // of the key before this version
}

// overlay holds a version's pending updates in memory until Commit writes
// them in one batch; reads look here first. Its keys are kept in order
// lazily for iterators: keys added since the last sort wait in added and
// are merged in on demand.
type overlay struct {
	m      map[string]update
	sorted []string // ordered; never modified in place, so iterators may keep it
	added  []string // keys in m but not in sorted
	mem    arena    // backs the keys and values
}

func newOverlay() overlay { return overlay{m: make(map[string]update)} }

func (o *overlay) get(key []byte) (update, bool) {
	u, ok := o.m[string(key)]
	return u, ok
}

// set records u for key, copying key and u.value. The prior presence of a
// key set twice is the one recorded first.
func (o *overlay) set(key []byte, u update) {
	if !u.del {
		u.value = o.mem.copy(u.value)
	}
	if old, ok := o.m[string(key)]; ok {
		u.prior = old.prior
		o.m[string(key)] = u
		return
	}
	k := o.mem.str(key)
	o.m[k] = u
	o.added = append(o.added, k)
}

func (o *overlay) len() int { return len(o.m) }

// keys returns every pending key, ordered. The slice is shared: callers do
// not modify it.
func (o *overlay) keys() []string {
	if len(o.added) == 0 {
		return o.sorted
	}
	slices.Sort(o.added)
	merged := make([]string, 0, len(o.sorted)+len(o.added))
	a, b := o.sorted, o.added
	for len(a) > 0 && len(b) > 0 {
		if a[0] < b[0] {
			merged, a = append(merged, a[0]), a[1:]
		} else {
			merged, b = append(merged, b[0]), b[1:]
		}
	}
	merged = append(append(merged, a...), b...)
	o.sorted, o.added = merged, nil
	return merged
}

// prefixKeys returns the ordered pending keys with prefix p.
func (o *overlay) prefixKeys(p []byte) []string {
	keys := o.keys()
	ps := string(p)
	lo, _ := slices.BinarySearch(keys, ps)
	hi := lo
	for hi < len(keys) && strings.HasPrefix(keys[hi], ps) {
		hi++
	}
	return keys[lo:hi:hi]
}

// arena copies byte strings into large chunks, so that the many small keys
// and values of a version cost few allocations. Nothing is freed before the
// whole arena is dropped; chunks are never written after a copy is handed
// out, so copies stay valid.
type arena struct{ chunk []byte }

// arenaChunk is the size of an arena's chunks; larger strings get their own.
const arenaChunk = 64 << 10

// copy returns a copy of b (non-nil, even when empty).
func (a *arena) copy(b []byte) []byte {
	if cap(a.chunk)-len(a.chunk) < len(b) || a.chunk == nil {
		a.chunk = make([]byte, 0, max(arenaChunk, len(b)))
	}
	start := len(a.chunk)
	a.chunk = append(a.chunk, b...)
	return a.chunk[start:len(a.chunk):len(a.chunk)]
}

// str returns a copy of b as a string.
func (a *arena) str(b []byte) string {
	c := a.copy(b)
	return unsafe.String(unsafe.SliceData(c), len(c))
}

// bytesOf views a string as bytes without copying. The bytes must not be
// modified.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
