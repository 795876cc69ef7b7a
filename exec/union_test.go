package exec

import (
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestUnion(t *testing.T) {
	mem := checkedMem(t)
	s1 := schemaOf("a", arrow.PrimitiveTypes.Int64, "b", arrow.BinaryTypes.String)
	s2 := schemaOf("x", arrow.PrimitiveTypes.Int64, "y", arrow.BinaryTypes.String)
	r1 := recordOf(t, mem, s1, `[{"a": 1, "b": "p"}, {"a": null, "b": "q"}]`)
	r2 := recordOf(t, mem, s2, `[{"x": 3, "y": null}, {"x": 4, "y": "s"}, {"x": 5, "y": "t"}]`)
	in1 := newSource(t, s1, r1)
	in2 := newSource(t, s2, recordOf(t, mem, s2, `[]`), sliceOf(t, r2, 1, 3))
	in3 := newSource(t, s2)
	op, err := newUnion([]Operator{in1, in2, in3}, s1)
	if err != nil {
		t.Fatal(err)
	}
	recs := mustRun(t, op, mem, 0)
	wantRows(t, recs, "1,p", "(null),q", "4,s", "5,t")
	for _, r := range recs {
		if !r.Schema().Equal(s1) {
			t.Errorf("schema %s, want %s", r.Schema(), s1)
		}
	}
	for _, in := range []*source{in1, in2, in3} {
		in.assertClosed(t)
	}
}

func TestUnionClosesExhaustedInputs(t *testing.T) {
	mem := checkedMem(t)
	s := schemaOf("a", arrow.PrimitiveTypes.Int64)
	in1 := newSource(t, s, recordOf(t, mem, s, `[{"a": 1}]`))
	in2 := newSource(t, s, recordOf(t, mem, s, `[{"a": 2}]`))
	op, err := newUnion([]Operator{in1, in2}, s)
	if err != nil {
		t.Fatal(err)
	}
	r, err := op.Execute(context.Background(), NewTaskContext(mem))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for range 2 {
		rec, err := r.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	in1.assertClosed(t)
}

func TestUnionErrors(t *testing.T) {
	mem := checkedMem(t)
	s := schemaOf("a", arrow.PrimitiveTypes.Int64)
	in1 := newSource(t, s)
	if _, err := newUnion(nil, s); err == nil {
		t.Error("no inputs accepted")
	}
	if _, err := newUnion([]Operator{in1, newSource(t, schemaOf("a", arrow.BinaryTypes.String))}, s); err == nil {
		t.Error("type mismatch accepted")
	}
	if _, err := newUnion([]Operator{in1, newSource(t, schemaOf())}, s); err == nil {
		t.Error("arity mismatch accepted")
	}
	bad := newSource(t, s)
	bad.execErr = errSource
	op, err := newUnion([]Operator{in1, bad}, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := op.Execute(context.Background(), NewTaskContext(mem)); !errors.Is(err, errSource) {
		t.Fatalf("got %v, want the input's Execute error", err)
	}
	in1.assertClosed(t) // executed before the failing input, so closed
}
