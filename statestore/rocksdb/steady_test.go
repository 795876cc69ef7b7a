package rocksdb

import (
	"context"
	"flag"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// steadyL0 compares level-0 compaction triggers (see
// DefaultL0CompactionTrigger).
var steadyL0 = flag.Int("steady.l0", 0, "L0 compaction trigger of BenchmarkSteadyUpload (0: the default)")

// Steady-state shape of BenchmarkSteadyUpload: steadyKeys keys loaded over
// 10 versions (one level-0 file), then steadyVersions versions each
// changing 1 % of the keys at random: 16 snapshots, each flushing one
// level-0 file, so whole compaction cycles at a trigger of 4 or 8 (the
// compaction the 8th file starts is uploaded by the snapshot after it).
const (
	steadyKeys     = 1_000_000
	steadyVersions = 160
)

// byteCounter is checkpoint storage that counts the bytes written to it.
type byteCounter struct {
	checkpoint.Storage
	n atomic.Int64
}

func (c *byteCounter) Create(ctx context.Context, path string, data []byte) error {
	c.n.Add(int64(len(data)))
	return c.Storage.Create(ctx, path, data)
}

func (c *byteCounter) Write(ctx context.Context, path string, data []byte) error {
	c.n.Add(int64(len(data)))
	return c.Storage.Write(ctx, path, data)
}

func (c *byteCounter) Put(ctx context.Context, path string, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	c.n.Add(int64(len(data)))
	return c.Storage.Write(ctx, path, data)
}

// BenchmarkSteadyUpload measures what incremental checkpoints upload over
// a long run rather than one version: after a load of 1,000,000 keys, 160
// versions each change 1 % of the keys at random (fixed seed), with a
// snapshot every 10 versions. Between snapshots only changelogs travel; a
// snapshot uploads the level-0 file its flush wrote, and every so many
// snapshots (the level-0 compaction trigger) a compaction rewrites the
// store's SSTs, which the next snapshot uploads again. upload-%/version is
// the bytes uploaded over the 160 versions (changelogs, SSTs, metadata,
// manifests) per version, as a share of the last snapshot's files;
// flush-and-changelog-% is the same without the compactions' rewrites,
// the floor of the scheme.
func BenchmarkSteadyUpload(b *testing.B) {
	for range b.N {
		uploaded, full, rewritten := steadyRun(b)
		b.ReportMetric(100*float64(uploaded)/steadyVersions/float64(full), "upload-%/version")
		b.ReportMetric(100*float64(uploaded-rewritten)/steadyVersions/float64(full), "flush-and-changelog-%")
		b.ReportMetric(float64(full), "full-snapshot-bytes")
	}
}

// steadyRun runs the load and the steady versions, returning the bytes
// uploaded during the steady versions, the last snapshot's size, and the
// bytes of the SSTs uploaded that a compaction wrote (not a flush).
func steadyRun(b *testing.B) (uploaded, full, rewritten int64) {
	ctx := context.Background()
	st := &byteCounter{Storage: checkpoint.NewMem()}
	p := newTestProvider(b, Options{Storage: st, L0CompactionTrigger: *steadyL0})
	defer p.Close()
	id := statestore.StoreID{Operator: "agg", Partition: 0}
	var prev *statestore.Manifest
	version := int64(0)
	commit := func(update func(s statestore.Store)) {
		s, err := p.Open(ctx, id, version, statestore.OpenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		update(s)
		snap, err := s.Commit(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer snap.Release()
		m, err := snap.Upload(ctx, st, prev)
		if err != nil {
			b.Fatal(err)
		}
		version++
		if m != nil {
			rewritten += compactedBytes(prev, m)
			prev = m
		}
	}
	var k, v []byte
	for j := range 10 {
		commit(func(s statestore.Store) {
			for i := j; i < steadyKeys; i += 10 {
				k, v = testKey(k, i), testValue(v, i, 0)
				mustPut(b, s, k, v)
			}
		})
	}
	before, rewritten := st.n.Load(), int64(0)
	r := rand.New(rand.NewPCG(3, 4))
	for gen := range steadyVersions {
		commit(func(s statestore.Store) {
			for range steadyKeys / 100 {
				i := r.IntN(steadyKeys)
				k, v = testKey(k, i), testValue(v, i, uint64(gen+1))
				mustPut(b, s, k, v)
			}
		})
	}
	return st.n.Load() - before, manifestBytes(prev), rewritten
}

// compactedBytes is the size of the SSTs m names and prev does not, but
// for the newest: a snapshot's flush writes one level-0 file, numbered
// after every file before it, so the other new files are a compaction's.
func compactedBytes(prev, m *statestore.Manifest) int64 {
	var fresh []statestore.FileInfo
	for _, f := range m.Files {
		if strings.HasSuffix(f.Name, ".sst") && (prev == nil || !slices.Contains(prev.Files, f)) {
			fresh = append(fresh, f)
		}
	}
	if len(fresh) < 2 {
		return 0
	}
	newest := slices.MaxFunc(fresh, func(a, b statestore.FileInfo) int { return strings.Compare(a.Name, b.Name) })
	var n int64
	for _, f := range fresh {
		if f != newest {
			n += f.Size
		}
	}
	return n
}
