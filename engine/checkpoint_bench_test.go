package engine_test

import (
	"context"
	"flag"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/checkpoint/s3"
	"github.com/sluicestream/sluice/engine"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/internal/testutil"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/source"
	srcmem "github.com/sluicestream/sluice/source/memory"
	"github.com/sluicestream/sluice/statestore"
	staterocks "github.com/sluicestream/sluice/statestore/rocksdb"
)

// ckptKeys is N, the keys of BenchmarkCheckpointCost's state. The issue
// asks for 10,000,000; smaller values make quick runs.
var ckptKeys = flag.Int("ckpt.keys", 10_000_000, "keys in BenchmarkCheckpointCost's state")

// The checkpoint-cost workload: N keys loaded in ckptLoadBatches batches
// (state versions 1 to 10; 10 is a snapshot version at the default
// interval), then batches of N/100 rows with keys drawn at random (fixed
// seed): ckptWarmBatches untimed (versions 11 to 15), then ckptTimedBatches
// timed (versions 16 to 25). The timed window is one snapshot period of a
// long-running query, its snapshot (version 20) in the middle: its upload
// overlaps the batches after it, as it would in steady state, rather than
// being the last thing the timer waits for.
const (
	ckptLoadBatches  = 10
	ckptWarmBatches  = 5
	ckptTimedBatches = 10
	ckptOperator     = "0" // the engine's operator id of its one aggregation
)

var ckptSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: arrow.PrimitiveTypes.Int64},
	{Name: "v", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// ckptRecords returns the load records (keys 0..n-1, value 1, in
// ckptLoadBatches records) and the update records (n/100 random keys each,
// value 1); the caller releases them.
func ckptRecords(n int) (load, updates []arrow.RecordBatch) {
	per := n / ckptLoadBatches
	for i := range ckptLoadBatches {
		load = append(load, int64Record(per, func(j int) int64 { return int64(i*per + j) }))
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range ckptWarmBatches + ckptTimedBatches {
		updates = append(updates, int64Record(n/100, func(int) int64 { return int64(r.IntN(n)) }))
	}
	return load, updates
}

// int64Record is a record of rows (k, 1) with k = key(row).
func int64Record(rows int, key func(int) int64) arrow.RecordBatch {
	ks, vs := make([]int64, rows), make([]int64, rows)
	for j := range ks {
		ks[j], vs[j] = key(j), 1
	}
	kb := array.NewInt64Builder(memory.DefaultAllocator)
	kb.AppendValues(ks, nil)
	vb := array.NewInt64Builder(memory.DefaultAllocator)
	vb.AppendValues(vs, nil)
	cols := []arrow.Array{kb.NewArray(), vb.NewArray()}
	kb.Release()
	vb.Release()
	rec := array.NewRecordBatch(ckptSchema, cols, int64(rows))
	cols[0].Release()
	cols[1].Release()
	return rec
}

// ckptPlan is SELECT k, sum(v) AS total FROM t GROUP BY k: int64 keys and
// one int64 sum per key.
func ckptPlan(b *testing.B, table *engine.StreamTable) plan.Node {
	agg, err := plan.NewAggregate(plan.NewScan(table), []expr.Expr{expr.Col("k")}, []expr.Expr{expr.As(expr.Sum(expr.Col("v")), "total")})
	if err != nil {
		b.Fatal(err)
	}
	return agg
}

// countingStorage counts the bytes written under state/ (state uploads:
// changelogs, manifests, SSTs). It passes a local directory's lock on.
type countingStorage struct {
	checkpoint.Storage
	state atomic.Int64
}

func (s *countingStorage) count(path string, n int) {
	if strings.HasPrefix(path, "state/") {
		s.state.Add(int64(n))
	}
}

func (s *countingStorage) Create(ctx context.Context, path string, data []byte) error {
	s.count(path, len(data))
	return s.Storage.Create(ctx, path, data)
}

func (s *countingStorage) Write(ctx context.Context, path string, data []byte) error {
	s.count(path, len(data))
	return s.Storage.Write(ctx, path, data)
}

func (s *countingStorage) Put(ctx context.Context, path string, r io.Reader) error {
	return s.Storage.Put(ctx, path, &countingReader{r: r, n: func(n int) { s.count(path, n) }})
}

func (s *countingStorage) Lock() (func() error, error) {
	if l, ok := s.Storage.(interface{ Lock() (func() error, error) }); ok {
		return l.Lock()
	}
	return func() error { return nil }, nil
}

type countingReader struct {
	r io.Reader
	n func(int)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n(n)
	return n, err
}

// ckptRun is what one run of a mode leaves: its checkpoint storage (and
// directory, for a local one) at state version ckptLoadBatches+ckptTimedBatches.
type ckptRun struct {
	dir        string // "" for checkpoint.Mem
	st         checkpoint.Storage
	partitions int
	keys       int
}

func (r *ckptRun) version() int64 { return ckptLoadBatches + ckptWarmBatches + ckptTimedBatches }

// snapshotVersion is the last snapshot version at or before version(): the
// version whose manifest names the files a restore of version() downloads.
func (r *ckptRun) snapshotVersion() int64 {
	return r.version() / statestore.DefaultSnapshotInterval * statestore.DefaultSnapshotInterval
}

// BenchmarkCheckpointCost measures what checkpoints cost a streaming
// aggregation with a big state: SELECT k, sum(v) GROUP BY k over int64 keys
// and values, N keys in the state (-ckpt.keys, 10,000,000 by default,
// reported as the keys metric), RocksDB state with default options and
// P = DefaultStatePartitions(). Outside the timer a first query loads the
// N keys in 10 batches (state versions 1-10, a snapshot at 10) and runs 5
// batches of updates (11-15); then, timed, it runs 10 more batches (16-25)
// of N/100 rows with random keys (fixed seed), each updating 1 % of the
// keys (a few fewer: draws repeat), Trigger AvailableNow with ReadLimit
// MaxRows N/100. The window is one snapshot period of a long-running
// query with its snapshot (version 20) inside it, so an asynchronous
// snapshot upload overlaps the batches after it as it does in steady
// state. The timer runs until the last batch is committed, its upload
// included; ms/batch is that time over 10, trigger-p50-ms the median of
// the batches' triggerExecution, upload-ms/batch the mean of their
// stateUpload (submit to the last store's upload done).
//
//   - async: a local-directory checkpoint (checkpoint.OpenLocal), default
//     options: a batch's state upload overlaps the next batch.
//   - sync: the same with Options.SyncCheckpoint.
//   - nocheckpoint: a checkpoint.Mem. Sluice always needs checkpoint
//     storage; this is what a query without a checkpoint location would
//     cost at best (logs and uploads become memory copies).
//
// Each mode also reports upload-bytes/batch, the bytes written under
// state/ during the timed batches over 10 (changelogs every batch, new
// SSTs and RocksDB metadata at the snapshot version), and
// full-snapshot-bytes, the files the manifests of version 20 name: what a
// restore of the last version downloads besides changelogs. The window
// holds one snapshot but, at the default level-0 compaction trigger, no
// compaction; statestore/rocksdb's BenchmarkSteadyUpload measures the
// long-run share with compactions.
//
//   - restore-local and restore-s3: a new provider with an empty local
//     directory opens every partition at version 25 (the snapshot at 20
//     and five changelogs), in parallel as a restarted query does, from
//     async's local checkpoint directory, and from a copy of its state/ in
//     a versitygw S3 server on 127.0.0.1 (copied outside the timer). They
//     report s/restore and keys/s.
func BenchmarkCheckpointCost(b *testing.B) {
	n := *ckptKeys
	if n < 100*ckptLoadBatches {
		b.Fatalf("-ckpt.keys %d: want at least %d", n, 100*ckptLoadBatches)
	}
	parent := b.TempDir() // async's checkpoint outlives its sub-benchmark, for the restores
	var last *ckptRun
	for _, m := range []swcMode{{name: "async"}, {name: "sync", sync: true}, {name: "nocheckpoint", mem: true}} {
		b.Run(m.name, func(b *testing.B) {
			for range b.N {
				r := checkpointCostOnce(b, m, n, parent)
				if m.name == "async" {
					last = r
				}
			}
			b.ReportMetric(float64(n), "keys")
		})
	}
	fixture := func(b *testing.B) *ckptRun {
		if last == nil {
			last = checkpointCostOnce(b, swcMode{name: "async"}, n, parent)
		}
		return last
	}
	b.Run("restore-local", func(b *testing.B) {
		r := fixture(b)
		benchRestore(b, r, r.st)
	})
	b.Run("restore-s3", func(b *testing.B) {
		r := fixture(b)
		benchRestore(b, r, copyStateToS3(b, r))
	})
}

// checkpointCostOnce loads the state and times the update batches of one
// mode, reporting its metrics; the timer is left stopped.
func checkpointCostOnce(b *testing.B, m swcMode, n int, parent string) *ckptRun {
	b.StopTimer()
	run := &ckptRun{partitions: engine.DefaultStatePartitions(), keys: n}
	var inner checkpoint.Storage = checkpoint.NewMem()
	if !m.mem {
		dir, err := os.MkdirTemp(parent, m.name)
		if err != nil {
			b.Fatal(err)
		}
		local, err := checkpoint.OpenLocal(dir)
		if err != nil {
			b.Fatal(err)
		}
		inner, run.dir = local, dir
	}
	run.st = inner
	st := &countingStorage{Storage: inner}
	prov, err := staterocks.New(staterocks.Options{LocalDir: b.TempDir(), Storage: st})
	if err != nil {
		b.Fatal(err)
	}
	defer prov.Close()
	stream := srcmem.New(ckptSchema)
	defer stream.Release()
	load, updates := ckptRecords(n)
	defer func() {
		for _, r := range slices.Concat(load, updates) {
			r.Release()
		}
	}()
	table := engine.NewStreamTable("t", ckptSchema)
	q, err := engine.Start(context.Background(), engine.Options{
		Plan:            ckptPlan(b, table),
		Sources:         map[string]source.Source{"t": stream},
		Sink:            &countSink{},
		Mode:            sink.Update,
		Checkpoint:      st,
		Trigger:         engine.ProcessingTime(0),
		ReadLimit:       source.ReadLimit{MaxRows: 1}, // one record a batch
		StateProvider:   prov,
		StatePartitions: run.partitions,
		SyncCheckpoint:  m.sync,
	})
	if err != nil {
		b.Fatal(err)
	}
	defer q.Stop() // before the provider closes, also after a failure
	processAll(b, q, stream, load, ckptLoadBatches-1)
	processAll(b, q, stream, updates[:ckptWarmBatches], ckptLoadBatches+ckptWarmBatches-1)
	before := st.state.Load()
	start := time.Now()
	b.StartTimer()
	processAll(b, q, stream, updates[ckptWarmBatches:], int(run.version())-1)
	b.StopTimer()
	took := time.Since(start)
	uploaded := st.state.Load() - before
	var trig []float64
	var upload int64
	for _, p := range q.RecentProgress() {
		if p.BatchID >= ckptLoadBatches+ckptWarmBatches {
			trig = append(trig, float64(p.DurationMs["triggerExecution"]))
			upload += p.DurationMs["stateUpload"]
		}
	}
	b.ReportMetric(float64(took.Microseconds())/1000/ckptTimedBatches, "ms/batch")
	b.ReportMetric(percentile(trig, 0.5), "trigger-p50-ms")
	b.ReportMetric(float64(upload)/ckptTimedBatches, "upload-ms/batch")
	b.ReportMetric(float64(uploaded)/ckptTimedBatches, "upload-bytes/batch")
	b.ReportMetric(float64(fullSnapshotBytes(b, run)), "full-snapshot-bytes")
	return run
}

// processAll adds recs to stream and waits until the query has processed
// and committed them, checking that its last batch is last.
func processAll(b *testing.B, q *engine.Query, stream *srcmem.Stream, recs []arrow.RecordBatch, last int) {
	if _, err := stream.AddData(recs...); err != nil {
		b.Fatal(err)
	}
	if err := q.ProcessAllAvailable(context.Background()); err != nil {
		b.Fatal(err)
	}
	if p := q.LastProgress(); p == nil || int(p.BatchID) != last {
		b.Fatalf("last progress %+v, want batch %d", p, last)
	}
}

// fullSnapshotBytes sums the files the manifests of the run's last version
// name, over its partitions.
func fullSnapshotBytes(b *testing.B, r *ckptRun) int64 {
	var total int64
	for p := range r.partitions {
		m, err := statestore.ReadManifest(context.Background(), r.st, statestore.StoreID{Operator: ckptOperator, Partition: p}, r.snapshotVersion())
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range m.Files {
			total += f.Size
		}
	}
	return total
}

// benchRestore restores every partition of r's last version from st into
// a new provider with an empty local directory, and checks the key count.
func benchRestore(b *testing.B, r *ckptRun, st checkpoint.Storage) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		prov, err := staterocks.New(staterocks.Options{LocalDir: b.TempDir(), Storage: st})
		if err != nil {
			b.Fatal(err)
		}
		rows := make([]int64, r.partitions)
		errs := make([]error, r.partitions)
		b.StartTimer()
		var wg sync.WaitGroup
		for p := range r.partitions {
			wg.Go(func() {
				s, err := prov.Open(ctx, statestore.StoreID{Operator: ckptOperator, Partition: p}, r.version(), statestore.OpenOptions{})
				if err != nil {
					errs[p] = err
					return
				}
				rows[p] = s.Metrics().NumRowsTotal
				s.Abort()
			})
		}
		wg.Wait()
		b.StopTimer()
		prov.Close()
		var total int64
		for p := range r.partitions {
			if errs[p] != nil {
				b.Fatal(errs[p])
			}
			total += rows[p]
		}
		if total != int64(r.keys) {
			b.Fatalf("restored %d keys, want %d", total, r.keys)
		}
	}
	secs := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(secs, "s/restore")
	b.ReportMetric(float64(r.keys)/secs, "keys/s")
	b.ReportMetric(float64(r.keys), "keys")
}

// copyStateToS3 starts an S3 server on 127.0.0.1 and copies r's state/
// into its bucket, returning the bucket as checkpoint storage.
func copyStateToS3(b *testing.B, r *ckptRun) checkpoint.Storage {
	b.StopTimer()
	defer b.StartTimer()
	ctx := context.Background()
	srv := testutil.StartVersityGW(b)
	st, err := s3.New(ctx, s3.Options{Endpoint: srv.Endpoint, Bucket: srv.Bucket, AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey, Region: srv.Region, SkipConditionalCheck: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	root := filepath.Join(r.dir, "state")
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(r.dir, path)
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return st.Put(ctx, filepath.ToSlash(rel), f)
	})
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// percentile is the q-quantile (0..1) of v by nearest rank; 0 if empty.
func percentile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}
