package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// sumAcc is sum(x) over a numeric column of Go type T, summed as S (int64
// for integers, wrapping on overflow as Spark's non-ANSI mode does; float64
// for floats). State and result are the same nullable S column: NULL for a
// group that has seen no non-NULL value.
type sumAcc[T arrow.NumericType, S int64 | float64] struct {
	accHead
	sums []S
	seen []byte // bit per group: a non-NULL value was added
}

var _ GroupsAccumulator = (*sumAcc[int32, int64])(nil)

func newSumAcc[T arrow.NumericType, S int64 | float64](name string, arg, out arrow.DataType) *sumAcc[T, S] {
	return &sumAcc[T, S]{accHead: accHead{name: name, input: []arrow.DataType{arg}, states: []arrow.DataType{out}, out: out}}
}

func (a *sumAcc[T, S]) grow() {
	a.sums = aggGrow(a.sums, a.n)
	a.seen = aggGrowBits(a.seen, a.n)
}

func (a *sumAcc[T, S]) Update(values []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkUpdate(values, groups, numGroups); err != nil {
		return err
	}
	a.grow()
	aggAddInto[T](a.sums, a.seen, values[0], groups)
	return nil
}

func (a *sumAcc[T, S]) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkMerge(states, groups, numGroups); err != nil {
		return err
	}
	a.grow()
	aggAddInto[S](a.sums, a.seen, states[0], groups)
	return nil
}

func (a *sumAcc[T, S]) State(mem memory.Allocator) ([]arrow.Array, error) {
	out, err := a.Evaluate(mem)
	if err != nil {
		return nil, err
	}
	return []arrow.Array{out}, nil
}

func (a *sumAcc[T, S]) Evaluate(mem memory.Allocator) (arrow.Array, error) {
	a.grow()
	return aggFixedArray(mem, a.states[0], a.sums, a.seen, a.n), nil
}

func (a *sumAcc[T, S]) Release() { a.sums, a.seen = nil, nil }

// aggAddInto adds every non-NULL value of arr (laid out as T) to sums[groups[i]]
// and, if seen is not nil, marks the group in seen.
func aggAddInto[T arrow.NumericType, S int64 | float64](sums []S, seen []byte, arr arrow.Array, groups []uint32) {
	nl := aggNullsOf(arr)
	if nl.all || len(groups) == 0 {
		return
	}
	vals := arrow.GetValues[T](arr.Data(), 1)[:len(groups)]
	switch {
	case nl.any:
		for i, g := range groups {
			if nl.null(i) {
				continue
			}
			sums[g] += S(vals[i])
			if seen != nil {
				aggSetBit(seen, g)
			}
		}
	case seen == nil:
		for i, g := range groups {
			sums[g] += S(vals[i])
		}
	default:
		for i, g := range groups {
			sums[g] += S(vals[i])
			aggSetBit(seen, g)
		}
	}
}
