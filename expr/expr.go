package expr

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Expr is a scalar expression over the columns of one record batch.
type Expr interface {
	// String renders the expression as SQL-like text. An expression that is not
	// an Alias is named by its String in an output schema.
	String() string
	// Children returns the direct sub-expressions, in a fixed order.
	Children() []Expr
	// WithChildren returns a copy of the expression with its children replaced;
	// len(children) == len(Children()).
	WithChildren(children []Expr) Expr
	// Type resolves the result type against the input schema. An error names
	// the expression and the offending types or the unknown column.
	Type(s *arrow.Schema) (arrow.DataType, error)
	// Eval evaluates the expression for every row of rec and returns an array
	// of rec.NumRows() values. The caller releases the array.
	Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error)
}

// Context carries what evaluation needs: cancellation and the allocator every
// returned array is built with.
type Context struct {
	Ctx context.Context
	Mem memory.Allocator
}

// NewContext returns an evaluation context; a nil allocator means the Go
// allocator.
func NewContext(ctx context.Context, mem memory.Allocator) *Context {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	return &Context{Ctx: ctx, Mem: mem}
}

// ComputeCtx returns a context for arrow-go compute calls that allocates from
// the evaluation allocator.
func (c *Context) ComputeCtx() context.Context {
	return compute.WithAllocator(c.Ctx, c.Mem)
}

// TypeError says an expression cannot be applied to the types it was given.
type TypeError struct {
	Expr  string // the expression, as String renders it
	Types []arrow.DataType
	Msg   string
}

func (e *TypeError) Error() string {
	return fmt.Sprintf("type error in %s: %s (types %v)", e.Expr, e.Msg, e.Types)
}

// UnknownColumnError says a column reference names no column of the schema.
type UnknownColumnError struct {
	Name      string
	Available []string
}

func (e *UnknownColumnError) Error() string {
	return fmt.Sprintf("unknown column %q; columns are %v", e.Name, e.Available)
}

// OutputName is the name an expression gives its output column: the alias if
// it has one, otherwise its String.
func OutputName(e Expr) string {
	if a, ok := e.(*Alias); ok {
		return a.Name
	}
	if c, ok := e.(*Column); ok {
		return c.Name
	}
	return e.String()
}

// Walk calls fn for e and every sub-expression, parents first; it stops
// descending below a node for which fn returns false.
func Walk(e Expr, fn func(Expr) bool) {
	if !fn(e) {
		return
	}
	for _, c := range e.Children() {
		Walk(c, fn)
	}
}

// Transform rebuilds e bottom-up, replacing every node n by fn(n).
func Transform(e Expr, fn func(Expr) (Expr, error)) (Expr, error) {
	kids := e.Children()
	if len(kids) > 0 {
		nk := make([]Expr, len(kids))
		changed := false
		for i, k := range kids {
			n, err := Transform(k, fn)
			if err != nil {
				return nil, err
			}
			nk[i] = n
			changed = changed || n != k
		}
		if changed {
			e = e.WithChildren(nk)
		}
	}
	return fn(e)
}

// Columns returns the names of the columns e references, in first-use order,
// without duplicates.
func Columns(e Expr) []string {
	var out []string
	seen := map[string]bool{}
	Walk(e, func(n Expr) bool {
		if c, ok := n.(*Column); ok && !seen[c.Name] {
			seen[c.Name] = true
			out = append(out, c.Name)
		}
		return true
	})
	return out
}
