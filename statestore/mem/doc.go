// Package mem is an in-memory statestore.Provider, for tests and for small
// state. It passes the same conformance suite (statestore/storetest) as the
// RocksDB provider and writes the same checkpoint layout, so a query can
// test its state handling, restores included, without cgo.
//
//	p := mem.New(mem.Options{Storage: st, SnapshotInterval: 10})
//	s, err := p.Open(ctx, statestore.StoreID{Operator: "agg", Partition: 0}, 7, statestore.OpenOptions{})
//	err = s.Put(key, value)
//	snap, err := s.Commit(ctx) // version 8
//	m, err := snap.Upload(ctx, st, prev)
//
// Each committed version is an immutable sorted slice of entries; a store
// reads it overlaid with its pending updates, and Commit merges the two into
// the next version's slice (O(rows) per commit: fine for small state, the
// reason large state belongs in RocksDB). The provider keeps, per store, the
// newest version it committed or restored and reopens it without copying;
// any other version is restored from Options.Storage.
//
// Files, under the store's directory (statestore.StoreID.Dir):
//
//	<v>.changelog            the puts and deletes of version v, in key order:
//	                         statestore's changelog format (LZ4, checksummed)
//	SSTs/<v>-<16 hex>.kv     at every SnapshotInterval-th version, all of its
//	                         entries in key order, as a changelog of puts
//	<v>.manifest             that snapshot's manifest, listing the .kv file
//
// Every value in a changelog or data file is stored as the time of its last
// Put (8 bytes, little-endian Unix nanoseconds), then the value, so that TTL
// expiry survives a restore. Changelogs and data files are encrypted when
// Options.Cipher is set; manifests never are.
//
// TTL (statestore.OpenOptions): an entry whose last Put is TTL or more ago
// is invisible; Commit removes it, writes its delete to the changelog and
// counts it in Metrics.NumRowsEvicted.
//
// Concurrency: a Provider is safe for concurrent use; a store is used by one
// goroutine, and one store per StoreID is open at a time (a second Open
// fails until the first is committed or aborted). A Snapshot may be
// uploaded from any goroutine, also after its provider closed.
package mem
