package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/expr"
)

// aggGroups is one run of an aggregation held in memory: the group table
// and one accumulator per aggregate. Rows (Single, Partial) or partial states
// (Final) are folded in a batch at a time, each batch's keys mapped to group
// indices in one pass and every accumulator handed whole columns.
//
// Without grouping keys there is exactly one group, from the start, so an
// empty input still yields one row.
type aggGroups struct {
	spec   *aggSpec
	table  *GroupTable // nil without grouping keys
	accs   []expr.GroupsAccumulator
	groups []uint32 // scratch: the group of every row of the current batch
	synced int      // the numGroups the accumulators were last told
}

func newAggGroups(spec *aggSpec) (*aggGroups, error) {
	g := &aggGroups{spec: spec}
	if len(spec.groupBy) > 0 {
		t, err := NewGroupTable(spec.groupTypes())
		if err != nil {
			return nil, err
		}
		g.table = t
	}
	for _, fn := range spec.aggs {
		acc, err := fn.NewAccumulator(spec.input)
		if err != nil {
			g.release()
			return nil, fmt.Errorf("aggregate %s: %w", fn, err)
		}
		g.accs = append(g.accs, acc)
	}
	return g, nil
}

// numGroups is the current number of groups.
func (g *aggGroups) numGroups() int {
	if g.table == nil {
		return 1
	}
	return g.table.Len()
}

// assign maps the n rows whose key columns are keys to groups, in g.groups.
func (g *aggGroups) assign(keys []arrow.Array, n int) ([]uint32, error) {
	if cap(g.groups) < n {
		g.groups = make([]uint32, n)
	}
	groups := g.groups[:n]
	if g.table == nil {
		clear(groups)
		return groups, nil
	}
	if err := g.table.Insert(keys, groups); err != nil {
		return nil, err
	}
	return groups, nil
}

// update folds the input rows of rec into the groups (Single and Partial).
func (g *aggGroups) update(ectx *expr.Context, rec arrow.RecordBatch) error {
	keys, err := evalExprs(ectx, g.spec.groupBy, rec)
	if err != nil {
		return err
	}
	groups, err := g.assign(keys, int(rec.NumRows()))
	releaseArrays(keys)
	if err != nil {
		return err
	}
	n := g.numGroups()
	for i, fn := range g.spec.aggs {
		var vals []arrow.Array
		if fn.Arg != nil {
			v, err := fn.Arg.Eval(ectx, rec)
			if err != nil {
				return fmt.Errorf("aggregate %s: %w", fn, err)
			}
			vals = []arrow.Array{v}
		}
		err := g.accs[i].Update(vals, groups, n)
		releaseArrays(vals)
		if err != nil {
			return fmt.Errorf("aggregate %s: %w", fn, err)
		}
	}
	g.synced = n
	return nil
}

// merge folds a Partial aggregation's output rec (grouping columns, then
// every aggregate's state columns) into the groups (Final).
func (g *aggGroups) merge(rec arrow.RecordBatch) error {
	cols := rec.Columns()
	nk := len(g.spec.groupFields)
	groups, err := g.assign(cols[:nk], int(rec.NumRows()))
	if err != nil {
		return err
	}
	n := g.numGroups()
	next := nk
	for i, fn := range g.spec.aggs {
		ns := len(g.spec.stateFields[i])
		if err := g.accs[i].Merge(cols[next:next+ns], groups, n); err != nil {
			return fmt.Errorf("merge aggregate %s: %w", fn, err)
		}
		next += ns
	}
	g.synced = n
	return nil
}

// sync tells the accumulators about groups they have not seen in an Update:
// only the single group of an ungrouped aggregation over empty input.
func (g *aggGroups) sync(mem memory.Allocator) error {
	n := g.numGroups()
	if g.synced == n {
		return nil
	}
	for i, fn := range g.spec.aggs {
		var empty []arrow.Array
		if fn.Arg != nil {
			t, err := fn.Arg.Type(g.spec.input)
			if err != nil {
				return err
			}
			empty = []arrow.Array{array.MakeArrayOfNull(mem, t, 0)}
		}
		err := g.accs[i].Update(empty, nil, n)
		releaseArrays(empty)
		if err != nil {
			return fmt.Errorf("aggregate %s: %w", fn, err)
		}
	}
	g.synced = n
	return nil
}

// keyColumns returns the grouping columns of every group. The caller
// releases them.
func (g *aggGroups) keyColumns(mem memory.Allocator) ([]arrow.Array, error) {
	if g.table == nil {
		return nil, nil
	}
	return g.table.KeyColumns(mem)
}

// values returns each aggregate's final value per group. The caller
// releases them.
func (g *aggGroups) values(mem memory.Allocator) ([]arrow.Array, error) {
	if err := g.sync(mem); err != nil {
		return nil, err
	}
	out := make([]arrow.Array, 0, len(g.accs))
	for i, acc := range g.accs {
		v, err := acc.Evaluate(mem)
		if err != nil {
			releaseArrays(out)
			return nil, fmt.Errorf("aggregate %s: %w", g.spec.aggs[i], err)
		}
		out = append(out, v)
	}
	return out, nil
}

// states returns each aggregate's state columns per group, in order. The
// caller releases them.
func (g *aggGroups) states(mem memory.Allocator) ([]arrow.Array, error) {
	if err := g.sync(mem); err != nil {
		return nil, err
	}
	out := make([]arrow.Array, 0, g.spec.numStates())
	for i, acc := range g.accs {
		st, err := acc.State(mem)
		if err != nil {
			releaseArrays(out)
			return nil, fmt.Errorf("aggregate %s: %w", g.spec.aggs[i], err)
		}
		if len(st) != len(g.spec.stateFields[i]) {
			releaseArrays(st)
			releaseArrays(out)
			return nil, fmt.Errorf("aggregate %s: %d state columns, want %d", g.spec.aggs[i], len(st), len(g.spec.stateFields[i]))
		}
		out = append(out, st...)
	}
	return out, nil
}

// release frees the accumulators.
func (g *aggGroups) release() {
	for _, acc := range g.accs {
		acc.Release()
	}
	g.accs = nil
}

// evalExprs evaluates every expression over rec. The caller releases the
// arrays; on error none are returned.
func evalExprs(ectx *expr.Context, exprs []expr.Expr, rec arrow.RecordBatch) ([]arrow.Array, error) {
	out := make([]arrow.Array, 0, len(exprs))
	for _, e := range exprs {
		a, err := e.Eval(ectx, rec)
		if err != nil {
			releaseArrays(out)
			return nil, fmt.Errorf("%s: %w", e, err)
		}
		out = append(out, a)
	}
	return out, nil
}
