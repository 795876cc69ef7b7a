package expr

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ExplodeExpr marks a list expression whose elements become rows; it may only
// be the outermost expression of a Select item (possibly under an alias). The
// plan turns it into an Explode node.
type ExplodeExpr struct {
	List Expr
}

// Explode marks list for explosion: one output row per element.
func Explode(list Expr) *ExplodeExpr { return &ExplodeExpr{List: list} }

func (e *ExplodeExpr) String() string             { return fmt.Sprintf("explode(%s)", e.List) }
func (e *ExplodeExpr) Children() []Expr           { return []Expr{e.List} }
func (e *ExplodeExpr) WithChildren(c []Expr) Expr { return &ExplodeExpr{List: c[0]} }

// Type is the element type of the list.
func (e *ExplodeExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	t, err := e.List.Type(s)
	if err != nil {
		return nil, err
	}
	lt, ok := t.(arrow.ListLikeType)
	if !ok {
		return nil, &TypeError{Expr: e.String(), Types: []arrow.DataType{t}, Msg: "explode needs a list"}
	}
	return lt.Elem(), nil
}

// Eval is an error: explosion changes the number of rows and is done by the
// Explode operator.
func (e *ExplodeExpr) Eval(_ *Context, _ arrow.RecordBatch) (arrow.Array, error) {
	return nil, fmt.Errorf("%s must be the outermost expression of a select item", e)
}

// ExplodeList flattens a list array: values holds every element of every
// non-NULL list in order, and parents[i] is the row of list that element i
// came from. NULL and empty lists produce nothing. list may be a list or a
// large list, sliced or not. When the non-NULL lists' elements are contiguous
// in the child array (NULL lists empty, as builders make them) values is a
// zero-copy slice of the child; otherwise the elements are gathered with
// compute.Take. The caller releases values.
func ExplodeList(mem memory.Allocator, list arrow.Array) (values arrow.Array, parents []int32, err error) {
	lo, hi := list.Data().Offset(), list.Data().Offset()+list.Len()+1
	switch l := list.(type) {
	case *array.List:
		if l.Len() == 0 {
			return array.MakeArrayOfNull(mem, l.ListValues().DataType(), 0), nil, nil
		}
		return explodeOffsets(mem, l, l.ListValues(), l.Offsets()[lo:hi])
	case *array.LargeList:
		if l.Len() == 0 {
			return array.MakeArrayOfNull(mem, l.ListValues().DataType(), 0), nil, nil
		}
		return explodeOffsets(mem, l, l.ListValues(), l.Offsets()[lo:hi])
	}
	return nil, nil, &TypeError{Expr: "explode", Types: []arrow.DataType{list.DataType()}, Msg: "explode needs a list"}
}

// explodeOffsets explodes a list whose row i spans child[offs[i]:offs[i+1]].
func explodeOffsets[O int32 | int64](mem memory.Allocator, list, child arrow.Array, offs []O) (arrow.Array, []int32, error) {
	n := list.Len()
	var valid []byte
	if list.NullN() > 0 {
		valid = list.NullBitmapBytes()
	}
	voff := list.Data().Offset()
	total, contiguous := 0, true
	for i := range n {
		size := int(offs[i+1] - offs[i])
		if valid != nil && !bitutil.BitIsSet(valid, voff+i) {
			contiguous = contiguous && size == 0
			continue
		}
		total += size
	}
	parents := make([]int32, total)
	k := 0
	for i := range n {
		if valid != nil && !bitutil.BitIsSet(valid, voff+i) {
			continue
		}
		p := parents[k : k+int(offs[i+1]-offs[i])]
		for j := range p {
			p[j] = int32(i)
		}
		k += len(p)
	}
	if contiguous {
		return array.NewSlice(child, int64(offs[0]), int64(offs[n])), parents, nil
	}
	idx := make([]int64, 0, total)
	for i := range n {
		if valid == nil || bitutil.BitIsSet(valid, voff+i) {
			for j := int64(offs[i]); j < int64(offs[i+1]); j++ {
				idx = append(idx, j)
			}
		}
	}
	indices := explodeInt64Array(idx)
	defer indices.Release()
	values, err := compute.TakeArrayOpts(compute.WithAllocator(context.Background(), mem), child, indices,
		compute.TakeOptions{BoundsCheck: false})
	if err != nil {
		return nil, nil, fmt.Errorf("explode: %w", err)
	}
	return values, parents, nil
}

// explodeInt64Array wraps Go-owned values as an int64 array without copying;
// it must not outlive vals.
func explodeInt64Array(vals []int64) arrow.Array {
	buf := memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(vals))
	d := array.NewData(arrow.PrimitiveTypes.Int64, len(vals), []*memory.Buffer{nil, buf}, nil, 0, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// explodeInt32Array is explodeInt64Array for int32 values.
func explodeInt32Array(vals []int32) arrow.Array {
	buf := memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(vals))
	d := array.NewData(arrow.PrimitiveTypes.Int32, len(vals), []*memory.Buffer{nil, buf}, nil, 0, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// ExplodeRecord explodes column listCol of rec: one output row per element
// of each non-NULL, non-empty list. The output holds rec's other columns in
// order, each row repeated once per element of its list (compute.Take), then
// the element column named as. The list column itself is dropped. The caller
// releases the result.
func ExplodeRecord(mem memory.Allocator, rec arrow.RecordBatch, listCol int, as string) (arrow.RecordBatch, error) {
	if listCol < 0 || listCol >= int(rec.NumCols()) {
		return nil, fmt.Errorf("explode: column %d out of range [0, %d)", listCol, rec.NumCols())
	}
	values, parents, err := ExplodeList(mem, rec.Column(listCol))
	if err != nil {
		return nil, err
	}
	defer values.Release()
	fields := make([]arrow.Field, 0, rec.NumCols())
	cols := make([]arrow.Array, 0, rec.NumCols())
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	identity := explodeIsIdentity(parents, int(rec.NumRows()))
	var indices arrow.Array
	if !identity {
		indices = explodeInt32Array(parents)
		defer indices.Release()
	}
	ctx := compute.WithAllocator(context.Background(), mem)
	for j, f := range rec.Schema().Fields() {
		if j == listCol {
			continue
		}
		col := rec.Column(j)
		if identity {
			col.Retain()
		} else if col, err = compute.TakeArrayOpts(ctx, col, indices, compute.TakeOptions{BoundsCheck: false}); err != nil {
			return nil, fmt.Errorf("explode: take %s: %w", f.Name, err)
		}
		fields = append(fields, f)
		cols = append(cols, col)
	}
	values.Retain()
	cols = append(cols, values)
	fields = append(fields, arrow.Field{Name: as, Type: values.DataType(), Nullable: true})
	md := rec.Schema().Metadata()
	schema := arrow.NewSchema(fields, &md)
	return array.NewRecordBatch(schema, cols, int64(len(parents))), nil
}

// explodeIsIdentity reports whether every one of n rows has exactly one
// element, so the other columns need no Take.
func explodeIsIdentity(parents []int32, n int) bool {
	if len(parents) != n {
		return false
	}
	for i, p := range parents {
		if int(p) != i {
			return false
		}
	}
	return true
}
