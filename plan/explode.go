package plan

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

// NewExplode returns an explode of in: list, a list-typed expression over in's
// columns, yields one row per element, with every input column plus the
// element as column as.
func NewExplode(in Node, list expr.Expr, as string) (*Explode, error) {
	s := in.Schema()
	t, err := scalarExpr("explode list", list, s)
	if err != nil {
		return nil, err
	}
	lt, ok := t.(arrow.ListLikeType)
	if !ok || t.ID() == arrow.MAP {
		return nil, fmt.Errorf("explode list: %w", &expr.TypeError{
			Expr:  list.String(),
			Types: []arrow.DataType{t},
			Msg:   "want a list",
		})
	}
	if as == "" {
		return nil, fmt.Errorf("explode %s: empty element column name", list)
	}
	if s.HasField(as) {
		return nil, fmt.Errorf("explode %s: element column %q is already an input column", list, as)
	}
	fields := append(s.Fields(), arrow.Field{Name: as, Type: lt.Elem(), Nullable: true})
	md := s.Metadata()
	return &Explode{Input: in, Expr: list, As: as, schema: arrow.NewSchema(fields, &md)}, nil
}

// WithChildren rebuilds the explode over children[0].
func (n *Explode) WithChildren(children []Node) (Node, error) {
	if err := checkArity("explode", children, 1); err != nil {
		return nil, err
	}
	return NewExplode(children[0], n.Expr, n.As)
}

// String is e.g. `Explode split(line, " ") AS word`.
func (n *Explode) String() string { return fmt.Sprintf("Explode %s AS %s", n.Expr, n.As) }
