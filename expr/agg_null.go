package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// nullAcc is an aggregate over an argument of type null (a bare NULL
// literal) whose result is NULL for every group: sum, avg, min, max, first,
// last. Its state columns are all NULL and carry nothing.
type nullAcc struct {
	accHead
}

var _ GroupsAccumulator = (*nullAcc)(nil)

func newNullAcc(name string, states []arrow.DataType, out arrow.DataType) *nullAcc {
	return &nullAcc{accHead{name: name, input: []arrow.DataType{arrow.Null}, states: states, out: out}}
}

func (a *nullAcc) Update(values []arrow.Array, groups []uint32, numGroups int) error {
	return a.checkUpdate(values, groups, numGroups)
}

func (a *nullAcc) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	return a.checkMerge(states, groups, numGroups)
}

func (a *nullAcc) State(mem memory.Allocator) ([]arrow.Array, error) {
	out := make([]arrow.Array, len(a.states))
	for i, t := range a.states {
		out[i] = array.MakeArrayOfNull(mem, t, a.n)
	}
	return out, nil
}

func (a *nullAcc) Evaluate(mem memory.Allocator) (arrow.Array, error) {
	return array.MakeArrayOfNull(mem, a.out, a.n), nil
}

func (a *nullAcc) Release() {}
