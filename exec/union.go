package exec

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
)

// union concatenates its inputs in order (UNION ALL). Records keep their
// columns and take the output schema's names, the first input's. Each input
// is closed as soon as it is exhausted.
type union struct {
	inputs []Operator
	schema *arrow.Schema
}

var _ Operator = (*union)(nil)

// newUnion returns the concatenation of inputs, at least one, whose column
// types all equal schema's.
func newUnion(inputs []Operator, schema *arrow.Schema) (*union, error) {
	if len(inputs) == 0 {
		return nil, errors.New("union: no inputs")
	}
	for i, in := range inputs {
		s := in.Schema()
		if s.NumFields() != schema.NumFields() {
			return nil, fmt.Errorf("union: input %d has %d columns, want %d", i, s.NumFields(), schema.NumFields())
		}
		for j, f := range s.Fields() {
			if want := schema.Field(j); !arrow.TypeEqual(f.Type, want.Type) {
				return nil, fmt.Errorf("union: input %d column %q is %s, column %q is %s", i, f.Name, f.Type, want.Name, want.Type)
			}
		}
	}
	return &union{inputs: inputs, schema: schema}, nil
}

func (u *union) Schema() *arrow.Schema { return u.schema }
func (u *union) Children() []Operator  { return u.inputs }
func (u *union) String() string        { return "Union" }

func (u *union) Execute(ctx context.Context, tc *TaskContext) (batch.Reader, error) {
	ins := make([]batch.Reader, len(u.inputs))
	for i, op := range u.inputs {
		in, err := op.Execute(ctx, tc)
		if err != nil {
			closeAll(ins...)
			return nil, err
		}
		ins[i] = in
	}
	return &unionReader{op: u, ins: ins}, nil
}

type unionReader struct {
	op     *union
	ins    []batch.Reader // the inputs not yet exhausted, in order
	closed bool
}

func (r *unionReader) Schema() *arrow.Schema { return r.op.schema }

func (r *unionReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.closed {
		return nil, errClosed
	}
	for len(r.ins) > 0 {
		rec, err := r.ins[0].Next(ctx)
		if err == io.EOF {
			err = r.ins[0].Close()
			r.ins[0] = nil
			r.ins = r.ins[1:]
			if err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if rec.NumRows() == 0 {
			rec.Release()
			continue
		}
		out, err := newRecord(r.op.schema, rec.Columns(), rec.NumRows())
		rec.Release()
		if err != nil {
			return nil, fmt.Errorf("union: %w", err)
		}
		return out, nil
	}
	return nil, io.EOF
}

func (r *unionReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := closeAll(r.ins...)
	r.ins = nil
	return err
}
