package mem

import (
	"bytes"
	"sort"
	"strings"

	"github.com/sluicestream/sluice/statestore"
)

// pendingKV is a pending update an iterator holds.
type pendingKV struct {
	key string
	u   update
}

// iter merges a range of the base table with the pending updates in that
// range, as they were when the iterator was made.
type iter struct {
	s       *store
	now     int64
	base    []entry
	pending []pendingKV
	key     []byte
	value   []byte
	err     error
	closed  bool
}

var _ statestore.Iterator = (*iter)(nil)

func (s *store) NewIter(prefix []byte) statestore.Iterator {
	it := &iter{s: s}
	if it.err = s.usable(); it.err != nil {
		it.closed = true
		return it
	}
	s.iters++
	it.now = s.nowNanos()
	it.base = s.base.prefixRange(prefix)
	keys := s.sortedKeys()
	p := string(prefix)
	lo := sort.SearchStrings(keys, p)
	hi := lo + sort.Search(len(keys)-lo, func(i int) bool { return !strings.HasPrefix(keys[lo+i], p) })
	it.pending = make([]pendingKV, hi-lo)
	for i, k := range keys[lo:hi] {
		it.pending[i] = pendingKV{k, s.pending[k]}
	}
	return it
}

// Next advances to the next visible key: a pending put shadows the base
// entry of its key, a pending delete hides it, and expired entries are
// skipped.
func (it *iter) Next() bool {
	if it.closed {
		return false
	}
	for len(it.base) > 0 || len(it.pending) > 0 {
		c := it.compare()
		if c >= 0 {
			p := it.pending[0]
			it.pending = it.pending[1:]
			if c == 0 {
				it.base = it.base[1:]
			}
			if !p.u.del && !it.s.expired(p.u.putNanos, it.now) {
				return it.set([]byte(p.key), p.u.value)
			}
			continue
		}
		e := it.base[0]
		it.base = it.base[1:]
		if !it.s.expired(e.putNanos, it.now) {
			return it.set(e.key, e.value)
		}
	}
	it.key, it.value = nil, nil
	return false
}

// compare orders the next base entry against the next pending update: < 0
// when the base entry comes first (or no update is left), > 0 when the
// update does (or no base entry is left), 0 on the same key.
func (it *iter) compare() int {
	switch {
	case len(it.pending) == 0:
		return -1
	case len(it.base) == 0:
		return 1
	}
	return -bytes.Compare([]byte(it.pending[0].key), it.base[0].key)
}

func (it *iter) set(k, v []byte) bool {
	it.key = append(it.key[:0], k...)
	it.value = append(it.value[:0], v...)
	if it.value == nil {
		it.value = []byte{}
	}
	return true
}

func (it *iter) Key() []byte   { return it.key }
func (it *iter) Value() []byte { return it.value }
func (it *iter) Err() error    { return it.err }

func (it *iter) Close() error {
	if !it.closed {
		it.closed = true
		it.s.iters--
	}
	return nil
}
