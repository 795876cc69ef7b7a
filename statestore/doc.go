// Package statestore holds the contracts of Sluice's versioned state stores
// and what every provider shares: the changelog and manifest file formats,
// encryption of uploaded files, retention, and a conformance suite
// (package statestore/storetest) that every provider passes.
//
// One store per (operator, partition), versioned as in Spark: batch N opens
// version N and commits version N+1; version 0 is empty.
//
//	st, err := provider.Open(ctx, statestore.StoreID{Operator: "agg", Partition: 3}, 7)
//	v, ok, err := st.Get(key)
//	err = st.Put(key, value)
//	snap, err := st.Commit(ctx) // version 8, durable locally
//	go func() { m, err := snap.Upload(ctx, storage, prev); ...; snap.Release() }()
//
// In checkpoint storage a store lives under state/<operator>/<partition>/:
//
//	<v>.changelog   the puts and deletes that made version v (LZ4 frame)
//	<v>.manifest    a snapshot of version v: every file it needs, with sizes and checksums
//	SSTs/<name>     immutable data files (unique names), shared by manifests
//
// Byte formats, each specified at the top of its file: changelog.go (an LZ4
// frame of CRC32C-checked put/delete records and a trailer that detects
// truncation), manifestcodec.go (a version line, JSON, a CRC32C line), and
// cipher.go (AES-256-GCM in 64 KiB chunks, a per-file key derived with HKDF,
// a key-check tag so a wrong key is told apart from corruption). Manifests
// are never encrypted, so planning a restore or a purge needs no key.
//
// A Store is used by one goroutine; different stores may be used
// concurrently. Exactly one of Commit or Abort is called per opened store.
package statestore
