package exec

import (
	"encoding/base64"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
)

// AggregateMode is the phase of an aggregation an operator runs, as in
// DataFusion and Spark: a Single aggregation turns rows into final values; a
// Partial one turns rows into partial states (mergeable, e.g. on every
// partition of a distributed query or every micro-batch of a stream); a Final
// one merges partial states into final values. Partial then Final gives the
// same rows as Single.
type AggregateMode int

// The aggregation phases.
const (
	AggregateSingle  AggregateMode = iota // rows in, final values out
	AggregatePartial                      // rows in, group keys and partial states out
	AggregateFinal                        // a Partial's output in, final values out
)

func (m AggregateMode) String() string {
	switch m {
	case AggregateSingle:
		return "single"
	case AggregatePartial:
		return "partial"
	case AggregateFinal:
		return "final"
	}
	return "AggregateMode(" + strconv.Itoa(int(m)) + ")"
}

// PartialInputMetadataKey is the schema metadata key under which a Partial
// aggregation's output schema records the schema of the Partial's input, as
// an Arrow IPC stream with no records, base64-encoded. A Final aggregation
// needs it to type the aggregates it merges (their arguments are expressions
// over that input), and metadata travels with the schema across an exchange
// or an IPC hop, where the operator that produced it is out of reach.
const PartialInputMetadataKey = "sluice.aggregate.partial_input"

// aggSpec is an aggregation resolved against the rows it reads: the group-by
// keys and aggregates with their output, state and argument types. Hash
// aggregation in every mode, and a streaming aggregation, share it.
type aggSpec struct {
	input       *arrow.Schema // what groupBy and the aggregate arguments are evaluated over
	groupBy     []expr.Expr
	aggs        []*expr.AggFunc // aliases removed
	groupFields []arrow.Field
	aggFields   []arrow.Field   // the final value of each aggregate
	stateFields [][]arrow.Field // the partial state columns of each aggregate
}

// newAggSpec resolves groupBy and aggs (each an *expr.AggFunc, optionally
// aliased) against input.
func newAggSpec(input *arrow.Schema, groupBy, aggs []expr.Expr) (*aggSpec, error) {
	s := &aggSpec{input: input, groupBy: groupBy}
	for _, g := range groupBy {
		t, err := g.Type(input)
		if err != nil {
			return nil, fmt.Errorf("group by %s: %w", g, err)
		}
		s.groupFields = append(s.groupFields, arrow.Field{Name: expr.OutputName(g), Type: t, Nullable: true})
	}
	for _, a := range aggs {
		fn, ok := expr.Unalias(a).(*expr.AggFunc)
		if !ok {
			return nil, fmt.Errorf("aggregate %s: not an aggregate function", a)
		}
		t, err := fn.Type(input)
		if err != nil {
			return nil, fmt.Errorf("aggregate %s: %w", a, err)
		}
		st, err := fn.StateTypes(input)
		if err != nil {
			return nil, fmt.Errorf("aggregate %s: %w", a, err)
		}
		name := expr.OutputName(a)
		s.aggs = append(s.aggs, fn)
		s.aggFields = append(s.aggFields, arrow.Field{Name: name, Type: t, Nullable: fn.Kind != expr.AggCount})
		states := make([]arrow.Field, len(st))
		for i, dt := range st {
			states[i] = arrow.Field{Name: stateName(name, i, len(st)), Type: dt, Nullable: true}
		}
		s.stateFields = append(s.stateFields, states)
	}
	return s, nil
}

// stateName names state column i of n of the aggregate named name: the name
// itself for a one-column state, "name#i" otherwise.
func stateName(name string, i, n int) string {
	if n == 1 {
		return name
	}
	return name + "#" + strconv.Itoa(i)
}

// outputSchema is the grouping columns then each aggregate's final value.
func (s *aggSpec) outputSchema() *arrow.Schema {
	fields := append(append([]arrow.Field(nil), s.groupFields...), s.aggFields...)
	return arrow.NewSchema(fields, nil)
}

// partialSchema is the grouping columns then each aggregate's state columns,
// with the input schema recorded under PartialInputMetadataKey.
func (s *aggSpec) partialSchema() (*arrow.Schema, error) {
	fields := append([]arrow.Field(nil), s.groupFields...)
	for _, st := range s.stateFields {
		fields = append(fields, st...)
	}
	enc, err := batch.EncodeIPC(s.input, nil)
	if err != nil {
		return nil, fmt.Errorf("record partial input schema: %w", err)
	}
	md := arrow.NewMetadata([]string{PartialInputMetadataKey}, []string{base64.StdEncoding.EncodeToString(enc)})
	return arrow.NewSchema(fields, &md), nil
}

// partialInput recovers the input schema a Partial aggregation recorded in
// its output schema s.
func partialInput(s *arrow.Schema) (*arrow.Schema, error) {
	v, ok := s.Metadata().GetValue(PartialInputMetadataKey)
	if !ok {
		return nil, fmt.Errorf("input is not the output of a partial aggregation: its schema has no %q metadata", PartialInputMetadataKey)
	}
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("partial aggregation metadata: %w", err)
	}
	in, recs, err := batch.DecodeIPC(memory.DefaultAllocator, raw)
	if err != nil {
		return nil, fmt.Errorf("partial aggregation metadata: %w", err)
	}
	batch.Release(recs)
	return in, nil
}

// checkPartialInput checks that got, the schema a Final aggregation reads,
// has the columns of the Partial output want.
func checkPartialInput(got, want *arrow.Schema) error {
	if got.NumFields() != want.NumFields() {
		return fmt.Errorf("partial input has %d columns, want %d (%s)", got.NumFields(), want.NumFields(), want)
	}
	for i, f := range want.Fields() {
		if g := got.Field(i); !arrow.TypeEqual(g.Type, f.Type) {
			return fmt.Errorf("partial input column %d (%q) is %s, want %s", i, g.Name, g.Type, f.Type)
		}
	}
	return nil
}

// numStates is the number of state columns over all aggregates.
func (s *aggSpec) numStates() int {
	n := 0
	for _, st := range s.stateFields {
		n += len(st)
	}
	return n
}

// groupTypes returns the grouping column types.
func (s *aggSpec) groupTypes() []arrow.DataType {
	out := make([]arrow.DataType, len(s.groupFields))
	for i, f := range s.groupFields {
		out[i] = f.Type
	}
	return out
}
