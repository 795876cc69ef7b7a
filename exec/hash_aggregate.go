package exec

import (
	"fmt"

	"github.com/sluicestream/sluice/plan"
)

// newHashAggregate returns the hash aggregation operator for n over input.
func newHashAggregate(input Operator, n *plan.Aggregate) (Operator, error) {
	return nil, fmt.Errorf("hash aggregate: not implemented")
}
