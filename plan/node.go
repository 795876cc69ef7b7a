package plan

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
)

// Node is a logical plan node.
type Node interface {
	// Schema is the node's output schema, fixed when the node was built.
	Schema() *arrow.Schema
	// Children returns the inputs, in a fixed order.
	Children() []Node
	// WithChildren rebuilds the node over new inputs, analyzing it again.
	WithChildren(children []Node) (Node, error)
	// String describes the node on one line, for EXPLAIN.
	String() string
}

// Table is data a Scan reads: a file set, an in-memory table, later a stream's
// micro-batch.
type Table interface {
	// Name identifies the table in EXPLAIN output and errors.
	Name() string
	Schema() *arrow.Schema
	// Scan returns a reader of the table's rows with only the named columns, in
	// that order (nil means all). Filters are a hint the table may use to skip
	// data; the rows it returns need not satisfy them.
	Scan(ctx context.Context, mem memory.Allocator, columns []string, filters []expr.Expr) (batch.Reader, error)
}

// Scan reads a Table. Columns and Filters are set by the optimiser's
// push-down; Filters pushed here are still applied by the scan operator.
type Scan struct {
	Table   Table
	Columns []string    // nil: every column of Table
	Filters []expr.Expr // conjuncts every output row satisfies
	schema  *arrow.Schema
}

// Project computes one output column per expression, named by expr.OutputName.
type Project struct {
	Input  Node
	Exprs  []expr.Expr
	schema *arrow.Schema
}

// Filter keeps the rows for which Cond is true (not false, not NULL).
type Filter struct {
	Input  Node
	Cond   expr.Expr
	schema *arrow.Schema
}

// Explode emits one row per element of the list Expr evaluates to, with the
// input columns (except those in Drop) plus the element as column As. Rows
// whose list is NULL or empty produce no row (Spark's explode, not
// explode_outer). Projection push-down fills Drop with the input columns no
// one above uses — typically the list's own source, e.g. the line a word came
// from — so they are not copied once per element (Spark's Generate drops
// unrequired child columns the same way).
type Explode struct {
	Input  Node
	Expr   expr.Expr
	As     string
	Drop   []string
	schema *arrow.Schema
}

// Aggregate groups its input by GroupBy and computes Aggs per group. The
// output has the grouping columns first, then one column per aggregate. Each
// Aggs entry is an *expr.AggFunc, optionally under an *expr.Alias. With no
// GroupBy it produces exactly one row, also over empty input.
type Aggregate struct {
	Input   Node
	GroupBy []expr.Expr
	Aggs    []expr.Expr
	schema  *arrow.Schema
}

// SortKey orders by one expression. NULLs sort first ascending and last
// descending, as in Spark.
type SortKey struct {
	Expr expr.Expr
	Desc bool
}

// Sort orders its input by Keys, stably.
type Sort struct {
	Input  Node
	Keys   []SortKey
	schema *arrow.Schema
}

// Limit keeps the first N rows.
type Limit struct {
	Input  Node
	N      int64
	schema *arrow.Schema
}

// JoinType is the kind of join.
type JoinType int

// Join types.
const (
	InnerJoin JoinType = iota
	LeftJoin
	RightJoin
	FullJoin
	SemiJoin // left rows with at least one match; left columns only
	AntiJoin // left rows with no match; left columns only
)

func (t JoinType) String() string {
	return [...]string{"inner", "left", "right", "full", "semi", "anti"}[t]
}

// Join is an equi-join: LeftKeys[i] = RightKeys[i] for all i (NULL keys never
// match), and Extra (may be nil) true over the joined row. LeftKeys are
// evaluated over the left input, RightKeys over the right, Extra over the
// joined row. The output has the left columns then the right columns (left
// only for semi and anti); a right column whose name a left column already
// has is renamed "<name>_right", so no output name is ambiguous. Outer joins
// make the columns of the side that may be missing NULL.
type Join struct {
	Left, Right         Node
	Type                JoinType
	LeftKeys, RightKeys []expr.Expr
	Extra               expr.Expr
	schema              *arrow.Schema
	joined              *arrow.Schema // left then renamed right columns: what Extra sees
}

// Union concatenates its inputs (UNION ALL); every input has the same column
// types, and the output takes the first input's names.
type Union struct {
	Inputs []Node
	schema *arrow.Schema
}

func (n *Scan) Schema() *arrow.Schema      { return n.schema }
func (n *Project) Schema() *arrow.Schema   { return n.schema }
func (n *Filter) Schema() *arrow.Schema    { return n.schema }
func (n *Explode) Schema() *arrow.Schema   { return n.schema }
func (n *Aggregate) Schema() *arrow.Schema { return n.schema }
func (n *Sort) Schema() *arrow.Schema      { return n.schema }
func (n *Limit) Schema() *arrow.Schema     { return n.schema }
func (n *Join) Schema() *arrow.Schema      { return n.schema }
func (n *Union) Schema() *arrow.Schema     { return n.schema }

func (n *Scan) Children() []Node      { return nil }
func (n *Project) Children() []Node   { return []Node{n.Input} }
func (n *Filter) Children() []Node    { return []Node{n.Input} }
func (n *Explode) Children() []Node   { return []Node{n.Input} }
func (n *Aggregate) Children() []Node { return []Node{n.Input} }
func (n *Sort) Children() []Node      { return []Node{n.Input} }
func (n *Limit) Children() []Node     { return []Node{n.Input} }
func (n *Join) Children() []Node      { return []Node{n.Left, n.Right} }
func (n *Union) Children() []Node     { return n.Inputs }

var (
	_ Node = (*Scan)(nil)
	_ Node = (*Project)(nil)
	_ Node = (*Filter)(nil)
	_ Node = (*Explode)(nil)
	_ Node = (*Aggregate)(nil)
	_ Node = (*Sort)(nil)
	_ Node = (*Limit)(nil)
	_ Node = (*Join)(nil)
	_ Node = (*Union)(nil)
)
