package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// avgAcc is avg(x) over a numeric column of Go type T. Its state is two
// columns, sum float64 and count int64, neither ever NULL; the result is
// sum/count as float64, NULL for a group with count 0.
type avgAcc[T arrow.NumericType] struct {
	accHead
	sums   []float64
	counts []int64
}

var _ GroupsAccumulator = (*avgAcc[int64])(nil)

// avgStateTypes are the state columns of avg: sum, count.
var avgStateTypes = []arrow.DataType{arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Int64}

func newAvgAcc[T arrow.NumericType](name string, arg arrow.DataType) *avgAcc[T] {
	return &avgAcc[T]{accHead: accHead{name: name, input: []arrow.DataType{arg}, states: avgStateTypes, out: arrow.PrimitiveTypes.Float64}}
}

func (a *avgAcc[T]) grow() {
	a.sums = aggGrow(a.sums, a.n)
	a.counts = aggGrow(a.counts, a.n)
}

func (a *avgAcc[T]) Update(values []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkUpdate(values, groups, numGroups); err != nil {
		return err
	}
	a.grow()
	arr := values[0]
	nl := aggNullsOf(arr)
	if nl.all || len(groups) == 0 {
		return nil
	}
	vals := arrow.GetValues[T](arr.Data(), 1)[:len(groups)]
	sums, counts := a.sums, a.counts
	for i, g := range groups {
		if nl.any && nl.null(i) {
			continue
		}
		sums[g] += float64(vals[i])
		counts[g]++
	}
	return nil
}

func (a *avgAcc[T]) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	if err := a.checkMerge(states, groups, numGroups); err != nil {
		return err
	}
	a.grow()
	aggAddInto[float64](a.sums, nil, states[0], groups)
	aggAddInto[int64](a.counts, nil, states[1], groups)
	return nil
}

func (a *avgAcc[T]) State(mem memory.Allocator) ([]arrow.Array, error) {
	a.grow()
	return []arrow.Array{
		aggFixedArray(mem, arrow.PrimitiveTypes.Float64, a.sums, nil, a.n),
		aggFixedArray(mem, arrow.PrimitiveTypes.Int64, a.counts, nil, a.n),
	}, nil
}

func (a *avgAcc[T]) Evaluate(mem memory.Allocator) (arrow.Array, error) {
	a.grow()
	n := a.n
	data := memory.NewResizableBuffer(mem)
	data.Resize(n * arrow.Float64SizeBytes)
	out := arrow.Float64Traits.CastFromBytes(data.Bytes())
	valid := memory.NewResizableBuffer(mem)
	valid.Resize(int(bitutil.BytesForBits(int64(n))))
	vb := valid.Bytes()
	clear(vb)
	nullN := 0
	for g := 0; g < n; g++ {
		if c := a.counts[g]; c > 0 {
			out[g] = a.sums[g] / float64(c)
			bitutil.SetBit(vb, g)
		} else {
			out[g] = 0
			nullN++
		}
	}
	if nullN == 0 {
		valid.Release()
		valid = nil
	}
	return aggMakeArray(arrow.PrimitiveTypes.Float64, n, []*memory.Buffer{valid, data}, nil, nullN), nil
}

func (a *avgAcc[T]) Release() { a.sums, a.counts = nil, nil }
