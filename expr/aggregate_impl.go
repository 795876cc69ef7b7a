package expr

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Type is the result type of the aggregate: int64 for count, float64 for avg,
// the argument's type otherwise (sum widens integers to int64 and floats to
// float64).
func (a *AggFunc) Type(s *arrow.Schema) (arrow.DataType, error) {
	return nil, fmt.Errorf("%s: not implemented", a)
}

// StateTypes returns the types of the partial-state columns.
func (a *AggFunc) StateTypes(s *arrow.Schema) ([]arrow.DataType, error) {
	return nil, fmt.Errorf("%s: not implemented", a)
}

// NewAccumulator returns an empty accumulator for this aggregate over input
// schema s.
func (a *AggFunc) NewAccumulator(s *arrow.Schema) (GroupsAccumulator, error) {
	return nil, fmt.Errorf("%s: not implemented", a)
}
