package storetest

import (
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// Config is what the suite asks of a provider it makes.
type Config struct {
	// Storage is the checkpoint storage the provider restores from; the
	// suite uploads snapshots to it.
	Storage checkpoint.Storage
	// Cipher, if not nil, must encrypt every file the provider's snapshots
	// upload and decrypt every file a restore reads.
	Cipher *statestore.Cipher
	// SnapshotInterval is K: the provider must upload a snapshot manifest at
	// every version that is a multiple of K, and at no other.
	SnapshotInterval int
}

// Factory makes the providers and storages the suite tests.
type Factory struct {
	// New returns a provider as c configures it. The suite closes it.
	New func(t *testing.T, c Config) statestore.Provider
	// Storage returns a fresh, empty checkpoint storage; nil means
	// checkpoint.NewMem.
	Storage func(t *testing.T) checkpoint.Storage
	// NoCipher says the provider cannot encrypt: the suite skips the
	// encryption tests and never sets Config.Cipher.
	NoCipher bool
}

// defaultInterval is the snapshot interval of most tests: small, so that a
// few versions hold snapshots, changelogs after a snapshot and changelogs
// with no snapshot before them.
const defaultInterval = 4

// Run runs the conformance suite against the providers f makes.
func Run(t *testing.T, f Factory) {
	if f.New == nil {
		t.Fatal("storetest: Factory.New is nil")
	}
	if f.Storage == nil {
		f.Storage = func(*testing.T) checkpoint.Storage { return checkpoint.NewMem() }
	}
	for _, c := range []struct {
		name string
		fn   func(t *testing.T, f Factory)
	}{
		{"GetPutDelete", testGetPutDelete},
		{"BuffersNotShared", testBuffersNotShared},
		{"MultiGet", testMultiGet},
		{"PrefixScan", testPrefixScan},
		{"PrefixScanRandom", testPrefixScanRandom},
		{"Abort", testAbort},
		{"VersionZeroEmpty", testVersionZeroEmpty},
		{"UnknownVersion", testUnknownVersion},
		{"ReopenLocal", testReopenLocal},
		{"CommitReopen", testCommitReopen},
		{"Restore", testRestore},
		{"RestoreIntervals", testRestoreIntervals},
		{"ReplayVersion", testReplayVersion},
		{"Upload", testUpload},
		{"Metrics", testMetrics},
		{"ConcurrentStores", testConcurrentStores},
		{"BackgroundUpload", testBackgroundUpload},
		{"TTL", testTTL},
		{"CorruptChangelog", testCorruptChangelog},
		{"CorruptManifest", testCorruptManifest},
		{"CorruptDataFile", testCorruptDataFile},
		{"MissingChangelog", testMissingChangelog},
		{"Purge", testPurge},
		{"Encryption", testEncryption},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, f) })
	}
}

// env is one test's storage and the providers it opens over it.
type env struct {
	t        *testing.T
	f        Factory
	st       checkpoint.Storage
	cipher   *statestore.Cipher
	interval int
}

func newEnv(t *testing.T, f Factory) *env {
	return &env{t: t, f: f, st: f.Storage(t), interval: defaultInterval}
}

// provider returns a new provider over the env's storage, closed when the
// test ends.
func (e *env) provider() statestore.Provider {
	e.t.Helper()
	return e.providerWith(e.cipher)
}

func (e *env) providerWith(c *statestore.Cipher) statestore.Provider {
	e.t.Helper()
	p := e.f.New(e.t, Config{Storage: e.st, Cipher: c, SnapshotInterval: e.interval})
	e.t.Cleanup(func() {
		if err := p.Close(); err != nil {
			e.t.Errorf("Provider.Close: %v", err)
		}
	})
	return p
}
