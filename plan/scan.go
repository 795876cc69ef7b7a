package plan

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

// NewScan returns a scan of every column of t, with no filters.
func NewScan(t Table) *Scan {
	return &Scan{Table: t, schema: t.Schema()}
}

// WithPushdown returns a scan of the same table that outputs only columns, in
// that order (nil: every column of the table), and keeps only the rows for
// which every filter is true. Filters are resolved against the table's
// schema: a filter may use a column the scan does not output (the scan
// operator reads it, tests the rows, and drops it).
func (n *Scan) WithPushdown(columns []string, filters []expr.Expr) (*Scan, error) {
	node := "scan " + n.Table.Name()
	ts := n.Table.Schema()
	s := ts
	if columns != nil {
		fields := make([]arrow.Field, len(columns))
		for i, c := range columns {
			idx := ts.FieldIndices(c)
			if len(idx) == 0 {
				return nil, fmt.Errorf("%s: %w", node, unknownColumn(c, ts))
			}
			fields[i] = ts.Field(idx[0])
		}
		if err := checkUniqueNames(node, fields); err != nil {
			return nil, err
		}
		md := ts.Metadata()
		s = arrow.NewSchema(fields, &md)
		columns = append([]string(nil), columns...)
	}
	for _, f := range filters {
		if err := booleanExpr(node+" filter", f, ts); err != nil {
			return nil, err
		}
	}
	if len(filters) == 0 {
		filters = nil
	} else {
		filters = append([]expr.Expr(nil), filters...)
	}
	return &Scan{Table: n.Table, Columns: columns, Filters: filters, schema: s}, nil
}

// WithChildren re-analyzes the scan; a scan has no children.
func (n *Scan) WithChildren(children []Node) (Node, error) {
	if err := checkArity("scan", children, 0); err != nil {
		return nil, err
	}
	return NewScan(n.Table).WithPushdown(n.Columns, n.Filters)
}

// String is e.g. "Scan words [word, n] filters=[(n > 1)]".
func (n *Scan) String() string {
	names := n.Columns
	if names == nil {
		names = fieldNames(n.Table.Schema())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Scan %s [%s]", n.Table.Name(), strings.Join(names, ", "))
	if len(n.Filters) > 0 {
		b.WriteString(" filters=" + listExprs(n.Filters))
	}
	return b.String()
}
