package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// countAcc is count(*) (no argument: every row counts) and count(x) (non-NULL
// x count). State and result are the same int64 column, never NULL: a group
// with no rows counts 0.
type countAcc struct {
	accHead
	counts []int64
}

var _ GroupsAccumulator = (*countAcc)(nil)

func newCountAcc(name string, arg arrow.DataType) *countAcc {
	a := &countAcc{accHead: accHead{name: name, states: []arrow.DataType{arrow.PrimitiveTypes.Int64}, out: arrow.PrimitiveTypes.Int64}}
	if arg != nil {
		a.input = []arrow.DataType{arg}
	}
	return a
}

func (a *countAcc) Update(values []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkUpdate(values, groups, numGroups); err != nil {
		return err
	}
	a.counts = aggGrow(a.counts, a.n)
	counts := a.counts
	if len(values) == 0 {
		for _, g := range groups {
			counts[g]++
		}
		return nil
	}
	nl := aggNullsOf(values[0])
	switch {
	case nl.all:
	case nl.any:
		for i, g := range groups {
			if !nl.null(i) {
				counts[g]++
			}
		}
	default:
		for _, g := range groups {
			counts[g]++
		}
	}
	return nil
}

func (a *countAcc) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkMerge(states, groups, numGroups); err != nil {
		return err
	}
	a.counts = aggGrow(a.counts, a.n)
	aggAddInto[int64](a.counts, nil, states[0], groups)
	return nil
}

func (a *countAcc) State(mem memory.Allocator) ([]arrow.Array, error) {
	out, err := a.Evaluate(mem)
	if err != nil {
		return nil, err
	}
	return []arrow.Array{out}, nil
}

func (a *countAcc) Evaluate(mem memory.Allocator) (arrow.Array, error) {
	a.counts = aggGrow(a.counts, a.n)
	return aggFixedArray(mem, arrow.PrimitiveTypes.Int64, a.counts, nil, a.n), nil
}

func (a *countAcc) Release() { a.counts = nil }
