package expr

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// AggKind names an aggregate function.
type AggKind string

// The aggregate functions.
const (
	AggCount AggKind = "count" // count(*) when Arg is nil; count(x) counts non-NULL x
	AggSum   AggKind = "sum"
	AggMin   AggKind = "min"
	AggMax   AggKind = "max"
	AggAvg   AggKind = "avg"
	AggFirst AggKind = "first" // first value seen, NULLs included (Spark's default ignoreNulls=false)
	AggLast  AggKind = "last"
)

// AggFunc is an aggregate function call such as sum(x) or count(DISTINCT x).
// It is an Expr so it can be aliased and printed; Eval on it is an error.
type AggFunc struct {
	Kind     AggKind
	Arg      Expr // nil only for count(*)
	Distinct bool
}

// CountStar is count(*).
func CountStar() *AggFunc { return &AggFunc{Kind: AggCount} }

// Count is count(x): the number of non-NULL values.
func Count(x Expr) *AggFunc { return &AggFunc{Kind: AggCount, Arg: x} }

// CountDistinct is count(DISTINCT x).
func CountDistinct(x Expr) *AggFunc { return &AggFunc{Kind: AggCount, Arg: x, Distinct: true} }

// Sum is sum(x); NULL when every input is NULL.
func Sum(x Expr) *AggFunc { return &AggFunc{Kind: AggSum, Arg: x} }

// Min is min(x).
func Min(x Expr) *AggFunc { return &AggFunc{Kind: AggMin, Arg: x} }

// Max is max(x).
func Max(x Expr) *AggFunc { return &AggFunc{Kind: AggMax, Arg: x} }

// Avg is avg(x), a float64.
func Avg(x Expr) *AggFunc { return &AggFunc{Kind: AggAvg, Arg: x} }

// First is first(x).
func First(x Expr) *AggFunc { return &AggFunc{Kind: AggFirst, Arg: x} }

// Last is last(x).
func Last(x Expr) *AggFunc { return &AggFunc{Kind: AggLast, Arg: x} }

func (a *AggFunc) String() string {
	if a.Arg == nil {
		return string(a.Kind) + "(*)"
	}
	if a.Distinct {
		return fmt.Sprintf("%s(DISTINCT %s)", a.Kind, a.Arg)
	}
	return fmt.Sprintf("%s(%s)", a.Kind, a.Arg)
}

func (a *AggFunc) Children() []Expr {
	if a.Arg == nil {
		return nil
	}
	return []Expr{a.Arg}
}

func (a *AggFunc) WithChildren(c []Expr) Expr {
	n := *a
	if len(c) > 0 {
		n.Arg = c[0]
	}
	return &n
}

// Eval is an error: aggregates are computed by the aggregation operator.
func (a *AggFunc) Eval(_ *Context, _ arrow.RecordBatch) (arrow.Array, error) {
	return nil, fmt.Errorf("aggregate %s used outside an aggregation", a)
}

// IsAggregate reports whether e contains an aggregate function.
func IsAggregate(e Expr) bool {
	found := false
	Walk(e, func(n Expr) bool {
		if _, ok := n.(*AggFunc); ok {
			found = true
		}
		return !found
	})
	return found
}

// GroupsAccumulator computes one aggregate for many groups at once, in the
// style of a vectorised hash aggregation: the operator maps each input row to a
// dense group index and hands whole columns over, so there is no per-row
// interface call.
//
// The partial state of an aggregate (State) is a fixed list of columns, one row
// per group; Merge folds such partial states in. This is what splits an
// aggregation into partial and final phases, and what a streaming aggregation
// keeps in the state store between micro-batches.
type GroupsAccumulator interface {
	// Update folds the argument values into groups: row i goes to groups[i];
	// every index is < numGroups, and numGroups never shrinks between calls.
	// values is empty for count(*).
	Update(values []arrow.Array, groups []uint32, numGroups int) error
	// Merge folds partial states (columns as State returns them) into groups.
	Merge(states []arrow.Array, groups []uint32, numGroups int) error
	// State returns the partial state of every group, numGroups rows per
	// column. The caller releases the arrays.
	State(mem memory.Allocator) ([]arrow.Array, error)
	// Evaluate returns the final value of every group. The caller releases it.
	Evaluate(mem memory.Allocator) (arrow.Array, error)
	// Release frees the accumulator's memory.
	Release()
}
