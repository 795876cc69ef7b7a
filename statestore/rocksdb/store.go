package rocksdb

import (
	"fmt"
	"strconv"
	"time"

	"github.com/sluicestream/sluice/statestore"
)

// store is one opened version of one store: the instance's RocksDB as of
// that version, overlaid with the updates made since Open.
type store struct {
	in      *instance
	version int64
	ttl     int64 // nanoseconds; 0: entries never expire
	now     func() time.Time

	pend  overlay
	seen  map[string]bool // presence of the keys read from RocksDB
	iters map[*iter]struct{}
	done  bool // committed or aborted

	metrics statestore.Metrics
	rows    int64 // data keys in RocksDB when opened, then when committed

	getBuf []byte
	multi  multiGetter
}

var _ statestore.Store = (*store)(nil)

// REQUIRES: in.mu held.
func newStore(in *instance, version, ttl int64, now func() time.Time) *store {
	if now == nil {
		now = time.Now
	}
	s := &store{
		in:      in,
		version: version,
		ttl:     ttl,
		now:     now,
		pend:    newOverlay(),
		seen:    make(map[string]bool),
		iters:   make(map[*iter]struct{}),
		rows:    in.meta.rows,
	}
	in.cur = s
	return s
}

func (s *store) ID() statestore.StoreID { return s.in.id }
func (s *store) Version() int64         { return s.version }

// lock locks the instance and checks that the store may be used; when it
// returns nil the caller unlocks.
func (s *store) lock() error {
	s.in.mu.Lock()
	var err error
	switch {
	case s.done:
		err = fmt.Errorf("store %s version %d: %w", s.in.id, s.version, ErrClosed)
	case s.in.closed:
		err = fmt.Errorf("store %s version %d: provider closed: %w", s.in.id, s.version, ErrClosed)
	}
	if err != nil {
		s.in.mu.Unlock()
	}
	return err
}

func (s *store) unlock() { s.in.mu.Unlock() }

func (s *store) nowNanos() int64 { return s.now().UnixNano() }

// expired reports whether an entry put at putNanos has expired at now.
func (s *store) expired(putNanos, now int64) bool {
	return s.ttl > 0 && now-putNanos >= s.ttl
}

// see records whether key is in RocksDB.
func (s *store) see(key []byte, present bool) {
	if _, ok := s.seen[string(key)]; !ok {
		s.seen[s.pend.mem.str(key)] = present
	}
}

// priorOf is what the store knows of key's presence in RocksDB.
func (s *store) priorOf(key []byte) presence {
	present, ok := s.seen[string(key)]
	switch {
	case !ok:
		return presenceUnknown
	case present:
		return presencePresent
	}
	return presenceAbsent
}

// readCommitted returns the user value of key in the version the store
// was opened at — from the cache, else from RocksDB (then cached) — and
// whether it is visible, recording the key's presence. The value is valid
// until the next read or change of the cache; the caller shrinks the cache
// when done with it.
func (s *store) readCommitted(key []byte, now int64) ([]byte, bool, error) {
	c := s.in.cache
	if c != nil {
		if e, ok := c.get(key); ok {
			s.see(key, e.present)
			if !e.present || s.expired(e.putNanos, now) {
				return nil, false, nil
			}
			return e.value, true, nil
		}
	}
	stored, found, err := s.multi.get(s.in, key)
	if err != nil {
		return nil, false, err
	}
	s.see(key, found)
	if !found {
		if c != nil {
			c.add(key, nil)
		}
		return nil, false, nil
	}
	putNanos, v, err := parseValue(stored)
	if err != nil {
		return nil, false, s.corrupt(key, err)
	}
	if c != nil {
		c.add(key, stored)
	}
	if s.expired(putNanos, now) {
		return nil, false, nil
	}
	return v, true, nil
}

// corrupt is the error for a malformed stored entry.
func (s *store) corrupt(key []byte, err error) error {
	return fmt.Errorf("store %s: local copy %s: key %s: %w", s.in.id, s.in.dbDir(), strconv.Quote(string(key)), err)
}

func (s *store) Get(key []byte) ([]byte, bool, error) {
	if err := s.lock(); err != nil {
		return nil, false, err
	}
	defer s.unlock()
	now := s.nowNanos()
	if u, ok := s.pend.get(key); ok {
		if u.del || s.expired(u.putNanos, now) {
			return nil, false, nil
		}
		s.getBuf = append(s.getBuf[:0], u.value...)
		return s.getBuf, true, nil
	}
	v, ok, err := s.readCommitted(key, now)
	if err != nil {
		return nil, false, err
	}
	if ok {
		s.getBuf = append(s.getBuf[:0], v...)
	}
	if err := s.in.shrink(); err != nil {
		return nil, false, err
	}
	if !ok {
		return nil, false, nil
	}
	return s.getBuf, true, nil
}

func (s *store) MultiGet(keys [][]byte) ([][]byte, error) {
	if err := s.lock(); err != nil {
		return nil, err
	}
	defer s.unlock()
	return s.multiGet(keys, s.nowNanos())
}

func (s *store) Put(key, value []byte) error {
	if err := s.lock(); err != nil {
		return err
	}
	defer s.unlock()
	s.pend.set(key, update{value: value, putNanos: s.nowNanos(), prior: s.priorOf(key)})
	s.metrics.NumRowsUpdated++
	return nil
}

func (s *store) Delete(key []byte) error {
	if err := s.lock(); err != nil {
		return err
	}
	defer s.unlock()
	now := s.nowNanos()
	visible := false
	if u, ok := s.pend.get(key); ok {
		visible = !u.del && !s.expired(u.putNanos, now)
	} else {
		var err error
		if _, visible, err = s.readCommitted(key, now); err != nil {
			return err
		}
		if err := s.in.shrink(); err != nil {
			return err
		}
	}
	if visible {
		s.metrics.NumRowsRemoved++
	}
	s.pend.set(key, update{del: true, prior: s.priorOf(key)})
	return nil
}

func (s *store) Abort() {
	s.in.mu.Lock()
	defer s.in.mu.Unlock()
	if s.done {
		return
	}
	s.finish()
}

// finish ends the store's use of the instance.
//
// REQUIRES: in.mu held.
func (s *store) finish() {
	for it := range s.iters {
		it.release(fmt.Errorf("store %s version %d: %w", s.in.id, s.version, ErrClosed))
	}
	s.done = true
	s.pend = overlay{}
	s.seen = nil
	s.multi.free()
	if s.in.cur == s {
		s.in.cur = nil
		s.in.open = false
	}
}

func (s *store) Metrics() statestore.Metrics {
	s.in.mu.Lock()
	defer s.in.mu.Unlock()
	m := s.metrics
	m.NumRowsTotal = s.rows
	if !s.done && !s.in.closed {
		if n, err := s.pendingRows(); err == nil {
			m.NumRowsTotal = n
		}
	}
	if !s.in.closed && s.in.db != nil {
		m.MemoryUsedBytes = s.in.memoryBytes()
	}
	m.MemoryUsedBytes += s.pendingBytes()
	m.DiskBytes = s.in.diskBytes()
	f := s.in.lastFigures()
	m.UploadDuration, m.UploadedBytes, m.SnapshotUploaded = f.duration, f.bytes, f.snapshot
	return m
}

// pendingRows is the row count with the pending updates applied (expired
// entries count until a commit removes them).
//
// REQUIRES: in.mu held, the store usable.
func (s *store) pendingRows() (int64, error) {
	if err := s.resolvePresence(); err != nil {
		return 0, err
	}
	n := s.rows
	for _, u := range s.pend.m {
		if u.prior == presencePresent {
			n--
		}
		if !u.del {
			n++
		}
	}
	return n, nil
}

// entryOverhead is the bytes a pending update costs beyond its key and
// value: the map entry, the update struct and the key in the sorted list.
const entryOverhead = 96

func (s *store) pendingBytes() int64 {
	var n int64
	for k, u := range s.pend.m {
		n += int64(len(k)+len(u.value)) + entryOverhead
	}
	return n
}

// multiGet looks keys up: pending updates first, then the cache, then
// RocksDB for the rest in one call (whose answers are cached). Values from
// RocksDB share the multi-getter's buffer; pending and cached ones are
// copied to one buffer of their own.
//
// REQUIRES: in.mu held, the store usable.
func (s *store) multiGet(keys [][]byte, now int64) ([][]byte, error) {
	values := make([][]byte, len(keys))
	var miss []int
	copyBytes := 0
	c := s.in.cache
	for i, k := range keys {
		if u, ok := s.pend.get(k); ok {
			if !u.del && !s.expired(u.putNanos, now) {
				values[i] = u.value
				copyBytes += len(u.value)
			}
			continue
		}
		if c != nil {
			if e, ok := c.get(k); ok {
				s.see(k, e.present)
				if e.present && !s.expired(e.putNanos, now) {
					values[i] = e.value
					copyBytes += len(e.value)
				}
				continue
			}
		}
		miss = append(miss, i)
	}
	if len(miss) < len(keys) {
		// One buffer for every pending or cached value, sized first so no
		// append moves it; an empty value is a non-nil empty slice.
		buf := make([]byte, 0, max(copyBytes, 1))
		for i, v := range values {
			if v != nil {
				start := len(buf)
				buf = append(buf, v...)
				values[i] = buf[start:len(buf):len(buf)]
			}
		}
	}
	if len(miss) == 0 {
		return values, nil
	}
	stored, err := s.multi.getMany(s.in, keys, miss)
	if err != nil {
		return nil, fmt.Errorf("store %s: multi-get: %w", s.in.id, err)
	}
	for j, i := range miss {
		sv := stored[j]
		s.see(keys[i], sv != nil)
		if sv != nil {
			putNanos, v, err := parseValue(sv)
			if err != nil {
				return nil, s.corrupt(keys[i], err)
			}
			if !s.expired(putNanos, now) {
				values[i] = v
			}
		}
		if c != nil {
			// Shrinking as it grows keeps a large call within the
			// budget; it changes neither the values (hits are copied,
			// misses are in the multi-getter's buffer) nor stored.
			c.add(keys[i], sv)
			if err := s.in.shrink(); err != nil {
				return nil, err
			}
		}
	}
	return values, nil
}

// resolvePresence looks up, in one call, the pending keys whose presence
// in RocksDB is not known yet.
//
// REQUIRES: in.mu held, the store usable.
func (s *store) resolvePresence() error {
	// In key order: neighbouring lookups share memtable nodes and blocks.
	var strs []string
	var keys [][]byte
	for _, k := range s.pend.keys() {
		u := s.pend.m[k]
		if u.prior != presenceUnknown {
			continue
		}
		if c := s.in.cache; c != nil {
			if e, ok := c.peek(bytesOf(k)); ok {
				u.prior = presenceAbsent
				if e.present {
					u.prior = presencePresent
				}
				s.pend.m[k] = u
				continue
			}
		}
		strs = append(strs, k)
		keys = append(keys, bytesOf(k))
	}
	if len(keys) == 0 {
		return nil
	}
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	stored, err := s.multi.getMany(s.in, keys, idx)
	if err != nil {
		return fmt.Errorf("store %s: multi-get: %w", s.in.id, err)
	}
	for i, k := range strs {
		u := s.pend.m[k]
		u.prior = presenceAbsent
		if stored[i] != nil {
			u.prior = presencePresent
		}
		s.pend.m[k] = u
	}
	return nil
}
