package expr

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var _ Expr = (*CaseExpr)(nil)

// CaseBranch is one WHEN cond THEN value arm of a CASE.
type CaseBranch struct {
	When, Then Expr
}

// CaseExpr is CASE WHEN c1 THEN v1 ... [ELSE e] END: each row takes the value
// of the first branch whose condition is true (a NULL condition is not true),
// else ElseExpr, or NULL when there is no ELSE. The result type is the
// CommonType of every value.
//
// Build one with When(c, v).When(c2, v2).Else(e); each step returns a new
// expression.
type CaseExpr struct {
	Branches []CaseBranch
	ElseExpr Expr // nil: ELSE NULL
}

// When starts a CASE expression with its first branch.
func When(cond, then Expr) *CaseExpr {
	return &CaseExpr{Branches: []CaseBranch{{When: cond, Then: then}}}
}

// When returns a copy of c with one more branch.
func (c *CaseExpr) When(cond, then Expr) *CaseExpr {
	b := append(append([]CaseBranch(nil), c.Branches...), CaseBranch{When: cond, Then: then})
	return &CaseExpr{Branches: b, ElseExpr: c.ElseExpr}
}

// Else returns a copy of c with the ELSE value e.
func (c *CaseExpr) Else(e Expr) *CaseExpr {
	return &CaseExpr{Branches: append([]CaseBranch(nil), c.Branches...), ElseExpr: e}
}

func (c *CaseExpr) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, br := range c.Branches {
		b.WriteString(" WHEN " + br.When.String() + " THEN " + br.Then.String())
	}
	if c.ElseExpr != nil {
		b.WriteString(" ELSE " + c.ElseExpr.String())
	}
	b.WriteString(" END")
	return b.String()
}

// Children are When1, Then1, When2, Then2, ..., then ElseExpr if present.
func (c *CaseExpr) Children() []Expr {
	out := make([]Expr, 0, 2*len(c.Branches)+1)
	for _, br := range c.Branches {
		out = append(out, br.When, br.Then)
	}
	if c.ElseExpr != nil {
		out = append(out, c.ElseExpr)
	}
	return out
}

func (c *CaseExpr) WithChildren(k []Expr) Expr {
	n := &CaseExpr{Branches: make([]CaseBranch, len(c.Branches))}
	for i := range n.Branches {
		n.Branches[i] = CaseBranch{When: k[2*i], Then: k[2*i+1]}
	}
	if c.ElseExpr != nil {
		n.ElseExpr = k[len(k)-1]
	}
	return n
}

func (c *CaseExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	ts, err := childTypes(s, c.Children()...)
	if err != nil {
		return nil, err
	}
	if len(c.Branches) == 0 {
		return nil, &TypeError{Expr: c.String(), Types: ts, Msg: "CASE needs a WHEN branch"}
	}
	out := arrow.Null
	for i, t := range ts {
		isCond := i%2 == 0 && i < 2*len(c.Branches)
		if isCond {
			if !isBoolOrNull(t) {
				return nil, &TypeError{Expr: c.String(), Types: []arrow.DataType{t}, Msg: "WHEN condition " + c.Branches[i/2].When.String() + " is not boolean"}
			}
			continue
		}
		ct, ok := CommonType(out, t)
		if !ok {
			return nil, &TypeError{Expr: c.String(), Types: []arrow.DataType{out, t}, Msg: "CASE values have no common type"}
		}
		out = ct
	}
	return out, nil
}

func (c *CaseExpr) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	rt, err := c.Type(rec.Schema())
	if err != nil {
		return nil, err
	}
	n := int(rec.NumRows())
	if isNullType(rt) {
		return array.MakeArrayOfNull(ctx.Mem, rt, n), nil
	}
	choice, used, err := c.choose(ctx, rec)
	if err != nil {
		return nil, err
	}
	// Evaluate only the values some row takes; -1 is "ELSE NULL".
	var srcs []arrow.Array
	defer func() {
		for _, a := range srcs {
			a.Release()
		}
	}()
	pos := make([]int, len(c.Branches)+1) // position in srcs by branch, -1: none
	for k := range pos {
		pos[k] = -1
	}
	for _, k := range used {
		if e := c.value(k); e != nil {
			a, err := evalArrayAs(ctx, e, rec, rt)
			if err != nil {
				return nil, err
			}
			pos[k] = len(srcs)
			srcs = append(srcs, a)
		}
	}
	if len(used) == 1 && len(srcs) == 1 { // every row takes the same value
		srcs[0].Retain()
		return srcs[0], nil
	}
	if len(srcs) == 0 {
		return array.MakeArrayOfNull(ctx.Mem, rt, n), nil
	}
	return gatherCase(ctx, rt, choice, pos, srcs, n)
}

// value is branch k's THEN, or the ELSE (nil: NULL) for k == len(Branches).
func (c *CaseExpr) value(k int) Expr {
	if k < len(c.Branches) {
		return c.Branches[k].Then
	}
	return c.ElseExpr
}

// choose returns, per row, the index of the branch it takes (len(Branches)
// for ELSE), and the distinct indexes taken, ascending.
func (c *CaseExpr) choose(ctx *Context, rec arrow.RecordBatch) (choice []int32, used []int, err error) {
	n := int(rec.NumRows())
	elseK := int32(len(c.Branches))
	choice = make([]int32, n)
	for i := range choice {
		choice[i] = elseK
	}
	open := n // rows not yet decided
	for k, br := range c.Branches {
		if open == 0 {
			break
		}
		cond, err := evalArrayAs(ctx, br.When, rec, arrow.FixedWidthTypes.Boolean)
		if err != nil {
			return nil, nil, err
		}
		vals, off := cond.Data().Buffers()[1].Bytes(), cond.Data().Offset()
		vb, voff := vecValidity(cond)
		for i := range choice {
			if choice[i] == elseK && bitutil.BitIsSet(vals, off+i) && (vb == nil || bitutil.BitIsSet(vb, voff+i)) {
				choice[i] = int32(k)
				open--
			}
		}
		cond.Release()
	}
	seen := make([]bool, len(c.Branches)+1)
	for _, k := range choice {
		seen[k] = true
	}
	for k, s := range seen {
		if s {
			used = append(used, k)
		}
	}
	return choice, used, nil
}

// gatherCase assembles the result by taking, for row i, row i of the value
// array its branch chose (NULL for ELSE NULL).
func gatherCase(ctx *Context, rt arrow.DataType, choice []int32, pos []int, srcs []arrow.Array, n int) (arrow.Array, error) {
	all, err := array.Concatenate(srcs, ctx.Mem)
	if err != nil {
		return nil, err
	}
	defer all.Release()
	idx := takeIndices(ctx.Mem, choice, pos, n)
	defer idx.Release()
	return compute.TakeArray(ctx.ComputeCtx(), all, idx)
}

// takeIndices maps each row to its position in the concatenated value arrays;
// rows whose branch has no array (ELSE NULL) get a NULL index.
func takeIndices(mem memory.Allocator, choice []int32, pos []int, n int) arrow.Array {
	valid, bits := vecBitmap(mem, n, true)
	buf, out := vecAlloc[int64](mem, n)
	nulls := false
	for i, k := range choice {
		p := pos[k]
		if p < 0 {
			bitutil.ClearBit(bits, i)
			nulls = true
			continue
		}
		out[i] = int64(p)*int64(n) + int64(i)
	}
	if !nulls {
		valid.Release()
		valid = nil
	}
	return vecArray(arrow.PrimitiveTypes.Int64, n, valid, buf)
}
