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
	return newExplode(in, list, as, nil)
}

// WithDrop returns the explode without passing the input columns drop
// through; unknown names are an error.
func (n *Explode) WithDrop(drop []string) (*Explode, error) {
	return newExplode(n.Input, n.Expr, n.As, drop)
}

func newExplode(in Node, list expr.Expr, as string, drop []string) (*Explode, error) {
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
	dropped := map[string]bool{}
	for _, d := range drop {
		if !s.HasField(d) {
			return nil, fmt.Errorf("explode %s: dropped column %q is not an input column", list, d)
		}
		dropped[d] = true
	}
	var fields []arrow.Field
	for _, f := range s.Fields() {
		if !dropped[f.Name] {
			fields = append(fields, f)
		}
	}
	fields = append(fields, arrow.Field{Name: as, Type: lt.Elem(), Nullable: true})
	md := s.Metadata()
	var d []string
	if len(drop) > 0 {
		d = append(d, drop...)
	}
	return &Explode{Input: in, Expr: list, As: as, Drop: d, schema: arrow.NewSchema(fields, &md)}, nil
}

// WithChildren rebuilds the explode over children[0].
func (n *Explode) WithChildren(children []Node) (Node, error) {
	if err := checkArity("explode", children, 1); err != nil {
		return nil, err
	}
	return newExplode(children[0], n.Expr, n.As, n.Drop)
}

// String is e.g. `Explode split(line, " ") AS word`.
func (n *Explode) String() string {
	if len(n.Drop) > 0 {
		return fmt.Sprintf("Explode %s AS %s drop=%v", n.Expr, n.As, n.Drop)
	}
	return fmt.Sprintf("Explode %s AS %s", n.Expr, n.As)
}
