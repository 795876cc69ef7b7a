package plan

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

// rightSuffix renames a right column whose name a left column already has.
const rightSuffix = "_right"

// NewJoin returns an equi-join of left and right: leftKeys[i] (over left's
// columns) equals rightKeys[i] (over right's) for every i, and extra (nil, or
// a boolean over the joined row, where a right column whose name the left side
// has is called "<name>_right") is true. There must be at least one key pair:
// a cross join is not supported yet.
func NewJoin(left, right Node, t JoinType, leftKeys, rightKeys []expr.Expr, extra expr.Expr) (*Join, error) {
	if t < InnerJoin || t > AntiJoin {
		return nil, fmt.Errorf("join: unknown join type %d", int(t))
	}
	node := t.String() + " join"
	if len(leftKeys) != len(rightKeys) {
		return nil, fmt.Errorf("%s: %d left keys but %d right keys", node, len(leftKeys), len(rightKeys))
	}
	if len(leftKeys) == 0 {
		return nil, fmt.Errorf("%s: no key pair; a join needs at least one equality between the sides (cross joins are not supported yet)", node)
	}
	ls, rs := left.Schema(), right.Schema()
	for i := range leftKeys {
		if err := checkKeyPair(node, leftKeys[i], rightKeys[i], ls, rs); err != nil {
			return nil, err
		}
	}
	joined, err := joinedSchema(node, ls, rs)
	if err != nil {
		return nil, err
	}
	if extra != nil {
		if err := booleanExpr(node+" condition", extra, joined); err != nil {
			return nil, err
		}
	}
	return &Join{
		Left:      left,
		Right:     right,
		Type:      t,
		LeftKeys:  append([]expr.Expr(nil), leftKeys...),
		RightKeys: append([]expr.Expr(nil), rightKeys...),
		Extra:     extra,
		schema:    joinOutput(joined, t, ls.NumFields()),
		joined:    joined,
	}, nil
}

// checkKeyPair resolves one key pair and checks the two sides can be
// compared: they must have a common type (expr.CommonType), which the join
// operator compares them in.
func checkKeyPair(node string, l, r expr.Expr, ls, rs *arrow.Schema) error {
	lt, err := scalarExpr(node+" left key", l, ls)
	if err != nil {
		return err
	}
	rt, err := scalarExpr(node+" right key", r, rs)
	if err != nil {
		return err
	}
	if _, ok := expr.CommonType(lt, rt); !ok {
		return fmt.Errorf("%s: %w", node, &expr.TypeError{
			Expr:  l.String() + " = " + r.String(),
			Types: []arrow.DataType{lt, rt},
			Msg:   "join keys cannot be compared",
		})
	}
	return nil
}

// joinedSchema is the left columns then the right ones, a right column whose
// name a left column has renamed "<name>_right". A rename that still collides
// is an error rather than a second, surprising rename.
func joinedSchema(node string, ls, rs *arrow.Schema) (*arrow.Schema, error) {
	fields := ls.Fields()
	for _, f := range rs.Fields() {
		if ls.HasField(f.Name) {
			f.Name += rightSuffix
		}
		fields = append(fields, f)
	}
	if err := checkUniqueNames(node, fields); err != nil {
		return nil, fmt.Errorf("%w (right columns named like a left column are renamed \"<name>%s\")", err, rightSuffix)
	}
	return arrow.NewSchema(fields, nil), nil
}

// joinOutput derives the output schema from the joined one: left columns only
// for semi and anti joins, and the side an outer join may miss made nullable.
func joinOutput(joined *arrow.Schema, t JoinType, nleft int) *arrow.Schema {
	fields := joined.Fields()
	switch t {
	case SemiJoin, AntiJoin:
		fields = fields[:nleft]
	case LeftJoin:
		setNullable(fields[nleft:])
	case RightJoin:
		setNullable(fields[:nleft])
	case FullJoin:
		setNullable(fields)
	}
	return arrow.NewSchema(fields, nil)
}

func setNullable(fields []arrow.Field) {
	for i := range fields {
		fields[i].Nullable = true
	}
}

// WithChildren rebuilds the join over children[0] (left) and children[1]
// (right).
func (n *Join) WithChildren(children []Node) (Node, error) {
	if err := checkArity("join", children, 2); err != nil {
		return nil, err
	}
	return NewJoin(children[0], children[1], n.Type, n.LeftKeys, n.RightKeys, n.Extra)
}

// String is e.g. "Join left [id = user_id] extra=(amount > limit)".
func (n *Join) String() string {
	pairs := make([]string, len(n.LeftKeys))
	for i := range pairs {
		r := "?"
		if i < len(n.RightKeys) {
			r = n.RightKeys[i].String()
		}
		pairs[i] = n.LeftKeys[i].String() + " = " + r
	}
	s := fmt.Sprintf("Join %s [%s]", n.Type, strings.Join(pairs, ", "))
	if n.Extra != nil {
		s += " extra=" + n.Extra.String()
	}
	return s
}

// JoinedSchema is the schema Extra is evaluated over: the left columns then
// every right column, under the naming rule of Join.
func (n *Join) JoinedSchema() *arrow.Schema { return n.joined }
