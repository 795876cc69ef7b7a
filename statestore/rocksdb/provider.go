package rocksdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sluicestream/sluice/statestore"
)

// ErrClosed: the store was committed or aborted, or its provider closed.
var ErrClosed = errors.New("rocksdb: store is closed")

// errStoreOpen: Open found a store of that id still open.
var errStoreOpen = errors.New("rocksdb: store already open; Commit or Abort it first")

// Provider is the RocksDB statestore.Provider. It keeps every store it
// opened open between versions (the next batch reuses it without reading
// anything), shares one block cache among them, and restores from
// checkpoint storage when the local copy does not hold the version asked
// for. It is safe for concurrent use by stores of different StoreIDs.
type Provider struct {
	opts Options
	dbo  *dbOptions
	ro   readOptions // of the multi-get path

	mu      sync.Mutex
	closed  bool
	stores  map[statestore.StoreID]*instance
	nstores atomic.Int64 // len(stores), read without mu
}

var _ statestore.Provider = (*Provider)(nil)

// New returns a provider over opts.LocalDir, which it creates if needed.
// Stores found there from an earlier run are reused when they hold the
// version asked for.
func New(opts Options) (*Provider, error) {
	o := opts.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(o.LocalDir)
	if err != nil {
		return nil, fmt.Errorf("rocksdb: local dir %s: %w", o.LocalDir, err)
	}
	o.LocalDir = abs
	if err := os.MkdirAll(o.LocalDir, 0o755); err != nil {
		return nil, fmt.Errorf("rocksdb: %w", err)
	}
	return &Provider{
		opts:   o,
		dbo:    newDBOptions(o),
		ro:     newReadOptions(),
		stores: make(map[statestore.StoreID]*instance),
	}, nil
}

// Open implements statestore.Provider.
func (p *Provider) Open(ctx context.Context, id statestore.StoreID, version int64, opts statestore.OpenOptions) (statestore.Store, error) {
	if version < 0 {
		return nil, fmt.Errorf("open store %s: negative version %d", id, version)
	}
	if err := checkOperator(id.Operator); err != nil {
		return nil, fmt.Errorf("open store %s: %w", id, err)
	}
	in, err := p.acquire(id)
	if err != nil {
		return nil, fmt.Errorf("open store %s version %d: %w", id, version, err)
	}
	s, err := in.openVersion(ctx, version, opts)
	if err != nil {
		in.release()
		return nil, fmt.Errorf("open store %s version %d: %w", id, version, err)
	}
	return s, nil
}

// checkOperator refuses operator names that are not one path element.
func checkOperator(op string) error {
	if op == "" || op == "." || op == ".." || strings.ContainsAny(op, "/\\\x00") {
		return fmt.Errorf("operator %q is not usable as a directory name", op)
	}
	return nil
}

// acquire returns id's instance marked open, creating it if needed.
func (p *Provider) acquire(id statestore.StoreID) (*instance, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, fmt.Errorf("provider closed: %w", ErrClosed)
	}
	in := p.stores[id]
	if in == nil {
		in = newInstance(p, id)
		p.stores[id] = in
		p.nstores.Store(int64(len(p.stores)))
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.open {
		return nil, errStoreOpen
	}
	in.open = true
	return in, nil
}

// storeCount is the number of stores the provider holds, for sharing the
// block cache's usage among them in Metrics.
func (p *Provider) storeCount() int64 { return p.nstores.Load() }

// Close implements statestore.Provider: it closes every store's RocksDB
// instance (flushing its memtable) and frees the shared cache. Open stores
// fail with ErrClosed from then on; snapshots may still be uploaded and
// released.
func (p *Provider) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	stores := p.stores
	p.stores = nil
	p.mu.Unlock()
	var errs []error
	for _, in := range stores {
		if err := in.close(); err != nil {
			errs = append(errs, err)
		}
	}
	p.dbo.destroy()
	p.ro.destroy()
	return errors.Join(errs...)
}

// storeDir is the local directory of id.
func (p *Provider) storeDir(id statestore.StoreID) string {
	return filepath.Join(p.opts.LocalDir, id.Operator, strconv.Itoa(id.Partition))
}
