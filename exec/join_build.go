package exec

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
)

// joinBuild is the indexed build (right) side of a hash join: all its rows
// in one record, a GroupTable over their keys, and for every key group the
// rows holding it, laid out contiguously (rows[start[g]:start[g+1]], in input
// order). Rows with a NULL key are in no group's list: they never match.
type joinBuild struct {
	rec     arrow.RecordBatch
	table   *GroupTable // nil when no key can match
	start   []int32
	rows    []int32
	matched []bool // by build row, for right and full joins
}

// buildJoinSide reads and closes r, then indexes its rows by keys.
func buildJoinSide(ctx context.Context, tc *TaskContext, r batch.Reader, keys *joinKeys, common []arrow.DataType, never, track bool) (*joinBuild, error) {
	recs, err := batch.ReadAll(ctx, r)
	if err != nil {
		return nil, err
	}
	rec, err := batch.Concat(tc.Mem, r.Schema(), recs)
	batch.Release(recs)
	if err != nil {
		return nil, err
	}
	b := &joinBuild{rec: rec}
	n := int(rec.NumRows())
	if n > maxJoinRows {
		b.release()
		return nil, fmt.Errorf("build side has %d rows; at most %d are supported", n, maxJoinRows)
	}
	if track {
		b.matched = make([]bool, n)
	}
	if never {
		return b, nil
	}
	if err := b.index(tc.evalContext(ctx), keys, common); err != nil {
		b.release()
		return nil, err
	}
	return b, nil
}

// maxJoinRows bounds the build side so that row numbers fit the int32
// indices compute.Take is given.
const maxJoinRows = 1<<31 - 1

// index builds the key table and the per-group row lists.
func (b *joinBuild) index(ectx *expr.Context, keys *joinKeys, common []arrow.DataType) error {
	t, err := NewGroupTable(common)
	if err != nil {
		return err
	}
	cols, err := keys.eval(ectx, b.rec)
	if err != nil {
		return err
	}
	defer releaseArrays(cols)
	groups := make([]uint32, b.rec.NumRows())
	if err := t.Insert(cols, groups); err != nil {
		return err
	}
	maskNullKeys(cols, groups)
	// Counting sort of the rows by group: start[g+1] counts group g's rows,
	// then prefix sums turn counts into offsets.
	b.table = t
	b.start = make([]int32, t.Len()+1)
	for _, g := range groups {
		if g != NoGroup {
			b.start[g+1]++
		}
	}
	for g := 1; g < len(b.start); g++ {
		b.start[g] += b.start[g-1]
	}
	b.rows = make([]int32, b.start[len(b.start)-1])
	next := append([]int32(nil), b.start[:len(b.start)-1]...)
	for i, g := range groups {
		if g != NoGroup {
			b.rows[next[g]] = int32(i)
			next[g]++
		}
	}
	return nil
}

// probe sets groups[i] to the build group matching row i of the probe keys,
// or NoGroup when there is none (no such key, a NULL key, or no build row).
func (b *joinBuild) probe(keys []arrow.Array, groups []uint32) error {
	if b.table == nil {
		for i := range groups {
			groups[i] = NoGroup
		}
		return nil
	}
	if err := b.table.Find(keys, groups); err != nil {
		return err
	}
	maskNullKeys(keys, groups)
	for i, g := range groups {
		if g != NoGroup && b.start[g] == b.start[g+1] {
			groups[i] = NoGroup
		}
	}
	return nil
}

// matches returns the build rows of group g.
func (b *joinBuild) matches(g uint32) []int32 {
	return b.rows[b.start[g]:b.start[g+1]]
}

func (b *joinBuild) release() {
	if b.rec != nil {
		b.rec.Release()
		b.rec = nil
	}
}
