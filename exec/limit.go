package exec

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
)

// limit passes on the first n rows of its input. It slices the record that
// crosses the limit and closes the input as soon as the limit is reached, so
// upstream stops reading early; with n == 0 the input is never read.
type limit struct {
	input Operator
	n     int64
}

var _ Operator = (*limit)(nil)

// newLimit returns the first n rows of input; n must not be negative.
func newLimit(input Operator, n int64) (*limit, error) {
	if n < 0 {
		return nil, fmt.Errorf("limit %d: negative", n)
	}
	return &limit{input: input, n: n}, nil
}

func (l *limit) Schema() *arrow.Schema { return l.input.Schema() }
func (l *limit) Children() []Operator  { return []Operator{l.input} }
func (l *limit) String() string        { return fmt.Sprintf("Limit %d", l.n) }

func (l *limit) Execute(ctx context.Context, tc *TaskContext) (batch.Reader, error) {
	in, err := l.input.Execute(ctx, tc)
	if err != nil {
		return nil, err
	}
	return &limitReader{op: l, in: in, left: l.n}, nil
}

type limitReader struct {
	op     *limit
	in     batch.Reader // nil once closed
	left   int64        // rows still to pass on
	closed bool
}

func (r *limitReader) Schema() *arrow.Schema { return r.op.Schema() }

func (r *limitReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.closed {
		return nil, errClosed
	}
	for r.left > 0 {
		rec, err := r.in.Next(ctx)
		if err != nil {
			return nil, err
		}
		n := rec.NumRows()
		switch {
		case n == 0:
			rec.Release()
			continue
		case n < r.left:
			r.left -= n
			return rec, nil
		case n > r.left:
			sliced := rec.NewSlice(0, r.left)
			rec.Release()
			rec = sliced
		}
		r.left = 0
		if err := r.closeInput(); err != nil {
			rec.Release()
			return nil, err
		}
		return rec, nil
	}
	if err := r.closeInput(); err != nil {
		return nil, err
	}
	return nil, io.EOF
}

// closeInput closes the input once the limit is reached.
func (r *limitReader) closeInput() error {
	if r.in == nil {
		return nil
	}
	err := r.in.Close()
	r.in = nil
	return err
}

func (r *limitReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	return r.closeInput()
}
