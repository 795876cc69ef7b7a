package exec

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
)

// The contract every single-input operator of this package keeps, checked
// for each: no read before the first Next, Close without Next closes the
// input, an input error comes through and Close still cleans up, and
// concurrent Executes are independent.

var abSchema = schemaOf("a", arrow.PrimitiveTypes.Int64, "b", arrow.BinaryTypes.String, "l", arrow.ListOf(arrow.PrimitiveTypes.Int64))

const abRows = `[{"a": 1, "b": "x", "l": [1, 2]}, {"a": null, "b": "y", "l": null}, {"a": 3, "b": null, "l": []}, {"a": 2, "b": "z", "l": [null]}]`

var unaries = []struct {
	name string
	new  func(in Operator) (Operator, error)
}{
	{"project", func(in Operator) (Operator, error) {
		return newProject(in, []expr.Expr{expr.Col("b"), expr.As(expr.Col("a"), "k")}, schemaOf("b", arrow.BinaryTypes.String, "k", arrow.PrimitiveTypes.Int64))
	}},
	{"filter", func(in Operator) (Operator, error) { return newFilter(in, gt("a", 1)) }},
	{"explode", func(in Operator) (Operator, error) {
		return newExplode(in, expr.Col("l"), "e", arrow.NewSchema(append(in.Schema().Fields(), arrow.Field{Name: "e", Type: arrow.PrimitiveTypes.Int64, Nullable: true}), nil))
	}},
	{"sort", func(in Operator) (Operator, error) { return newSort(in, []plan.SortKey{{Expr: expr.Col("a")}}) }},
	{"limit", func(in Operator) (Operator, error) { return newLimit(in, 3) }},
	{"union", func(in Operator) (Operator, error) { return newUnion([]Operator{in}, in.Schema()) }},
}

func TestOperatorLazy(t *testing.T) {
	for _, u := range unaries {
		t.Run(u.name, func(t *testing.T) {
			mem := checkedMem(t)
			src := lazySource(t, abSchema, recordOf(t, mem, abSchema, abRows))
			op, err := u.new(src)
			if err != nil {
				t.Fatal(err)
			}
			r, err := op.Execute(context.Background(), NewTaskContext(mem))
			if err != nil {
				t.Fatal(err)
			}
			if n := src.nexts(); n != 0 {
				t.Fatalf("Execute read %d times", n)
			}
			if !r.Schema().Equal(op.Schema()) {
				t.Errorf("reader schema %s, operator schema %s", r.Schema(), op.Schema())
			}
			src.arm()
			if rec, err := r.Next(context.Background()); err == nil {
				rec.Release()
			} else {
				t.Fatal(err)
			}
			if src.nexts() == 0 {
				t.Fatal("first Next read nothing")
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			src.assertClosed(t)
		})
	}
}

func TestOperatorCloseWithoutNext(t *testing.T) {
	for _, u := range unaries {
		t.Run(u.name, func(t *testing.T) {
			mem := checkedMem(t)
			src := lazySource(t, abSchema, recordOf(t, mem, abSchema, abRows))
			op, err := u.new(src)
			if err != nil {
				t.Fatal(err)
			}
			r, err := op.Execute(context.Background(), NewTaskContext(mem))
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			if err := r.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			src.assertClosed(t)
			if _, err := r.Next(context.Background()); !errors.Is(err, errClosed) {
				t.Fatalf("Next after Close: %v, want errClosed", err)
			}
		})
	}
}

func TestOperatorInputError(t *testing.T) {
	for _, u := range unaries {
		t.Run(u.name, func(t *testing.T) {
			mem := checkedMem(t)
			rec := recordOf(t, mem, abSchema, abRows)
			src := newSource(t, abSchema, rec, sliceOf(t, rec, 0, 2))
			src.failAt = 2
			op, err := u.new(src)
			if err != nil {
				t.Fatal(err)
			}
			r, err := op.Execute(context.Background(), NewTaskContext(mem))
			if err != nil {
				t.Fatal(err)
			}
			var got error
			for range 5 {
				rec, err := r.Next(context.Background())
				if err != nil {
					got = err
					break
				}
				rec.Release()
			}
			if !errors.Is(got, errSource) && u.name != "limit" {
				t.Fatalf("got %v, want the source's error", got)
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			src.assertClosed(t)
		})
	}
}

func TestOperatorExecuteError(t *testing.T) {
	for _, u := range unaries {
		t.Run(u.name, func(t *testing.T) {
			mem := checkedMem(t)
			src := newSource(t, abSchema)
			op, err := u.new(src)
			if err != nil {
				t.Fatal(err)
			}
			src.execErr = errSource
			if _, err := op.Execute(context.Background(), NewTaskContext(mem)); !errors.Is(err, errSource) {
				t.Fatalf("got %v, want the input's Execute error", err)
			}
		})
	}
}

func TestOperatorConcurrentExecute(t *testing.T) {
	for _, u := range unaries {
		t.Run(u.name, func(t *testing.T) {
			mem := checkedMem(t)
			rec := recordOf(t, mem, abSchema, abRows)
			src := newSource(t, abSchema, rec, sliceOf(t, rec, 1, 4))
			op, err := u.new(src)
			if err != nil {
				t.Fatal(err)
			}
			const n = 4
			rows := make([]int64, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					r, err := op.Execute(context.Background(), NewTaskContext(mem))
					if err != nil {
						t.Error(err)
						return
					}
					defer r.Close()
					if rows[i], err = drain(r); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			for i := 1; i < n; i++ {
				if rows[i] != rows[0] {
					t.Fatalf("runs disagree: %v", rows)
				}
			}
			src.assertClosed(t)
		})
	}
}
