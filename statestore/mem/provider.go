package mem

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// Options configure a Provider.
type Options struct {
	// Storage is the checkpoint storage stores restore from when the
	// provider does not hold the version asked for. Nil: the provider opens
	// only version 0 and the versions it holds.
	Storage checkpoint.Storage
	// SnapshotInterval: every version that is a multiple of it uploads a
	// snapshot. Zero or less means statestore.DefaultSnapshotInterval.
	SnapshotInterval int
	// Cipher, if not nil, encrypts the files Upload writes and decrypts the
	// ones a restore reads.
	Cipher *statestore.Cipher
}

// withDefaults returns a copy of o with defaults filled in.
func (o Options) withDefaults() Options {
	if o.SnapshotInterval <= 0 {
		o.SnapshotInterval = statestore.DefaultSnapshotInterval
	}
	return o
}

// Provider is the in-memory statestore.Provider. It is safe for concurrent
// use by stores of different StoreIDs.
type Provider struct {
	opts   Options
	closed atomic.Bool

	mu     sync.Mutex
	stores map[statestore.StoreID]*held
}

var _ statestore.Provider = (*Provider)(nil)

// held is what the provider keeps of one store between opens: its newest
// committed (or restored) version and the figures of its last upload.
type held struct {
	version int64
	data    *table
	open    bool // a Store of this id is open
	upload  uploadFigures
}

// uploadFigures are the Metrics fields an Upload sets.
type uploadFigures struct {
	duration time.Duration
	bytes    int64
	snapshot bool
}

// New returns a provider with no stores.
func New(opts Options) *Provider {
	return &Provider{opts: opts.withDefaults(), stores: make(map[statestore.StoreID]*held)}
}

// errStoreOpen: Open found a store of that id still open.
var errStoreOpen = errors.New("mem: store already open; Commit or Abort it first")

// Open implements statestore.Provider. It reuses the data of the newest
// version it committed or restored for id when that is the version asked
// for; otherwise it restores the version from Options.Storage.
func (p *Provider) Open(ctx context.Context, id statestore.StoreID, version int64, opts statestore.OpenOptions) (statestore.Store, error) {
	if version < 0 {
		return nil, fmt.Errorf("open store %s: negative version %d", id, version)
	}
	data, err := p.acquire(id, version)
	if err != nil {
		return nil, err
	}
	if data == nil {
		if data, err = p.restore(ctx, id, version); err != nil {
			p.release(id)
			return nil, fmt.Errorf("open store %s version %d: %w", id, version, err)
		}
		p.hold(id, version, data)
	}
	return newStore(p, id, version, data, opts), nil
}

// acquire marks id open and returns the held data of version, or nil if
// the provider does not hold that version.
func (p *Provider) acquire(id statestore.StoreID, version int64) (*table, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return nil, fmt.Errorf("open store %s: provider closed: %w", id, ErrClosed)
	}
	h := p.stores[id]
	if h == nil {
		h = &held{version: -1}
		p.stores[id] = h
	}
	if h.open {
		return nil, fmt.Errorf("open store %s version %d: %w", id, version, errStoreOpen)
	}
	h.open = true
	switch {
	case h.version == version:
		return h.data, nil
	case version == 0:
		return emptyTable, nil
	}
	return nil, nil
}

// hold records data as id's newest version; the store stays open.
func (p *Provider) hold(id statestore.StoreID, version int64, data *table) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if h := p.stores[id]; h != nil {
		h.version, h.data = version, data
	}
}

// release marks id no longer open.
func (p *Provider) release(id statestore.StoreID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if h := p.stores[id]; h != nil {
		h.open = false
	}
}

// committed records a store's commit of version and releases it.
func (p *Provider) committed(id statestore.StoreID, version int64, data *table) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if h := p.stores[id]; h != nil {
		h.version, h.data, h.open = version, data, false
	}
}

// uploaded records the figures of an upload of id.
func (p *Provider) uploaded(id statestore.StoreID, f uploadFigures) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if h := p.stores[id]; h != nil {
		h.upload = f
	}
}

// uploadMetrics fills m's upload fields from id's last upload.
func (p *Provider) uploadMetrics(id statestore.StoreID, m *statestore.Metrics) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if h := p.stores[id]; h != nil {
		m.UploadDuration, m.UploadedBytes, m.SnapshotUploaded = h.upload.duration, h.upload.bytes, h.upload.snapshot
	}
}

// Close implements statestore.Provider: it drops every held version; open
// stores fail with ErrClosed from then on. Snapshots may still be uploaded.
func (p *Provider) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed.Store(true)
	clear(p.stores)
	return nil
}

func newStore(p *Provider, id statestore.StoreID, version int64, data *table, opts statestore.OpenOptions) *store {
	s := &store{
		p:       p,
		id:      id,
		version: version,
		base:    data,
		ttl:     max(int64(opts.TTL), 0),
		now:     opts.Now,
		pending: make(map[string]update),
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.metrics.NumRowsTotal = s.liveRows()
	return s
}

// liveRows counts the base entries not expired now.
func (s *store) liveRows() int64 {
	if s.ttl == 0 {
		return int64(len(s.base.entries))
	}
	now, n := s.nowNanos(), int64(0)
	for i := range s.base.entries {
		if !s.expired(s.base.entries[i].putNanos, now) {
			n++
		}
	}
	return n
}
