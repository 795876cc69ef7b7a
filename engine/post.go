package engine

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/exec"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
)

// splitAggregate finds the streaming aggregation of p: the plan.Aggregate
// under a chain of Project, Filter, Sort and Limit nodes at the top. above
// is that chain, top first; agg is nil for a stateless plan.
func splitAggregate(p plan.Node) (agg *plan.Aggregate, above []plan.Node) {
	for n := p; ; {
		switch t := n.(type) {
		case *plan.Aggregate:
			return t, above
		case *plan.Project, *plan.Filter, *plan.Sort, *plan.Limit:
			above = append(above, n)
			n = n.Children()[0]
		default:
			return nil, nil
		}
	}
}

// post is what a query does above its streaming aggregation, run over
// each batch's aggregated rows: the same plan nodes over a table of them.
type post struct {
	table *rowsTable
	op    exec.Operator // nil: nothing above the aggregation
}

// newPost builds the nodes above agg. Sorting and limiting are refused
// unless the output mode is Complete, as Spark refuses them: in Update mode
// a batch's rows are only the changed groups, and an order or a top-N of
// those means nothing to the reader of the result.
func newPost(agg *plan.Aggregate, above []plan.Node, mode sink.OutputMode) (*post, error) {
	p := &post{table: &rowsTable{schema: agg.Schema()}}
	if len(above) == 0 {
		return p, nil
	}
	var n plan.Node = plan.NewScan(p.table)
	for i := len(above) - 1; i >= 0; i-- {
		switch above[i].(type) {
		case *plan.Sort, *plan.Limit:
			if mode != sink.Complete {
				return nil, fmt.Errorf("engine: %s over a streaming aggregation needs complete output mode: in %v mode a batch holds only the changed groups", above[i], mode)
			}
		}
		var err error
		if n, err = above[i].WithChildren([]plan.Node{n}); err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
	}
	optimized, err := plan.Optimize(n)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	if p.op, err = exec.Build(optimized); err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	return p, nil
}

// schema is the schema of what post writes to the sink.
func (p *post) schema() *arrow.Schema {
	if p.op == nil {
		return p.table.schema
	}
	return p.op.Schema()
}

// reader returns the sink's rows for a batch whose aggregated rows are
// recs; it takes recs over.
func (p *post) reader(ctx context.Context, mem memory.Allocator, recs []arrow.RecordBatch) (batch.Reader, error) {
	if p.op == nil {
		return batch.NewSliceReader(p.table.schema, recs...), nil
	}
	p.table.recs = recs
	defer func() {
		batch.Release(p.table.recs)
		p.table.recs = nil
	}()
	r, err := p.op.Execute(ctx, exec.NewTaskContext(mem))
	if err != nil {
		return nil, err
	}
	// Sort and limit read everything before they return a row: collect now
	// so the table's rows can go.
	out, err := batch.ReadAll(ctx, r)
	r.Close()
	if err != nil {
		return nil, err
	}
	return batch.NewSliceReader(p.op.Schema(), out...), nil
}

// rowsTable is one batch's aggregated rows as a table.
type rowsTable struct {
	schema *arrow.Schema
	recs   []arrow.RecordBatch
}

func (t *rowsTable) Name() string          { return "streaming aggregation" }
func (t *rowsTable) Schema() *arrow.Schema { return t.schema }

func (t *rowsTable) Scan(context.Context, memory.Allocator, []string, []expr.Expr) (batch.Reader, error) {
	recs := make([]arrow.RecordBatch, len(t.recs)) // the reader consumes its slice
	for i, r := range t.recs {
		r.Retain()
		recs[i] = r
	}
	return batch.NewSliceReader(t.schema, recs...), nil
}
