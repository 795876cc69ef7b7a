package engine_test

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/engine"
	"github.com/sluicestream/sluice/exec"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
	sinkmem "github.com/sluicestream/sluice/sink/memory"
	"github.com/sluicestream/sluice/source"
	srcmem "github.com/sluicestream/sluice/source/memory"
	"github.com/sluicestream/sluice/statestore"
	statemem "github.com/sluicestream/sluice/statestore/mem"
	staterocks "github.com/sluicestream/sluice/statestore/rocksdb"
)

// The differential test: a streaming query over its input cut into random
// micro-batches gives the same final result as the batch query over all
// the input at once (exec.Build of the optimized plan over static tables).
// Stateless queries run in Append or Update mode: the union of every
// batch's rows is the result. Aggregations run in Complete mode, where the
// last batch's output is the result, or in Update mode, where the batches'
// rows folded by group key (the last one wins) are. When every part of the
// input was one batch, each batch is checked too: a stateless batch against
// the batch query over its own part, a Complete one against the batch query
// over the input so far, an Update one against the groups of the latter that
// its own part holds. Some cases stop the query part-way, cleanly or at a
// chosen phase of a batch in flight (Options.OnPhase), and start it again on
// the same checkpoint, with the same or a new state provider.
//
// Each seed is a subtest; on a failure the report holds the seed, the plan,
// the cuts, the input and both results. Rerun one seed with its case
// printed:
//
//	go test -v -run 'TestDifferential$' ./engine -diff.seed=17
//	SLUICE_DIFF_SEED=17 go test -v -run 'TestDifferential$' ./engine
//
// and many more seeds with -diff.seeds=2000.

var (
	diffSeed  = flag.Int64("diff.seed", -1, "run only this seed of TestDifferential (also $SLUICE_DIFF_SEED)")
	diffSeeds = flag.Int("diff.seeds", 0, "number of seeds TestDifferential runs (0: 200, 60 with -short)")
)

// diffRegressions are seeds that found a problem, run in every mode,
// -short included. A seed names a case of the generator as it was when
// the seed was added; the named tests below keep each problem apart from
// the generator.
var diffRegressions = []uint64{
	31,  // global aggregation over a union of two scans of one stream: half the rows (TestDifferentialSelfUnion)
	56,  // the same, grouped
	163, // stopped after sink-written of a Complete aggregation: the restart on the same provider finds the store still open (TestDifferentialStopAfterSinkWritten)
	182, // the same, Update mode, AvailableNow, 2 partitions
}

func TestDifferential(t *testing.T) {
	seeds := diffSeedList(t)
	start := time.Now()
	var nonEmpty int
	counts := map[string]int{}
	for _, seed := range seeds {
		c := newDiffCase(seed)
		for _, f := range c.features() {
			counts[f]++
		}
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			if c.run(t, len(seeds) == 1) > 0 {
				nonEmpty++
			}
		})
	}
	var feats []string
	for _, f := range slices.Sorted(maps.Keys(counts)) {
		feats = append(feats, fmt.Sprintf("%s %d", f, counts[f]))
	}
	t.Logf("%d seeds, %d with rows, in %v: %s", len(seeds), nonEmpty, time.Since(start).Round(time.Millisecond), strings.Join(feats, ", "))
	// Guard against a generator that drifts into trivial queries.
	if len(seeds) >= 20 && nonEmpty < len(seeds)*2/3 {
		t.Errorf("only %d of %d queries returned rows", nonEmpty, len(seeds))
	}
}

func TestDifferentialRegressions(t *testing.T) {
	for _, seed := range diffRegressions {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { newDiffCase(seed).run(t, false) })
	}
}

// TestDifferentialFloatKeys groups by a float whose -0.0 and 0.0, and
// NaNs, arrive in different micro-batches: the state must keep one group
// for each, as the batch query (and Spark) does.
func TestDifferentialFloatKeys(t *testing.T) {
	nan, negZero := math.NaN(), math.Copysign(0, -1)
	var in diffInput
	for _, f := range []float64{0, nan, 1.5, negZero, nan, 0, -1.5, negZero, nan} {
		in = append(in, []any{int64(1), "a", int64(2), f, "a b", true})
	}
	query := diffQuery{agg: true, sources: 1, build: func(scan scanFunc) (plan.Node, error) {
		return plan.NewAggregate(scan(0), []expr.Expr{expr.Col("f")}, []expr.Expr{
			expr.As(expr.CountStar(), "n"), expr.As(expr.CountDistinct(expr.Col("f")), "d"),
			expr.As(expr.Min(expr.Col("f")), "lo"), expr.As(expr.Sum(expr.Col("f")), "sum"),
		})
	}}
	for _, mode := range []sink.OutputMode{sink.Update, sink.Complete} {
		for _, parts := range []int{1, 2, 4} {
			t.Run(fmt.Sprintf("%v/partitions=%d", mode, parts), func(t *testing.T) {
				c := &diffCase{name: t.Name(), query: query, inputs: []diffInput{in}, cuts: [][]int{{1, 2, 4, 5, 7, 8}},
					mode: mode, restartAt: 4, newProvider: true, partitions: parts}
				if c.run(t, false) != 4 {
					t.Error("want 4 groups: -1.5, 0, 1.5, NaN")
				}
			})
		}
	}
}

// TestDifferentialSelfUnion aggregates the union of two projections of
// one stream: every input row is counted twice, once per branch.
func TestDifferentialSelfUnion(t *testing.T) {
	var in diffInput
	for i := range 12 {
		in = append(in, []any{int64(i % 3), []string{"a", "b"}[i%2], int64(i), float64(i) / 4, "a b", i%3 == 0})
	}
	branch := func(scan scanFunc, e expr.Expr) (plan.Node, error) {
		return plan.NewProject(scan(0), []expr.Expr{expr.Col("k"), expr.As(e, "v")})
	}
	for _, keys := range [][]expr.Expr{nil, {expr.Col("k")}} {
		query := diffQuery{agg: true, sources: 1, build: func(scan scanFunc) (plan.Node, error) {
			a, err := branch(scan, expr.Col("i"))
			if err != nil {
				return nil, err
			}
			b, err := branch(scan, expr.Neg(expr.Col("i")))
			if err != nil {
				return nil, err
			}
			u, err := plan.NewUnion(a, b)
			if err != nil {
				return nil, err
			}
			return plan.NewAggregate(u, keys, []expr.Expr{expr.As(expr.CountStar(), "n"), expr.As(expr.Sum(expr.Col("v")), "sum")})
		}}
		for _, mode := range []sink.OutputMode{sink.Update, sink.Complete} {
			t.Run(fmt.Sprintf("keys=%d/%v", len(keys), mode), func(t *testing.T) {
				c := &diffCase{name: t.Name(), query: query, inputs: []diffInput{in}, cuts: [][]int{{4, 8}}, mode: mode,
					restartAt: -1, partitions: 2}
				c.run(t, false)
			})
		}
	}
}

// TestDifferentialStopAfterSinkWritten stops an aggregation after its
// batch's sink write, before the state commit, and starts it again on the
// same state provider, as a process that stops and restarts a query does:
// the batch runs again and the result is the batch query's.
func TestDifferentialStopAfterSinkWritten(t *testing.T) {
	var in diffInput
	for i := range 12 {
		in = append(in, []any{int64(i % 3), []string{"a", "b"}[i%2], int64(i), float64(i) / 4, "a b", i%3 == 0})
	}
	query := diffQuery{agg: true, sources: 1, build: func(scan scanFunc) (plan.Node, error) {
		return plan.NewAggregate(scan(0), []expr.Expr{expr.Col("k")}, []expr.Expr{
			expr.As(expr.CountStar(), "n"), expr.As(expr.Sum(expr.Col("f")), "sum"),
		})
	}}
	for _, rocks := range []bool{false, true} {
		for _, mode := range []sink.OutputMode{sink.Update, sink.Complete} {
			t.Run(fmt.Sprintf("rocksdb=%v/%v", rocks, mode), func(t *testing.T) {
				c := &diffCase{name: t.Name(), query: query, inputs: []diffInput{in}, cuts: [][]int{{4, 8}}, mode: mode,
					restartAt: 2, abrupt: true, stopPhase: engine.PhaseSinkWritten, rocks: rocks, partitions: 2}
				c.run(t, false)
			})
		}
	}
}

func diffSeedList(t *testing.T) []uint64 {
	seed := *diffSeed
	if v := os.Getenv("SLUICE_DIFF_SEED"); v != "" && seed < 0 {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("SLUICE_DIFF_SEED=%q: %v", v, err)
		}
		seed = n
	}
	if seed >= 0 {
		return []uint64{uint64(seed)}
	}
	n := *diffSeeds
	if n == 0 {
		n = 200
		if testing.Short() {
			n = 60
		}
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(i)
	}
	return seeds
}

// diffCase is everything one seed decides.
type diffCase struct {
	seed   uint64
	name   string // of a case written by hand, instead of the seed
	query  diffQuery
	inputs []diffInput // one per stream
	cuts   [][]int     // per stream: part j is input[cuts[j-1]:cuts[j]]
	mode   sink.OutputMode

	availableNow bool  // all input added first, then an AvailableNow trigger
	maxRows      int64 // its ReadLimit.MaxRows; 0: none
	restartAt    int   // stop and start again before part restartAt; -1: never
	abrupt       bool  // stop a batch in flight: at stopPhase of its batch
	stopPhase    engine.Phase
	stopBatch    batch.ID // AvailableNow: the batch stopped in
	pending      int      // parts added while stopped (ProcessingTime driver)

	rocks            bool // RocksDB state provider, else statestore/mem
	newProvider      bool // restart with a new provider, restoring from the checkpoint
	snapshotInterval int
	partitions       int
	sync             bool
	localCheckpoint  bool // a local directory, else checkpoint.Mem
}

func newDiffCase(seed uint64) *diffCase {
	r := rand.New(rand.NewPCG(seed, 0xd1ff))
	g := &dgen{r: r}
	c := &diffCase{seed: seed, restartAt: -1}
	two := r.IntN(6) == 0
	if r.IntN(5) < 2 {
		c.query = g.stateless(two)
		c.mode = sink.Append
		if r.IntN(4) == 0 {
			c.mode = sink.Update
		}
	} else {
		c.mode = pick(g, []sink.OutputMode{sink.Complete, sink.Update})
		c.query = g.aggregate(two, c.mode)
		c.rocks = r.IntN(10) == 0
	}
	parts := 1 + r.IntN(8)
	for range c.query.sources {
		in := g.rows()
		c.inputs = append(c.inputs, in)
		c.cuts = append(c.cuts, g.splits(len(in), parts))
	}
	c.availableNow = r.IntN(4) == 0
	if c.availableNow {
		c.maxRows = int64(r.IntN(12))
	}
	if parts > 1 && r.IntN(3) == 0 {
		c.restartAt = 1 + r.IntN(parts-1)
		c.abrupt = r.IntN(2) == 0
		phases := []engine.Phase{engine.PhaseOffsetsWritten, engine.PhaseSinkWritten, engine.PhaseCommitWritten, engine.PhaseDownstreamDone}
		if c.query.agg {
			phases = append(phases, engine.PhaseStateCommitted, engine.PhaseUploadStarted, engine.PhaseUploadDone)
		}
		c.stopPhase = pick(g, phases)
		c.stopBatch = batch.ID(r.IntN(3))
		if !c.availableNow {
			c.pending = r.IntN(min(3, parts-c.restartAt) + 1)
		}
	}
	c.newProvider = r.IntN(2) == 0
	c.snapshotInterval = r.IntN(4)
	c.partitions = pick(g, []int{1, 2, 4})
	c.sync = r.IntN(2) == 0
	c.localCheckpoint = r.IntN(8) == 0
	return c
}

// features names what the case exercises, for the test's summary.
func (c *diffCase) features() []string {
	f := append([]string{fmt.Sprintf("%d-streams", c.query.sources), "mode-" + c.mode.String()}, c.query.tags...)
	if c.query.agg {
		f = append(f, "aggregation", fmt.Sprintf("partitions-%d", c.partitions))
		if c.rocks {
			f = append(f, "rocksdb")
		}
	}
	if c.availableNow {
		f = append(f, "available-now")
	}
	if c.restartAt >= 0 {
		f = append(f, "restart")
		if c.abrupt {
			f = append(f, "restart-abrupt")
		}
	}
	if c.localCheckpoint {
		f = append(f, "local-checkpoint")
	}
	return f
}

func (c *diffCase) String() string {
	var b strings.Builder
	if c.name != "" {
		b.WriteString(c.name)
	} else {
		fmt.Fprintf(&b, "seed %d", c.seed)
	}
	fmt.Fprintf(&b, ": %d parts, mode %v\n", len(c.cuts[0])+1, c.mode)
	for i, in := range c.inputs {
		fmt.Fprintf(&b, "stream %s: %d rows, cuts %v\n", streamName(i), len(in), c.cuts[i])
	}
	if c.availableNow {
		fmt.Fprintf(&b, "driver: AvailableNow, ReadLimit.MaxRows %d\n", c.maxRows)
	} else {
		b.WriteString("driver: ProcessingTime(0), ProcessAllAvailable after each AddData\n")
	}
	if c.restartAt >= 0 {
		fmt.Fprintf(&b, "restart before part %d (%d parts added while stopped, new provider %v)", c.restartAt, c.pending, c.newProvider)
		if c.abrupt {
			if c.availableNow {
				fmt.Fprintf(&b, ", stopped at %s of batch %d", c.stopPhase, c.stopBatch)
			} else {
				fmt.Fprintf(&b, ", stopped at %s of the last part's batch", c.stopPhase)
			}
		}
		b.WriteByte('\n')
	}
	if c.query.agg {
		prov := "mem"
		if c.rocks {
			prov = "rocksdb"
		}
		fmt.Fprintf(&b, "state: %s provider, snapshot interval %d, %d partitions, sync checkpoint %v\n", prov, c.snapshotInterval, c.partitions, c.sync)
	}
	fmt.Fprintf(&b, "local checkpoint %v\n", c.localCheckpoint)
	for i, in := range c.inputs {
		fmt.Fprintf(&b, "input %s:\n%s", streamName(i), in)
	}
	return b.String()
}

// streamName is the name of input i, as a stream and as a static table.
func streamName(i int) string {
	if i == 0 {
		return "events"
	}
	return fmt.Sprintf("events%d", i+1)
}

// run runs the case as a batch and as a stream, compares the results and
// returns the number of rows in the batch result. verbose logs the case.
func (c *diffCase) run(t *testing.T, verbose bool) int {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	want, err := c.batch(t.Context(), mem, c.inputs)
	if err != nil {
		t.Fatalf("batch query: %v\n%s", err, c)
	}
	s := newStreamRun(t, c, mem)
	got, err := s.run()
	if err != nil {
		t.Fatalf("stream: %v\nquery:\n%s%s", err, plan.Explain(s.plan), c)
	}
	if !c.same(got, want) {
		c.sortRows(got)
		c.sortRows(want)
		t.Errorf("streaming result differs from the batch result\nquery:\n%s%s\nstream (%d rows):\n%sbatch (%d rows):\n%s",
			plan.Explain(s.plan), c, len(got), showRows(got), len(want), showRows(want))
	} else if verbose {
		c.sortRows(want)
		t.Logf("query:\n%s%s\nresult (%d rows):\n%s", plan.Explain(s.plan), c, len(want), showRows(want))
	}
	if s.exact {
		c.checkBatches(t, mem, s)
	}
	mem.AssertSize(t, 0)
	return len(want)
}

// checkBatches checks every micro-batch of a run whose parts were its
// batches: a stateless batch outputs the batch query over its own parts; a
// Complete one the batch query over all the parts so far; an Update one the
// rows of that query whose groups the batch's own parts hold.
func (c *diffCase) checkBatches(t *testing.T, mem memory.Allocator, s *streamRun) {
	t.Helper()
	for i, end := range s.ends {
		start := 0
		if i > 0 {
			start = s.ends[i-1]
		}
		own, err := c.batch(t.Context(), mem, c.partRows(start, end))
		if err != nil {
			t.Fatalf("batch query over parts [%d, %d): %v", start, end, err)
		}
		want := own
		if c.query.agg {
			if want, err = c.batch(t.Context(), mem, c.partRows(0, end)); err != nil {
				t.Fatalf("batch query over parts [0, %d): %v", end, err)
			}
		}
		if c.query.agg && c.mode == sink.Update {
			changed := map[string]bool{}
			for _, r := range own {
				changed[r.key(s.keys)] = true
			}
			want = slices.DeleteFunc(want, func(r diffRow) bool { return !changed[r.key(s.keys)] })
		}
		got := s.batchRows(batch.ID(i))
		if !c.same(got, want) {
			c.sortRows(got)
			c.sortRows(want)
			t.Errorf("micro-batch %d (parts [%d, %d)) differs from the batch query\nquery:\n%s%s\nstream (%d rows):\n%sbatch (%d rows):\n%s",
				i, start, end, plan.Explain(s.plan), c, len(got), showRows(got), len(want), showRows(want))
			return
		}
	}
}

// same compares results: as multisets, or as sequences if the query has
// one order.
func (c *diffCase) same(got, want []diffRow) bool {
	if c.query.ordered {
		return slices.EqualFunc(got, want, diffRow.equal)
	}
	return sameMultiset(got, want)
}

// sortRows sorts rows for printing, unless their order is the result's.
func (c *diffCase) sortRows(rows []diffRow) {
	if !c.query.ordered {
		sortRows(rows)
	}
}

// partRows returns the rows of parts [from, to) of every input.
func (c *diffCase) partRows(from, to int) []diffInput {
	var out []diffInput
	for i, in := range c.inputs {
		cuts := c.cuts[i]
		off := func(j int) int {
			switch j {
			case 0:
				return 0
			case len(cuts) + 1:
				return len(in)
			}
			return cuts[j-1]
		}
		out = append(out, in[off(from):off(to)])
	}
	return out
}

// batch runs the query over inputs at rest.
func (c *diffCase) batch(ctx context.Context, mem memory.Allocator, inputs []diffInput) ([]diffRow, error) {
	var tables []*staticTable
	for i, in := range inputs {
		rec := in.record(mem)
		defer rec.Release()
		tables = append(tables, &staticTable{name: streamName(i), recs: []arrow.RecordBatch{rec}})
	}
	p, err := c.query.build(func(i int) plan.Node { return plan.NewScan(tables[i]) })
	if err != nil {
		return nil, err
	}
	opt, err := plan.Optimize(p)
	if err != nil {
		return nil, err
	}
	op, err := exec.Build(opt)
	if err != nil {
		return nil, err
	}
	recs, err := exec.Run(ctx, op, exec.NewTaskContext(mem))
	if err != nil {
		return nil, err
	}
	defer batch.Release(recs)
	return rowsOf(recs), nil
}

// streamRun is one streaming run of a case, across its restarts.
type streamRun struct {
	t       *testing.T
	c       *diffCase
	mem     *memory.CheckedAllocator
	plan    plan.Node
	keys    int // grouping keys of an aggregation
	name    string
	st      checkpoint.Storage
	streams []*srcmem.Stream
	prov    statestore.Provider
	q       *engine.Query
	tap     *tapSink
	// ends[i] is the number of parts added before batch i ended, when exact:
	// every batch was the parts added before its ProcessAllAvailable.
	ends  []int
	exact bool

	mu      sync.Mutex
	ps      *phaseStop
	err     error                  // the first problem a tap found
	batches map[batch.ID][]diffRow // the last write of each batch
}

func newStreamRun(t *testing.T, c *diffCase, mem *memory.CheckedAllocator) *streamRun {
	s := &streamRun{t: t, c: c, mem: mem, name: "differential_" + strings.ReplaceAll(t.Name(), "/", "_")}
	var tables []*engine.StreamTable
	for i := range c.inputs {
		s.streams = append(s.streams, srcmem.New(diffSchema))
		tables = append(tables, engine.NewStreamTable(streamName(i), diffSchema))
	}
	p, err := c.query.build(func(i int) plan.Node { return plan.NewScan(tables[i]) })
	if err != nil {
		t.Fatalf("build: %v\n%s", err, c)
	}
	s.plan = p
	if a := aggregateOf(p); a != nil {
		s.keys = len(a.GroupBy)
	}
	return s
}

// aggregateOf returns the aggregation under the projections, filters, sorts
// and limits at the top of p, nil if there is none.
func aggregateOf(p plan.Node) *plan.Aggregate {
	for {
		switch n := p.(type) {
		case *plan.Aggregate:
			return n
		case *plan.Project, *plan.Filter, *plan.Sort, *plan.Limit:
			p = n.Children()[0]
		default:
			return nil
		}
	}
}

// run feeds the parts, then returns the result the sink holds.
func (s *streamRun) run() ([]diffRow, error) {
	c := s.c
	_ = sinkmem.Drop(s.name)
	defer func() { _ = sinkmem.Drop(s.name) }()
	defer func() {
		for _, st := range s.streams {
			st.Release()
		}
	}()
	s.st = checkpoint.NewMem()
	if c.localCheckpoint {
		st, err := checkpoint.OpenLocal(s.t.TempDir())
		if err != nil {
			return nil, err
		}
		s.st = st
	}
	defer func() {
		if s.prov != nil {
			s.prov.Close()
		}
	}()
	var err error
	if c.availableNow {
		err = s.runAvailableNow()
	} else {
		err = s.runStepwise()
	}
	if s.q != nil {
		s.stop()
	}
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	err = s.err
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return s.result()
}

// runStepwise adds one part at a time and waits for its batch, so that each
// part is one micro-batch.
func (s *streamRun) runStepwise() error {
	parts := len(s.c.cuts[0]) + 1
	if err := s.start(engine.ProcessingTime(0)); err != nil {
		return err
	}
	batches := 0
	restarted := false
	for j := 0; j < parts; {
		if j == s.c.restartAt && !restarted {
			restarted = true
			stop := s.stop
			if s.c.abrupt {
				stop = s.stopAtPhase
			}
			if err := stop(); err != nil {
				return err
			}
			for range s.c.pending {
				if err := s.add(j); err != nil {
					return err
				}
				j++
			}
			if err := s.start(engine.ProcessingTime(0)); err != nil {
				return err
			}
			if s.c.pending > 0 {
				if err := s.processAll(); err != nil {
					return err
				}
				batches++
				s.ends = append(s.ends, j)
			}
			continue
		}
		if s.c.abrupt && j+1 == s.c.restartAt {
			next := batch.ID(0)
			if last, ok := sinkmem.LastBatch(s.name); ok {
				next = last + 1
			}
			s.armStop(next)
			if err := s.add(j); err != nil {
				return err
			}
			j++
			continue // stop with this part's batch in flight
		}
		if err := s.add(j); err != nil {
			return err
		}
		j++
		if err := s.processAll(); err != nil {
			return err
		}
		batches++
		s.ends = append(s.ends, j)
	}
	if s.c.abrupt {
		return nil
	}
	// A batch may start between the AddData calls of two streams.
	last, _ := sinkmem.LastBatch(s.name)
	if n := int(last) + 1; n < batches || n > batches*len(s.streams) {
		return fmt.Errorf("the sink's last batch is %d for %d steps of AddData and ProcessAllAvailable over %d streams", last, batches, len(s.streams))
	}
	s.exact = int(last)+1 == batches
	return nil
}

// runAvailableNow adds the parts (up to the restart, then the rest) and
// lets an AvailableNow trigger cut them into batches by ReadLimit.
func (s *streamRun) runAvailableNow() error {
	parts := len(s.c.cuts[0]) + 1
	first := parts
	if s.c.restartAt >= 0 {
		first = s.c.restartAt
	}
	for j := range first {
		if err := s.add(j); err != nil {
			return err
		}
	}
	if s.c.abrupt {
		s.armStop(s.c.stopBatch)
	}
	if err := s.start(engine.AvailableNow()); err != nil {
		return err
	}
	if s.c.restartAt < 0 {
		return s.await()
	}
	if s.c.abrupt {
		if err := s.stopAtPhase(); err != nil {
			return err
		}
	} else {
		if err := s.await(); err != nil {
			return err
		}
		if err := s.stop(); err != nil {
			return err
		}
	}
	for j := s.c.restartAt; j < parts; j++ {
		if err := s.add(j); err != nil {
			return err
		}
	}
	if err := s.start(engine.AvailableNow()); err != nil {
		return err
	}
	return s.await()
}

// add adds part j of every input to its stream. The first stream always
// gets a record, empty or not, so that every part makes a batch; the others
// skip some empty parts, so that a batch need not move every source.
func (s *streamRun) add(j int) error {
	for i, in := range s.c.inputs {
		part := in.parts(s.c.cuts[i])[j]
		if i > 0 && len(part) == 0 && j%2 == 1 {
			continue
		}
		rec := part.record(s.mem)
		_, err := s.streams[i].AddData(rec)
		rec.Release()
		if err != nil {
			return fmt.Errorf("add part %d to %s: %w", j, streamName(i), err)
		}
	}
	return nil
}

func (s *streamRun) start(trig engine.Trigger) error {
	c := s.c
	if c.query.agg && s.prov == nil {
		prov, err := s.newProvider()
		if err != nil {
			return err
		}
		s.prov = prov
	}
	inner, err := sinkmem.New(s.name)
	if err != nil {
		return err
	}
	s.tap = &tapSink{inner: inner, keys: s.keys, agg: c.query.agg, report: s.report, out: s.batchOut}
	sources := map[string]source.Source{}
	for i, st := range s.streams {
		sources[streamName(i)] = st
	}
	opts := engine.Options{
		Plan: s.plan, Sources: sources,
		Sink: s.tap, Mode: c.mode, Checkpoint: s.st, Trigger: trig, Mem: s.mem,
		Name: s.name, StatePartitions: c.partitions, SyncCheckpoint: c.sync,
		ReadLimit: source.ReadLimit{MaxRows: c.maxRows},
	}
	if c.query.agg {
		opts.StateProvider = s.prov
	}
	if c.abrupt {
		opts.OnPhase = s.onPhase
	}
	q, err := engine.Start(s.t.Context(), opts)
	if err != nil {
		inner.Close()
		return fmt.Errorf("start: %w", err)
	}
	s.q = q
	return nil
}

func (s *streamRun) newProvider() (statestore.Provider, error) {
	if !s.c.rocks {
		return statemem.New(statemem.Options{Storage: s.st, SnapshotInterval: s.c.snapshotInterval}), nil
	}
	return staterocks.New(staterocks.Options{LocalDir: s.t.TempDir(), Storage: s.st, SnapshotInterval: s.c.snapshotInterval,
		WriteBufferSize: 1 << 20, BlockCacheSize: 1 << 20})
}

// stop stops the query and closes its sink; a restart with newProvider
// closes the provider too.
func (s *streamRun) stop() error {
	s.q.Stop()
	err := s.q.Err()
	s.q = nil
	s.tap.inner.Close()
	if s.prov != nil && s.c.newProvider {
		s.prov.Close()
		s.prov = nil
	}
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	return nil
}

// phaseStop is a stop of the query at a phase of a batch: the query's
// goroutine that reaches it waits there until the stop has begun.
type phaseStop struct {
	id           batch.ID
	phase        engine.Phase
	once         sync.Once
	hit, release chan struct{}
}

// armStop makes the query stop at the case's stopPhase of batch id.
func (s *streamRun) armStop(id batch.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ps = &phaseStop{id: id, phase: s.c.stopPhase, hit: make(chan struct{}), release: make(chan struct{})}
}

func (s *streamRun) onPhase(id batch.ID, p engine.Phase) {
	s.mu.Lock()
	ps := s.ps
	s.mu.Unlock()
	if ps == nil || id != ps.id || p != ps.phase {
		return
	}
	first := false
	ps.once.Do(func() { first = true; close(ps.hit) })
	if first {
		select {
		case <-ps.release:
		case <-time.After(10 * time.Second):
		}
	}
}

// stopAtPhase waits for the armed phase (or the end of the query), then
// stops the query while it waits there: the batch is cut short soon after
// that phase, as by a crash.
func (s *streamRun) stopAtPhase() error {
	s.mu.Lock()
	ps := s.ps
	s.mu.Unlock()
	ended := make(chan struct{})
	q := s.q
	go func() {
		_ = q.AwaitTermination()
		close(ended)
	}()
	select {
	case <-ps.hit:
	case <-ended:
	case <-time.After(20 * time.Second):
		return fmt.Errorf("batch %d never reached phase %s", ps.id, ps.phase)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- s.stop() }()
	time.Sleep(5 * time.Millisecond) // for Stop to cancel the query
	close(ps.release)
	err := <-stopped
	<-ended
	return err
}

func (s *streamRun) processAll() error {
	ctx, cancel := context.WithTimeout(s.t.Context(), 30*time.Second)
	defer cancel()
	return s.q.ProcessAllAvailable(ctx)
}

func (s *streamRun) await() error {
	done := make(chan error, 1)
	go func() { done <- s.q.AwaitTermination() }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		return fmt.Errorf("AvailableNow query still running after 30s")
	}
}

// batchOut keeps what batch id wrote.
func (s *streamRun) batchOut(id batch.ID, rows []diffRow) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.batches == nil {
		s.batches = map[batch.ID][]diffRow{}
	}
	s.batches[id] = rows
}

func (s *streamRun) batchRows(id batch.ID) []diffRow {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.batches[id]
}

func (s *streamRun) report(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

// result reads the sink's table: every row of a stateless query, the last
// batch of Complete mode, or the Update log folded by group key.
func (s *streamRun) result() ([]diffRow, error) {
	_, recs, _ := sinkmem.Table(s.name)
	defer batch.Release(recs)
	rows := rowsOf(recs)
	if !s.c.query.agg || s.c.mode == sink.Complete {
		return rows, nil
	}
	last := map[string]int{}
	var order []string
	for i, r := range rows {
		k := r.key(s.keys)
		if _, ok := last[k]; !ok {
			order = append(order, k)
		}
		last[k] = i
	}
	out := make([]diffRow, len(order))
	for i, k := range order {
		out[i] = rows[last[k]]
	}
	return out, nil
}

// tapSink passes batches to the memory sink, keeping their rows and
// checking on the way that an aggregation's batch has each group at most
// once.
type tapSink struct {
	inner  *sinkmem.Sink
	keys   int
	agg    bool
	report func(error)
	out    func(batch.ID, []diffRow)
}

var _ sink.Sink = (*tapSink)(nil)

func (s *tapSink) Write(ctx context.Context, id batch.ID, mode sink.OutputMode, r batch.Reader) error {
	schema := r.Schema()
	recs, err := batch.ReadAll(ctx, r)
	if err != nil {
		return err
	}
	rows := rowsOf(recs)
	s.out(id, rows)
	if s.agg {
		seen := map[string]bool{}
		for _, row := range rows {
			k := row.key(s.keys)
			if seen[k] {
				s.report(fmt.Errorf("batch %d (%v) has group [%s] twice", id, mode, k))
			}
			seen[k] = true
		}
	}
	return s.inner.Write(ctx, id, mode, batch.NewSliceReader(schema, recs...))
}

func (s *tapSink) Close() error { return s.inner.Close() }
