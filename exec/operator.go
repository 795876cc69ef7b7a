package exec

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
)

// Operator is a physical operator.
type Operator interface {
	Schema() *arrow.Schema
	Children() []Operator
	// Execute returns a reader of the operator's output. It does no work
	// itself: reading starts at the reader's first Next.
	Execute(ctx context.Context, tc *TaskContext) (batch.Reader, error)
	// String describes the operator on one line, for EXPLAIN.
	String() string
}

// DefaultBatchSize is the number of rows operators aim for per output record:
// large enough to amortise per-batch overhead, small enough to stay in cache.
const DefaultBatchSize = 64 * 1024

// TaskContext carries what operators need while running one task.
type TaskContext struct {
	// Mem allocates every array the operators build.
	Mem memory.Allocator
	// BatchSize is the target number of rows per output record.
	BatchSize int
}

// NewTaskContext returns a task context with the default batch size; nil mem
// means the Go allocator.
func NewTaskContext(mem memory.Allocator) *TaskContext {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	return &TaskContext{Mem: mem, BatchSize: DefaultBatchSize}
}

// evalContext returns an expression-evaluation context for tc.
func (tc *TaskContext) evalContext(ctx context.Context) *expr.Context {
	return expr.NewContext(ctx, tc.Mem)
}
