package exec

import (
	"fmt"

	"github.com/sluicestream/sluice/plan"
)

// newHashJoin returns the hash join operator for n over its two inputs.
func newHashJoin(left, right Operator, n *plan.Join) (Operator, error) {
	return nil, fmt.Errorf("hash join: not implemented")
}
