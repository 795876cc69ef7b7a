package exec

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
)

// project computes one output column per expression. A column reference
// costs nothing: its array is shared with the input record, not copied.
type project struct {
	input  Operator
	exprs  []expr.Expr
	schema *arrow.Schema
}

var _ Operator = (*project)(nil)

// newProject returns a projection of input; schema has one field per
// expression, of the expression's type.
func newProject(input Operator, exprs []expr.Expr, schema *arrow.Schema) (*project, error) {
	if len(exprs) != schema.NumFields() {
		return nil, fmt.Errorf("project: %d expressions for a schema of %d fields", len(exprs), schema.NumFields())
	}
	for i, e := range exprs {
		t, err := e.Type(input.Schema())
		if err != nil {
			return nil, fmt.Errorf("project %s: %w", e, err)
		}
		if want := schema.Field(i).Type; !arrow.TypeEqual(t, want) {
			return nil, fmt.Errorf("project %s: type %s, schema says %s", e, t, want)
		}
	}
	return &project{input: input, exprs: exprs, schema: schema}, nil
}

func (p *project) Schema() *arrow.Schema { return p.schema }
func (p *project) Children() []Operator  { return []Operator{p.input} }
func (p *project) String() string        { return "Project [" + joinExprs(p.exprs) + "]" }

func (p *project) Execute(ctx context.Context, tc *TaskContext) (batch.Reader, error) {
	in, err := p.input.Execute(ctx, tc)
	if err != nil {
		return nil, err
	}
	return &projectReader{op: p, tc: tc, in: in}, nil
}

type projectReader struct {
	op *project
	tc *TaskContext
	in batch.Reader // nil once closed
}

func (r *projectReader) Schema() *arrow.Schema { return r.op.schema }

func (r *projectReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.in == nil {
		return nil, errClosed
	}
	for {
		rec, err := r.in.Next(ctx)
		if err != nil {
			return nil, err
		}
		if rec.NumRows() == 0 {
			rec.Release()
			continue
		}
		out, err := r.eval(r.tc.evalContext(ctx), rec)
		rec.Release()
		return out, err
	}
}

// eval computes every expression over rec.
func (r *projectReader) eval(ectx *expr.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, len(r.op.exprs))
	defer releaseArrays(cols)
	for i, e := range r.op.exprs {
		c, err := e.Eval(ectx, rec)
		if err != nil {
			return nil, fmt.Errorf("project %s: %w", e, err)
		}
		cols[i] = c
	}
	out, err := newRecord(r.op.schema, cols, rec.NumRows())
	if err != nil {
		return nil, fmt.Errorf("project: %w", err)
	}
	return out, nil
}

func (r *projectReader) Close() error {
	if r.in == nil {
		return nil
	}
	err := r.in.Close()
	r.in = nil
	return err
}
