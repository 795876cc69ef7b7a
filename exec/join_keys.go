package exec

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"

	"github.com/sluicestream/sluice/expr"
)

// joinKeys evaluates one side's join keys and brings them to the types both
// sides are compared in.
type joinKeys struct {
	exprs []expr.Expr
	types []arrow.DataType // each key's own type
	cast  []arrow.DataType // the common type, or nil when the key has it
}

// joinKeyTypes resolves the key pairs and returns both sides' keys and the
// common type of every pair. never is true when some pair can never be equal
// (a NULL-typed key), so no row matches.
func joinKeyTypes(ls, rs *arrow.Schema, lk, rk []expr.Expr) (left, right *joinKeys, common []arrow.DataType, never bool, err error) {
	if len(lk) != len(rk) || len(lk) == 0 {
		return nil, nil, nil, false, fmt.Errorf("%d left keys and %d right keys", len(lk), len(rk))
	}
	left = &joinKeys{exprs: lk, cast: make([]arrow.DataType, len(lk))}
	right = &joinKeys{exprs: rk, cast: make([]arrow.DataType, len(rk))}
	for i := range lk {
		lt, err := lk[i].Type(ls)
		if err != nil {
			return nil, nil, nil, false, fmt.Errorf("left key %s: %w", lk[i], err)
		}
		rt, err := rk[i].Type(rs)
		if err != nil {
			return nil, nil, nil, false, fmt.Errorf("right key %s: %w", rk[i], err)
		}
		left.types, right.types = append(left.types, lt), append(right.types, rt)
		if lt.ID() == arrow.NULL || rt.ID() == arrow.NULL {
			never = true
			common = append(common, lt)
			continue
		}
		ct, ok := expr.CommonType(lt, rt)
		if !ok {
			return nil, nil, nil, false, &expr.TypeError{
				Expr:  lk[i].String() + " = " + rk[i].String(),
				Types: []arrow.DataType{lt, rt},
				Msg:   "join keys cannot be compared",
			}
		}
		common = append(common, ct)
		if !arrow.TypeEqual(lt, ct) {
			left.cast[i] = ct
		}
		if !arrow.TypeEqual(rt, ct) {
			right.cast[i] = ct
		}
	}
	return left, right, common, never, nil
}

// eval evaluates the keys over rec, cast to the common types. The caller
// releases the arrays.
func (k *joinKeys) eval(ectx *expr.Context, rec arrow.RecordBatch) ([]arrow.Array, error) {
	cols, err := evalExprs(ectx, k.exprs, rec)
	if err != nil {
		return nil, err
	}
	for i, ct := range k.cast {
		if ct == nil || cols[i].DataType().ID() == arrow.NULL {
			continue
		}
		c, err := castKey(ectx.ComputeCtx(), cols[i], ct)
		if err != nil {
			releaseArrays(cols)
			return nil, fmt.Errorf("join key %s: %w", k.exprs[i], err)
		}
		cols[i].Release()
		cols[i] = c
	}
	return cols, nil
}

// castKey casts a key column to t. Integer overflow is an error rather than a
// silently wrapped, wrongly matching key.
func castKey(ctx context.Context, col arrow.Array, t arrow.DataType) (arrow.Array, error) {
	return compute.CastArray(ctx, col, compute.SafeCastOptions(t))
}

// maskNullKeys sets groups[i] to NoGroup for every row where some key is
// NULL: a NULL key never equals anything in a join.
func maskNullKeys(keys []arrow.Array, groups []uint32) {
	for _, k := range keys {
		if k.NullN() == 0 {
			continue
		}
		if k.NullN() == k.Len() || k.DataType().ID() == arrow.NULL {
			for i := range groups {
				groups[i] = NoGroup
			}
			return
		}
		valid, off := k.NullBitmapBytes(), k.Data().Offset()
		for i := range groups {
			if bitutil.BitIsNotSet(valid, off+i) {
				groups[i] = NoGroup
			}
		}
	}
}
