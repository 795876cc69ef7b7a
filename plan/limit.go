package plan

import (
	"fmt"
)

// NewLimit returns the first n rows of in; n ≥ 0.
func NewLimit(in Node, n int64) (*Limit, error) {
	if n < 0 {
		return nil, fmt.Errorf("limit %d: negative", n)
	}
	return &Limit{Input: in, N: n, schema: in.Schema()}, nil
}

// WithChildren rebuilds the limit over children[0].
func (n *Limit) WithChildren(children []Node) (Node, error) {
	if err := checkArity("limit", children, 1); err != nil {
		return nil, err
	}
	return NewLimit(children[0], n.N)
}

// String is e.g. "Limit 10".
func (n *Limit) String() string { return fmt.Sprintf("Limit %d", n.N) }
