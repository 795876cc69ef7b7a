package plan

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// NewUnion returns the concatenation of inputs (UNION ALL, by position). Every
// input has the same number of columns with identical types; the output takes
// the first input's names, and a column is nullable if it is in any input.
func NewUnion(inputs ...Node) (*Union, error) {
	if len(inputs) == 0 {
		return nil, fmt.Errorf("union: no inputs")
	}
	first := inputs[0].Schema()
	fields := first.Fields()
	for i, in := range inputs[1:] {
		s := in.Schema()
		if s.NumFields() != first.NumFields() {
			return nil, fmt.Errorf("union: input %d has %d columns %v, input 0 has %d %v",
				i+1, s.NumFields(), fieldNames(s), first.NumFields(), fieldNames(first))
		}
		for c := range fields {
			f := s.Field(c)
			if !arrow.TypeEqual(f.Type, fields[c].Type) {
				return nil, fmt.Errorf("union: column %d (%s) is %s in input 0 but %s in input %d",
					c, fields[c].Name, fields[c].Type, f.Type, i+1)
			}
			fields[c].Nullable = fields[c].Nullable || f.Nullable
		}
	}
	md := first.Metadata()
	return &Union{Inputs: append([]Node(nil), inputs...), schema: arrow.NewSchema(fields, &md)}, nil
}

// WithChildren rebuilds the union over children.
func (n *Union) WithChildren(children []Node) (Node, error) {
	return NewUnion(children...)
}

// String is "Union".
func (n *Union) String() string { return "Union" }
