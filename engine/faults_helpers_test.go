package engine_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/commitlog"
	"github.com/sluicestream/sluice/engine"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/source"
	"github.com/sluicestream/sluice/statestore"
	staterocks "github.com/sluicestream/sluice/statestore/rocksdb"
)

// errStorageFault is what faultStorage's failing writes wrap.
var errStorageFault = errors.New("injected storage fault")

// faultRule says which writes under state/ a faultStorage spoils, and how.
type faultRule struct {
	// fromVersion: only files of this state version or a later one (a
	// changelog, a manifest, a snapshot's RocksDB metadata file; SSTs and
	// operator metadata carry no version and are spared); 0: every write
	// under state/. Batch N writes version N+1.
	fromVersion int64
	// suffix, if set: only paths that end with it.
	suffix string
	// times is how many writes to spoil; negative: every one.
	times int
	// after: the write reaches the storage, then the call fails anyway (an
	// acknowledgement lost on the way back).
	after bool
	// block: the write waits until its context is done, then fails with the
	// context's error, as a client of an unresponsive server would.
	block bool
}

// faultStorage is a checkpoint.Storage that spoils writes (Create, Write,
// Put) under state/ while a rule is armed. Reads, lists and deletes pass.
type faultStorage struct {
	checkpoint.Storage

	mu      sync.Mutex
	rule    faultRule
	armed   bool
	spoiled int // writes spoiled since the last arm
}

func (s *faultStorage) arm(r faultRule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rule, s.armed, s.spoiled = r, true, 0
}

func (s *faultStorage) disarm() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armed = false
}

// count is the number of writes spoiled since the last arm.
func (s *faultStorage) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spoiled
}

// spoil decides whether the write of p is spoiled, and takes one of the
// rule's times if so.
func (s *faultStorage) spoil(p string) (faultRule, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rule
	if !s.armed || r.times == 0 || !strings.HasPrefix(p, "state/") {
		return r, false
	}
	if !strings.HasSuffix(p, r.suffix) {
		return r, false
	}
	if r.fromVersion > 0 {
		if v, ok := stateVersion(p); !ok || v < r.fromVersion {
			return r, false
		}
	}
	if r.times > 0 {
		s.rule.times--
	}
	s.spoiled++
	return r, true
}

// write runs do (the inner write) as the rule for p says.
func (s *faultStorage) write(ctx context.Context, op, p string, do func() error) error {
	r, ok := s.spoil(p)
	switch {
	case !ok:
		return do()
	case r.block:
		<-ctx.Done()
		return fmt.Errorf("%s %s: %w", op, p, ctx.Err())
	case r.after:
		if err := do(); err != nil {
			return err
		}
	}
	return fmt.Errorf("%s %s: %w", op, p, errStorageFault)
}

func (s *faultStorage) Create(ctx context.Context, p string, data []byte) error {
	return s.write(ctx, "create", p, func() error { return s.Storage.Create(ctx, p, data) })
}

func (s *faultStorage) Write(ctx context.Context, p string, data []byte) error {
	return s.write(ctx, "write", p, func() error { return s.Storage.Write(ctx, p, data) })
}

func (s *faultStorage) Put(ctx context.Context, p string, r io.Reader) error {
	return s.write(ctx, "put", p, func() error { return s.Storage.Put(ctx, p, r) })
}

// stateVersion is the state version a checkpoint path under state/ belongs
// to: "<v>.changelog", "<v>.manifest", "SSTs/<v>-<token>-<file>" (RocksDB
// metadata of snapshot v). SSTs and operator metadata have none.
func stateVersion(p string) (int64, bool) {
	base := path.Base(p)
	digits := ""
	if d, ok := strings.CutSuffix(base, ".changelog"); ok {
		digits = d
	} else if d, ok := strings.CutSuffix(base, ".manifest"); ok {
		digits = d
	} else if path.Base(path.Dir(p)) == statestore.SSTDir && !strings.HasSuffix(base, ".sst") {
		digits, _, _ = strings.Cut(base, "-")
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	return v, err == nil
}

// faultFixture is a word count over a memory stream of lines, one line a
// record and, with ReadLimit MaxRows 1, one line a batch: batch i reads
// lines[i]. Its checkpoint is a local directory behind a faultStorage,
// unless st is replaced before the first start.
type faultFixture struct {
	*aggFixture
	fs *faultStorage
}

func newFaultFixture(t *testing.T) *faultFixture {
	f := newAggFixture(t)
	local, err := checkpoint.OpenLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	fs := &faultStorage{Storage: local}
	f.st = fs
	return &faultFixture{aggFixture: f, fs: fs}
}

// addLines adds each line as its own record.
func (f *faultFixture) addLines(lines ...string) {
	f.t.Helper()
	for _, l := range lines {
		f.add(l)
	}
}

// faultConfig is what varies between the runs of the fault tests.
type faultConfig struct {
	partitions int
	sync       bool
	tolerance  int
	timeout    time.Duration
	prov       statestore.Provider // nil: a new RocksDB provider over a fresh directory
	onPhase    func(batch.ID, engine.Phase)
}

func (c faultConfig) String() string {
	mode := "async"
	if c.sync {
		mode = "sync"
	}
	return fmt.Sprintf("%s/P%d", mode, c.partitions)
}

// faultQuery is one run of the word count (Complete mode) with its own
// checked allocator, sink and state provider.
type faultQuery struct {
	t    *testing.T
	q    *engine.Query
	sk   *captureSink
	prov statestore.Provider
	mem  *memory.CheckedAllocator
	once sync.Once
}

// newRocksProvider returns a RocksDB provider over a fresh local directory
// that restores from st; snapshots every 2 versions, so that uploads put
// SSTs and manifests as well as changelogs.
func newRocksProvider(t *testing.T, st checkpoint.Storage) statestore.Provider {
	t.Helper()
	p, err := staterocks.New(staterocks.Options{LocalDir: t.TempDir(), Storage: st, SnapshotInterval: 2,
		WriteBufferSize: 1 << 20, BlockCacheSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *faultFixture) start(c faultConfig) *faultQuery {
	f.t.Helper()
	prov := c.prov
	if prov == nil {
		prov = newRocksProvider(f.t, f.st)
	}
	fq := &faultQuery{t: f.t, prov: prov, mem: memory.NewCheckedAllocator(memory.NewGoAllocator()),
		sk: &captureSink{batches: map[batch.ID]map[string]int64{}, failAt: -1}}
	opts := engine.Options{Plan: f.wordCount(), Sources: map[string]source.Source{"lines": f.stream},
		Sink: fq.sk, Mode: sink.Complete, Checkpoint: f.st, Mem: fq.mem, StateProvider: prov,
		ReadLimit: source.ReadLimit{MaxRows: 1}, StatePartitions: c.partitions, SyncCheckpoint: c.sync,
		TolerableCheckpointFailures: c.tolerance, CheckpointTimeout: c.timeout, OnPhase: c.onPhase}
	q, err := engine.Start(f.t.Context(), opts)
	if err != nil {
		f.t.Fatal(err)
	}
	fq.q = q
	f.t.Cleanup(func() { fq.end(false) })
	return fq
}

// end stops the query, unless it ended already, and, once, closes the
// provider (unless keep) and checks that the run released every byte it
// allocated.
func (fq *faultQuery) end(keep bool) {
	fq.q.Stop()
	fq.once.Do(func() {
		if !keep {
			if err := fq.prov.Close(); err != nil {
				fq.t.Errorf("close state provider: %v", err)
			}
		}
		fq.mem.AssertSize(fq.t, 0)
	})
}

// awaitEnd waits, at most d, for a query that is to stop by itself and
// returns its error.
func awaitEnd(t *testing.T, q *engine.Query, d time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- q.AwaitTermination() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("the query has not stopped %v after the fault: hung", d)
		return nil
	}
}

// processAllWithin is ProcessAllAvailable bounded by d.
func processAllWithin(t *testing.T, q *engine.Query, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	if err := q.ProcessAllAvailable(ctx); err != nil {
		t.Fatalf("process all available: %v", err)
	}
}

// wordCounts counts the space-separated words of lines.
func wordCounts(lines []string) map[string]int64 {
	c := map[string]int64{}
	for _, l := range lines {
		for _, w := range strings.Split(l, " ") {
			c[w]++
		}
	}
	return c
}

// checkBatches checks that every batch the sink received is the word count
// of the lines up to it (Complete mode, one line a batch), as in a straight
// run: a re-run batch neither lost nor double-counted anything.
func checkBatches(t *testing.T, sk *captureSink, lines []string) {
	t.Helper()
	sk.mu.Lock()
	defer sk.mu.Unlock()
	for id, got := range sk.batches {
		if int(id) >= len(lines) {
			t.Errorf("sink got batch %d; there are only %d lines", id, len(lines))
			continue
		}
		sameCounts(t, fmt.Sprintf("batch %d", id), got, wordCounts(lines[:id+1]))
	}
}

// commitIDs lists commits/.
func commitIDs(t *testing.T, st checkpoint.Storage) []batch.ID {
	t.Helper()
	ids, err := commitlog.New(st).List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// upTo returns 0 … n-1.
func upTo(n int) []batch.ID {
	ids := make([]batch.ID, n)
	for i := range ids {
		ids[i] = batch.ID(i)
	}
	return ids
}

// checkCommitsBefore checks that commits/ holds 0 … atLeast-1, maybe more,
// but nothing from failed on.
func checkCommitsBefore(t *testing.T, st checkpoint.Storage, atLeast int, failed batch.ID) {
	t.Helper()
	ids := commitIDs(t, st)
	if len(ids) < atLeast || !slices.Equal(ids, upTo(len(ids))) || slices.ContainsFunc(ids, func(id batch.ID) bool { return id >= failed }) {
		t.Fatalf("commits after batch %d failed = %v; want 0 … %d at least and nothing from %d on", failed, ids, atLeast-1, failed)
	}
}

// checkpointFailures is numCheckpointFailures in the query's last progress.
func checkpointFailures(t *testing.T, q *engine.Query) int64 {
	t.Helper()
	p := q.LastProgress()
	if p == nil || len(p.StateOperators) == 0 {
		t.Fatalf("last progress %v has no state operator", p)
	}
	n, ok := p.StateOperators[0].CustomMetrics["numCheckpointFailures"]
	if !ok {
		t.Fatalf("last progress has no numCheckpointFailures: %v", p.StateOperators[0].CustomMetrics)
	}
	return n
}

// tcpProxy forwards 127.0.0.1 connections to a server; stopping it refuses
// new connections and cuts the open ones, which is what a client sees of a
// server that stopped, and starting it again on the same port is the
// server back.
type tcpProxy struct {
	t      *testing.T
	target string
	addr   string // "127.0.0.1:port", fixed at the first start

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target, addr: "127.0.0.1:0", conns: map[net.Conn]bool{}}
	p.start()
	t.Cleanup(p.stop)
	return p
}

// start listens on the proxy's address (a free port the first time).
func (p *tcpProxy) start() {
	p.t.Helper()
	var ln net.Listener
	var err error
	for try := 0; try < 50; try++ { // the old port may linger for a moment
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		p.t.Fatalf("proxy: listen on %s: %v", p.addr, err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	p.wg.Add(1)
	go p.accept(ln)
}

func (p *tcpProxy) accept(ln net.Listener) {
	defer p.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		if p.ln != ln { // stopped meanwhile
			p.mu.Unlock()
			c.Close()
			s.Close()
			return
		}
		p.conns[c], p.conns[s] = true, true
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, s)
		go p.pipe(s, c)
	}
}

func (p *tcpProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}

// stop closes the listener and every open connection, and waits for the
// proxy's goroutines. It is idempotent and returns quickly (OnPhase may
// call it).
func (p *tcpProxy) stop() {
	p.mu.Lock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
