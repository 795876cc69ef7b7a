package statestore

import (
	"context"
	"fmt"
	"time"

	"github.com/sluicestream/sluice/checkpoint"
)

// StoreID names one store: a stateful operator's partition.
type StoreID struct {
	Operator  string // operator id within the query, e.g. "0" or "agg"
	Partition int
}

// Dir is the store's directory in checkpoint storage.
func (id StoreID) Dir() string { return fmt.Sprintf("state/%s/%d", id.Operator, id.Partition) }

func (id StoreID) String() string { return fmt.Sprintf("%s/%d", id.Operator, id.Partition) }

// OpenOptions are per-open settings.
type OpenOptions struct {
	// TTL, if positive, expires entries that long after their last Put
	// (processing time): expired entries are never returned and are removed
	// at commit.
	TTL time.Duration
	// Now is the clock for TTL; nil means time.Now. Tests set it.
	Now func() time.Time
}

// Provider opens versioned stores. It owns the local copies of every store
// it opened and the checkpoint storage they restore from.
type Provider interface {
	// Open returns the store at version (≥ 0). It reuses the local copy when
	// that holds version; otherwise it restores from checkpoint storage: the
	// newest snapshot at or below version, then changelogs up to it. A
	// version that cannot be restored is an error; corrupt files are
	// *checkpoint.CorruptionError naming the file.
	Open(ctx context.Context, id StoreID, version int64, opts OpenOptions) (Store, error)
	// Close releases every local resource; stores still open become unusable.
	Close() error
}

// Store is one version of one store, being updated into the next.
//
// Keys and values passed in are copied; slices returned by Get, MultiGet and
// iterators are valid until the next call on the store.
type Store interface {
	ID() StoreID
	// Version is the version the store was opened at.
	Version() int64
	Get(key []byte) (value []byte, ok bool, err error)
	// MultiGet looks up many keys in one call (one cgo crossing for the
	// RocksDB provider); values[i] is nil when keys[i] is absent.
	MultiGet(keys [][]byte) (values [][]byte, err error)
	Put(key, value []byte) error
	Delete(key []byte) error
	// NewIter iterates over the keys with prefix, in key order, seeing the
	// updates made since Open. The caller closes it before Commit or Abort.
	NewIter(prefix []byte) Iterator
	// Commit makes version Version()+1 durable locally and returns it as a
	// Snapshot whose files can be uploaded in the background.
	Commit(ctx context.Context) (Snapshot, error)
	// Abort discards the updates; the store is unusable afterwards.
	Abort()
	// Metrics describes the store as of the last update or commit.
	Metrics() Metrics
}

// Iterator walks keys in order.
type Iterator interface {
	Next() bool
	Key() []byte
	Value() []byte
	Err() error
	Close() error
}

// Snapshot is a committed version's immutable files, ready to upload.
type Snapshot interface {
	Version() int64
	// Upload writes to dst what a restore of this version needs and prev (the
	// manifest of the store's previous upload, nil if none) lacks: always the
	// changelog, and every K versions a snapshot manifest plus the data files
	// not uploaded before. It returns the manifest now current for the store.
	Upload(ctx context.Context, dst checkpoint.Storage, prev *Manifest) (*Manifest, error)
	// Release frees local resources (hard links of a RocksDB checkpoint).
	Release() error
}

// Metrics are a store's figures, named as Spark's state operator progress.
type Metrics struct {
	NumRowsTotal     int64         // rows in the store
	NumRowsUpdated   int64         // puts in this version
	NumRowsRemoved   int64         // deletes in this version (TTL evictions included)
	NumRowsEvicted   int64         // entries removed by TTL at commit
	MemoryUsedBytes  int64         // memory held (memtables, caches attributed to the store)
	DiskBytes        int64         // bytes of the local copy
	CommitDuration   time.Duration // last Commit
	UploadDuration   time.Duration // last Upload
	UploadedBytes    int64         // bytes written by the last Upload
	SnapshotUploaded bool          // whether the last Upload wrote a snapshot
}
