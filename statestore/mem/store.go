package mem

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/sluicestream/sluice/statestore"
)

// ErrClosed: the store was committed or aborted, or its provider closed.
var ErrClosed = errors.New("mem: store is closed")

// update is a pending change to one key: a put of value at putNanos, or a
// delete.
type update struct {
	value    []byte
	putNanos int64
	del      bool
}

// store is one opened version of one store. Reads see base (the committed
// version, shared and immutable) overlaid with pending.
type store struct {
	p       *Provider
	id      statestore.StoreID
	version int64
	base    *table
	ttl     int64 // nanoseconds; 0: entries never expire
	now     func() time.Time

	pending map[string]update
	sorted  []string // pending's keys in order; nil when stale
	iters   int      // open iterators
	done    bool     // committed or aborted

	metrics statestore.Metrics
	getBuf  []byte // backs the value Get returns
	multi   []byte // backs the values MultiGet returns
}

var _ statestore.Store = (*store)(nil)

func (s *store) ID() statestore.StoreID { return s.id }
func (s *store) Version() int64         { return s.version }

// usable returns ErrClosed, wrapped with the store's name, once the store
// may no longer be used.
func (s *store) usable() error {
	switch {
	case s.done:
		return fmt.Errorf("store %s version %d: %w", s.id, s.version, ErrClosed)
	case s.p.closed.Load():
		return fmt.Errorf("store %s version %d: provider closed: %w", s.id, s.version, ErrClosed)
	}
	return nil
}

func (s *store) nowNanos() int64 { return s.now().UnixNano() }

// expired reports whether an entry put at putNanos has expired at now.
func (s *store) expired(putNanos, now int64) bool {
	return s.ttl > 0 && now-putNanos >= s.ttl
}

// lookup returns key's visible value: pending first, then base; expired
// entries are not visible. The value is shared: callers copy it out.
func (s *store) lookup(key []byte, now int64) ([]byte, bool) {
	if u, ok := s.pending[string(key)]; ok {
		if u.del || s.expired(u.putNanos, now) {
			return nil, false
		}
		return u.value, true
	}
	if e := s.base.find(key); e != nil && !s.expired(e.putNanos, now) {
		return e.value, true
	}
	return nil, false
}

func (s *store) Get(key []byte) ([]byte, bool, error) {
	if err := s.usable(); err != nil {
		return nil, false, err
	}
	v, ok := s.lookup(key, s.nowNanos())
	if !ok {
		return nil, false, nil
	}
	if s.getBuf == nil {
		s.getBuf = make([]byte, 0, 64)
	}
	s.getBuf = append(s.getBuf[:0], v...)
	return s.getBuf, true, nil
}

func (s *store) MultiGet(keys [][]byte) ([][]byte, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	now := s.nowNanos()
	values := make([][]byte, len(keys))
	total := 0
	for i, k := range keys {
		if v, ok := s.lookup(k, now); ok {
			if v == nil {
				v = []byte{} // present, empty: tell it from absent below
			}
			values[i] = v
			total += len(v)
		}
	}
	// One buffer for every value, sized first so no append moves it; an
	// empty value is a non-nil empty slice, as absent is nil.
	if cap(s.multi) < total || s.multi == nil {
		s.multi = make([]byte, 0, max(total, 64))
	}
	buf := s.multi[:0]
	for i, v := range values {
		if v != nil {
			start := len(buf)
			buf = append(buf, v...)
			values[i] = buf[start:len(buf):len(buf)]
		}
	}
	return values, nil
}

func (s *store) Put(key, value []byte) error {
	if err := s.usable(); err != nil {
		return err
	}
	now := s.nowNanos()
	if _, ok := s.lookup(key, now); !ok {
		s.metrics.NumRowsTotal++
	}
	s.metrics.NumRowsUpdated++
	s.set(key, update{value: append(make([]byte, 0, len(value)), value...), putNanos: now})
	return nil
}

func (s *store) Delete(key []byte) error {
	if err := s.usable(); err != nil {
		return err
	}
	if _, ok := s.lookup(key, s.nowNanos()); ok {
		s.metrics.NumRowsTotal--
		s.metrics.NumRowsRemoved++
	}
	s.set(key, update{del: true})
	return nil
}

func (s *store) set(key []byte, u update) {
	if _, ok := s.pending[string(key)]; !ok {
		s.sorted = nil
	}
	s.pending[string(key)] = u
}

// sortedKeys returns pending's keys in order.
func (s *store) sortedKeys() []string {
	if s.sorted == nil {
		s.sorted = slices.Sorted(maps.Keys(s.pending))
	}
	return s.sorted
}

func (s *store) Abort() {
	if s.done {
		return
	}
	s.done = true
	s.p.release(s.id)
}

func (s *store) Metrics() statestore.Metrics {
	m := s.metrics
	m.MemoryUsedBytes = s.base.memoryBytes()
	for k, u := range s.pending {
		m.MemoryUsedBytes += int64(len(k)+len(u.value)) + entryOverhead
	}
	s.p.uploadMetrics(s.id, &m)
	return m
}
