package sluice

import (
	"errors"
	"fmt"

	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
)

// ErrUnsupportedOperation is wrapped by every *UnsupportedOperationError:
// errors.Is(err, ErrUnsupportedOperation) tells a query Sluice refuses by
// design (as Spark's UnsupportedOperationChecker refuses it) from one that
// failed.
var ErrUnsupportedOperation = errors.New("unsupported operation")

// UnsupportedOperationError says why a query cannot run: a batch action on a
// streaming DataFrame, or a streaming query that Spark's rules refuse for its
// output mode. Reason is Spark's message, so that it can be searched for.
type UnsupportedOperationError struct {
	Reason string
	// Node is the plan node (one line of EXPLAIN) the reason is about; empty
	// when it is about the whole query.
	Node string
}

func (e *UnsupportedOperationError) Error() string {
	if e.Node == "" {
		return e.Reason
	}
	return e.Reason + ";\n" + e.Node
}

// Unwrap returns ErrUnsupportedOperation.
func (e *UnsupportedOperationError) Unwrap() error { return ErrUnsupportedOperation }

func unsupported(n plan.Node, format string, args ...any) error {
	e := &UnsupportedOperationError{Reason: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Node = n.String()
	}
	return e
}

// Spark's messages, where Spark has one.
const (
	msgBatchOnStream   = "Queries with streaming sources must be executed with writeStream.start()"
	msgWriteStreamOnly = "'writeStream' can be called only on streaming Dataset/DataFrame"
)

// isStreaming reports whether n reads a streaming source: it scans a
// streamSource itself or through an input.
func isStreaming(n plan.Node) bool {
	if s, ok := n.(*plan.Scan); ok {
		_, streaming := s.Table.(*streamSource)
		return streaming
	}
	for _, c := range n.Children() {
		if isStreaming(c) {
			return true
		}
	}
	return false
}

// streamingAggregates returns the aggregations of n over streaming input,
// top-down.
func streamingAggregates(n plan.Node) []*plan.Aggregate {
	var out []*plan.Aggregate
	if a, ok := n.(*plan.Aggregate); ok && isStreaming(a.Input) {
		out = append(out, a)
	}
	for _, c := range n.Children() {
		out = append(out, streamingAggregates(c)...)
	}
	return out
}

// checkStreaming applies Spark's UnsupportedOperationChecker.checkForStreaming
// to the plan of a streaming query written in mode. It checks only what Spark
// users expect to be refused; the engine refuses on its own what it cannot
// run yet. There are no watermarks yet, so every streaming aggregation is
// one without a watermark.
func checkStreaming(p plan.Node, mode sink.OutputMode) error {
	if !isStreaming(p) {
		return unsupported(nil, msgWriteStreamOnly)
	}
	aggs := streamingAggregates(p)
	switch {
	case len(aggs) > 1:
		return unsupported(aggs[0], "Multiple streaming aggregations are not supported with streaming DataFrames/Datasets")
	case mode == sink.Complete && len(aggs) == 0:
		return unsupported(nil, "Complete output mode not supported when there are no streaming aggregations on streaming DataFrames/Datasets")
	case mode == sink.Append && len(aggs) > 0:
		return unsupported(aggs[0], "Append output mode not supported when there are streaming aggregations on streaming DataFrames/DataSets without watermark")
	}
	return checkNodes(p, mode)
}

// checkNodes checks every node of p on its own, bottom-up, so that the
// first error is the one nearest the input.
func checkNodes(n plan.Node, mode sink.OutputMode) error {
	for _, c := range n.Children() {
		if err := checkNodes(c, mode); err != nil {
			return err
		}
	}
	if !isStreaming(n) {
		return nil
	}
	switch n := n.(type) {
	case *plan.Aggregate:
		return checkDistinctAggs(n)
	case *plan.Sort:
		if !completeData(n.Input, mode) {
			return unsupported(n, "Sorting is not supported on streaming DataFrames/Datasets, unless it is on aggregated DataFrame/Dataset in Complete output mode")
		}
	case *plan.Limit:
		if !completeData(n.Input, mode) {
			return unsupported(n, "Limits are not supported on streaming DataFrames/Datasets, unless it is on aggregated DataFrame/Dataset in Complete output mode")
		}
	case *plan.Join:
		return checkJoin(n)
	case *plan.Union:
		for _, in := range n.Inputs {
			if !isStreaming(in) {
				return unsupported(n, "Union between streaming and batch DataFrames/Datasets is not supported")
			}
		}
	}
	return nil
}

// completeData reports whether every batch of n's output is the whole
// result, so that sorting or limiting it means what it does on a batch: n
// holds a streaming aggregation and the query runs in Complete mode
// (Spark's containsCompleteData).
func completeData(n plan.Node, mode sink.OutputMode) bool {
	return mode == sink.Complete && len(streamingAggregates(n)) > 0
}

// checkDistinctAggs refuses count(DISTINCT x) and the like in a streaming
// aggregation: a distinct set per group is state Spark does not keep.
func checkDistinctAggs(a *plan.Aggregate) error {
	for _, e := range a.Aggs {
		if fn, ok := expr.Unalias(e).(*expr.AggFunc); ok && fn.Distinct {
			return unsupported(a, "Distinct aggregations are not supported on streaming DataFrames/Datasets. Consider using approx_count_distinct() instead.")
		}
	}
	return nil
}

// checkJoin applies Spark's rules for joins with a stream: an outer side
// that is static may not be preserved against a stream (its unmatched rows
// would never be final), and stream-stream joins are not built yet.
func checkJoin(j *plan.Join) error {
	left, right := isStreaming(j.Left), isStreaming(j.Right)
	switch {
	case left && right:
		return unsupported(j, "Stream-stream joins are not supported yet: join a stream with a static DataFrame")
	case j.Type == plan.FullJoin:
		return unsupported(j, "Full outer joins with streaming DataFrames/Datasets are not supported")
	case j.Type == plan.LeftJoin && right:
		return unsupported(j, "Left outer join with a streaming DataFrame/Dataset on the right and a static DataFrame/Dataset on the left is not supported")
	case j.Type == plan.RightJoin && left:
		return unsupported(j, "Right outer join with a streaming DataFrame/Dataset on the left and a static DataFrame/Dataset on the right is not supported")
	case (j.Type == plan.SemiJoin || j.Type == plan.AntiJoin) && right:
		return unsupported(j, "Left semi/anti joins with a streaming DataFrame/Dataset on the right are not supported")
	}
	return nil
}
