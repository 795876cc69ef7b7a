package rocksdb

import (
	"bytes"
	"fmt"

	"github.com/linxGnu/grocksdb"

	"github.com/sluicestream/sluice/statestore"
)

// iter merges a RocksDB iterator over the data keys with prefix and the
// pending updates with prefix as they were when the iterator was made: a
// pending put shadows the stored entry of its key, a pending delete hides
// it, expired entries are skipped. The RocksDB iterator reads the instance
// as of NewIter (an implicit RocksDB snapshot).
type iter struct {
	s      *store
	now    int64
	lower  []byte // spaceData + prefix: RocksDB keys in range start with it
	it     *grocksdb.Iterator
	pend   []string
	pendU  []update
	key    []byte
	value  []byte
	err    error
	closed bool
}

var _ statestore.Iterator = (*iter)(nil)

func (s *store) NewIter(prefix []byte) statestore.Iterator {
	it := &iter{s: s}
	if it.err = s.lock(); it.err != nil {
		it.closed = true
		return it
	}
	defer s.unlock()
	// The RocksDB iterator is not merged with the cache: RocksDB must hold
	// the version the store was opened at.
	if it.err = s.in.flush(); it.err != nil {
		it.closed = true
		return it
	}
	it.now = s.nowNanos()
	it.pend = s.pend.prefixKeys(prefix)
	it.pendU = make([]update, len(it.pend))
	for i, k := range it.pend {
		it.pendU[i] = s.pend.m[k]
	}
	it.lower = dataKey(nil, prefix)
	it.it = s.in.db.NewIterator(s.in.p.dbo.read)
	it.it.Seek(it.lower)
	s.iters[it] = struct{}{}
	return it
}

// Next advances to the next visible key.
func (it *iter) Next() bool {
	if it.closed {
		return false
	}
	if err := it.s.in.usableForIter(); err != nil {
		it.err = err
		it.Close()
		return false
	}
	defer it.s.in.mu.Unlock()
	for {
		dbKey, dbOK := it.dbKey()
		if !dbOK && len(it.pend) == 0 {
			if err := it.it.Err(); err != nil {
				it.err = fmt.Errorf("store %s: iterate: %w", it.s.in.id, err)
			}
			it.key, it.value = nil, nil
			return false
		}
		c := 1 // > 0: the pending update comes first
		switch {
		case !dbOK:
		case len(it.pend) == 0:
			c = -1
		default:
			c = bytes.Compare(dbKey, bytesOf(it.pend[0]))
		}
		if c >= 0 {
			k, u := it.pend[0], it.pendU[0]
			it.pend, it.pendU = it.pend[1:], it.pendU[1:]
			if c == 0 {
				it.it.Next()
			}
			if !u.del && !it.s.expired(u.putNanos, it.now) {
				return it.set(bytesOf(k), u.value)
			}
			continue
		}
		stored := it.it.Value()
		putNanos, v, err := parseValue(stored.Data())
		if err != nil {
			it.err = it.s.corrupt(dbKey, err)
			stored.Free()
			return false
		}
		if !it.s.expired(putNanos, it.now) {
			ok := it.set(dbKey, v)
			stored.Free()
			it.it.Next()
			return ok
		}
		stored.Free()
		it.it.Next()
	}
}

// dbKey returns the user key of the RocksDB iterator's entry, if it is in
// range. It is valid until the iterator moves.
func (it *iter) dbKey() ([]byte, bool) {
	if !it.it.Valid() {
		return nil, false
	}
	k := it.it.Key().Data()
	if !bytes.HasPrefix(k, it.lower) {
		return nil, false
	}
	return k[1:], true
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
	if it.closed {
		return nil
	}
	it.s.in.mu.Lock()
	defer it.s.in.mu.Unlock()
	it.release(nil)
	return nil
}

// release frees the RocksDB iterator; a non-nil err is what Err reports
// from then on.
//
// REQUIRES: in.mu held.
func (it *iter) release(err error) {
	if it.closed {
		return
	}
	it.closed = true
	if it.err == nil {
		it.err = err
	}
	if it.it != nil {
		it.it.Close()
		it.it = nil
	}
	delete(it.s.iters, it)
}

// usableForIter locks the instance for an iterator step; it fails, unlocked,
// once the provider closed.
func (in *instance) usableForIter() error {
	in.mu.Lock()
	if in.closed {
		in.mu.Unlock()
		return fmt.Errorf("store %s: provider closed: %w", in.id, ErrClosed)
	}
	return nil
}
