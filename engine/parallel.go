package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/exec"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
)

// chunkRows is the most rows one worker of a parallel partial aggregation
// takes at a time: small enough that a batch of one big record still
// spreads over every core, large enough that vectorised kernels amortise.
const chunkRows = 16 * 1024

// partialPool runs the partial aggregation of a batch on several
// goroutines: one reads the stream table and deals its records out in
// chunks, each worker runs its own copy of the input plan and partial
// aggregation over the chunks it takes. Workers' groups overlap; the
// state merge folds the duplicates.
type partialPool struct {
	table *StreamTable
	feeds []*feedTable
	ops   []exec.Operator
}

// newPartialPool builds workers copies of agg's input over feed tables in
// place of its one stream table; nil when the input reads more than one
// stream table or workers is 1.
func newPartialPool(agg *plan.Aggregate, workers int) (*partialPool, error) {
	tables, err := streamTables(agg.Input)
	if err != nil || len(tables) != 1 || workers < 2 || countScans(agg.Input) != 1 {
		// The feed deals each row to one worker once: a plan reading its
		// stream twice (a union with itself) needs every row twice.
		return nil, err
	}
	p := &partialPool{}
	for _, t := range tables {
		p.table = t
	}
	for range workers {
		feed := &feedTable{name: p.table.name, schema: p.table.schema}
		in, err := replaceScan(agg.Input, p.table, feed)
		if err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
		op, err := buildPartial(agg, in)
		if err != nil {
			return nil, err
		}
		p.feeds, p.ops = append(p.feeds, feed), append(p.ops, op)
	}
	return p, nil
}

// countScans counts the scans in n.
func countScans(n plan.Node) int {
	if _, ok := n.(*plan.Scan); ok {
		return 1
	}
	c := 0
	for _, child := range n.Children() {
		c += countScans(child)
	}
	return c
}

// defaultWorkers is how many goroutines aggregate a batch's input.
func defaultWorkers() int { return min(runtime.GOMAXPROCS(0), 8) }

// replaceScan returns n with every scan of from reading to instead.
func replaceScan(n plan.Node, from *StreamTable, to plan.Table) (plan.Node, error) {
	if s, ok := n.(*plan.Scan); ok && s.Table == plan.Table(from) {
		return plan.NewScan(to).WithPushdown(s.Columns, s.Filters)
	}
	children := n.Children()
	if len(children) == 0 {
		return n, nil
	}
	next := make([]plan.Node, len(children))
	for i, c := range children {
		var err error
		if next[i], err = replaceScan(c, from, to); err != nil {
			return nil, err
		}
	}
	return n.WithChildren(next)
}

// run aggregates the current batch's input partially and returns every
// worker's records.
func (p *partialPool) run(ctx context.Context, mem memory.Allocator) ([]arrow.RecordBatch, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ch := make(chan arrow.RecordBatch, len(p.ops))
	for _, f := range p.feeds {
		f.ch = ch
	}
	var wg sync.WaitGroup
	outs := make([][]arrow.RecordBatch, len(p.ops))
	errs := make([]error, len(p.ops)+1)
	for w, op := range p.ops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := op.Execute(ctx, exec.NewTaskContext(mem))
			if err == nil {
				outs[w], err = batch.ReadAll(ctx, r)
				r.Close()
			}
			if err != nil {
				errs[w] = err
				cancel(err)
			}
		}()
	}
	errs[len(p.ops)] = p.deal(ctx, mem, ch)
	close(ch)
	wg.Wait()
	for rec := range ch { // left by workers that failed
		rec.Release()
	}
	var all []arrow.RecordBatch
	for _, o := range outs {
		all = append(all, o...)
	}
	if err := firstError(errs); err != nil {
		batch.Release(all)
		return nil, err
	}
	return all, nil
}

// deal reads the stream table and sends its records to the workers in
// chunks of at most chunkRows.
func (p *partialPool) deal(ctx context.Context, mem memory.Allocator, ch chan<- arrow.RecordBatch) error {
	r, err := p.table.Scan(ctx, mem, nil, nil)
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		rec, err := r.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		n := rec.NumRows()
		for lo := int64(0); lo < n; lo += chunkRows {
			chunk := rec
			if lo > 0 || n > chunkRows {
				chunk = rec.NewSlice(lo, min(lo+chunkRows, n))
			} else {
				chunk.Retain()
			}
			select {
			case ch <- chunk:
			case <-ctx.Done():
				chunk.Release()
				rec.Release()
				return context.Cause(ctx)
			}
		}
		rec.Release()
	}
}

// firstError prefers a real failure over the cancellations it caused.
func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}

// feedTable is one worker's view of a stream table: the chunks it takes
// from the shared channel.
type feedTable struct {
	name   string
	schema *arrow.Schema
	ch     <-chan arrow.RecordBatch
}

func (t *feedTable) Name() string          { return t.name }
func (t *feedTable) Schema() *arrow.Schema { return t.schema }

func (t *feedTable) Scan(context.Context, memory.Allocator, []string, []expr.Expr) (batch.Reader, error) {
	return &feedReader{schema: t.schema, ch: t.ch}, nil
}

type feedReader struct {
	schema *arrow.Schema
	ch     <-chan arrow.RecordBatch
}

func (r *feedReader) Schema() *arrow.Schema { return r.schema }

func (r *feedReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	select {
	case rec, ok := <-r.ch:
		if !ok {
			return nil, io.EOF
		}
		return rec, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

func (r *feedReader) Close() error { return nil }
