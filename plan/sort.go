package plan

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

// NewSort returns a stable sort of in by keys, expressions over in's columns
// of orderable (not nested) types.
func NewSort(in Node, keys []SortKey) (*Sort, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("sort: no keys")
	}
	s := in.Schema()
	for _, k := range keys {
		t, err := scalarExpr("sort key", k.Expr, s)
		if err != nil {
			return nil, err
		}
		if arrow.IsNested(t.ID()) || t.ID() == arrow.DICTIONARY || t.ID() == arrow.EXTENSION {
			return nil, fmt.Errorf("sort key: %w", &expr.TypeError{
				Expr:  k.Expr.String(),
				Types: []arrow.DataType{t},
				Msg:   "cannot order values of a nested, dictionary or extension type",
			})
		}
	}
	return &Sort{Input: in, Keys: append([]SortKey(nil), keys...), schema: s}, nil
}

// WithChildren rebuilds the sort over children[0].
func (n *Sort) WithChildren(children []Node) (Node, error) {
	if err := checkArity("sort", children, 1); err != nil {
		return nil, err
	}
	return NewSort(children[0], n.Keys)
}

// String is "n DESC" or "n".
func (k SortKey) String() string {
	if k.Desc {
		return k.Expr.String() + " DESC"
	}
	return k.Expr.String()
}

// String is e.g. "Sort [n DESC, word]".
func (n *Sort) String() string {
	parts := make([]string, len(n.Keys))
	for i, k := range n.Keys {
		parts[i] = k.String()
	}
	return "Sort [" + strings.Join(parts, ", ") + "]"
}
