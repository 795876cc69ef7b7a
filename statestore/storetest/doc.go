// Package storetest is the conformance suite every statestore.Provider
// passes. A provider's test calls Run with a Factory that makes a provider
// from a Config:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Factory{
//			New: func(t *testing.T, c storetest.Config) statestore.Provider {
//				return mem.New(mem.Options{Storage: c.Storage, SnapshotInterval: c.SnapshotInterval, Cipher: c.Cipher})
//			},
//			// Storage: a fresh checkpoint.Storage per test; default checkpoint.NewMem.
//		})
//	}
//
// What a provider must do to pass, beyond statestore's doc comments:
//
//   - Snapshot at exactly the versions that are multiples of
//     Config.SnapshotInterval: Upload then writes <v>.manifest, and at no
//     other version.
//   - Upload writes only the changelog, and at a snapshot version the
//     manifest and the data files the previous manifest does not list. A
//     retried Upload (after a write that failed, maybe after landing)
//     succeeds and leaves no file under SSTs/ that no manifest lists.
//   - Upload may run in another goroutine while later versions of the same
//     store are opened and committed (statestore.Uploader does this).
//   - Restore by statestore.PlanRestore's plan; a file that is corrupt gives
//     a *checkpoint.CorruptionError whose Path is that file's checkpoint
//     path, a wrong or missing key an error wrapping statestore.ErrWrongKey.
//   - TTL counts from an entry's last Put, even across a restore; an entry
//     is expired once now − put ≥ TTL, and TTL applies per Open (a store
//     opened without one sees entries not yet evicted).
//   - Metrics.NumRowsTotal is exact, also between updates; NumRowsUpdated
//     counts Puts; the upload figures are those of the store's last Upload.
//   - MultiGet returns nil for an absent key and a non-nil slice, maybe
//     empty, for a present one.
//
// The model-based tests compare every version with a map of what was
// committed: reopened on the provider that committed it, and restored on a
// fresh provider from checkpoint storage alone. rapid draws the updates of
// CommitReopen (a failure shrinks to a short history); the other tests use
// seeded math/rand, so a failure reproduces.
//
// Subtests run one after another; each opens its own storage and providers
// and closes the providers when it ends. Tests that start goroutines wait
// for all of them.
package storetest
