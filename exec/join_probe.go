package exec

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluicestream/sluice/plan"
)

// probeBatch is one left batch being joined: its rows' build groups, which
// rows found a match, and a cursor over its candidate pairs.
type probeBatch struct {
	rec       arrow.RecordBatch
	groups    []uint32 // build group per row; NoGroup: no candidate
	matched   []bool   // rows with a match that passed Extra
	row, pos  int      // next candidate: build match pos of probe row row
	pairsDone bool
	tail      []int32 // rows emitted after the pairs, once they are known
	tailOff   int     // tail rows emitted so far; -1 before tail is computed
}

func (p *probeBatch) release() {
	if p.rec != nil {
		p.rec.Release()
		p.rec = nil
	}
}

// startProbe looks up the keys of left batch rec, taking ownership of it.
func (r *hashJoinReader) startProbe(ctx context.Context, rec arrow.RecordBatch) (*probeBatch, error) {
	n := int(rec.NumRows())
	p := &probeBatch{rec: rec, groups: make([]uint32, n), matched: make([]bool, n), tailOff: -1}
	if r.build.table == nil {
		for i := range p.groups {
			p.groups[i] = NoGroup
		}
	} else {
		keys, err := r.op.lkeys.eval(r.tc.evalContext(ctx), rec)
		if err != nil {
			p.release()
			return nil, fmt.Errorf("hash join probe: %w", err)
		}
		err = r.build.probe(keys, p.groups)
		releaseArrays(keys)
		if err != nil {
			p.release()
			return nil, fmt.Errorf("hash join probe: %w", err)
		}
	}
	if r.op.extra == nil && !r.op.emitsRight() {
		// Semi and anti joins without a condition need no pairs: a row
		// matches when its key has build rows.
		for i, g := range p.groups {
			p.matched[i] = g != NoGroup
		}
		p.pairsDone = true
	}
	return p, nil
}

// step returns the next output record of the current probe batch, or nil
// when the batch is done.
func (r *hashJoinReader) step(ctx context.Context) (arrow.RecordBatch, error) {
	p := r.probe
	for !p.pairsDone {
		n := r.nextPairs(p, batchSize(r.tc))
		if n == 0 {
			p.pairsDone = true
			break
		}
		out, err := r.joinPairs(ctx, p)
		if err != nil || out != nil {
			return out, err
		}
	}
	return r.probeTail(ctx, p)
}

// nextPairs fills r.pi and r.bi with up to max candidate pairs from p's
// cursor and returns how many. Semi and anti joins skip the remaining
// candidates of a row once it has matched.
func (r *hashJoinReader) nextPairs(p *probeBatch, max int) int {
	pi, bi := r.pi[:0], r.bi[:0]
	skipMatched := !r.op.emitsRight()
	for p.row < len(p.groups) && len(pi) < max {
		g := p.groups[p.row]
		if g == NoGroup || skipMatched && p.matched[p.row] {
			p.row, p.pos = p.row+1, 0
			continue
		}
		m := r.build.matches(g)[p.pos:]
		m = m[:min(len(m), max-len(pi))]
		for _, b := range m {
			pi = append(pi, int32(p.row))
			bi = append(bi, b)
		}
		p.pos += len(m)
		if p.pos == len(r.build.matches(g)) {
			p.row, p.pos = p.row+1, 0
		}
	}
	r.pi, r.bi = pi, bi
	return len(pi)
}

// joinPairs keeps the pairs in r.pi, r.bi that pass Extra, records which
// rows matched, and returns the joined rows (nil for semi and anti joins,
// which emit at the end of the batch, or when no pair passed).
func (r *hashJoinReader) joinPairs(ctx context.Context, p *probeBatch) (arrow.RecordBatch, error) {
	if r.op.extra != nil {
		if err := r.filterPairs(ctx, p); err != nil {
			return nil, err
		}
	}
	for _, i := range r.pi {
		p.matched[i] = true
	}
	if r.build.matched != nil {
		for _, b := range r.bi {
			r.build.matched[b] = true
		}
	}
	if !r.op.emitsRight() || len(r.pi) == 0 {
		return nil, nil
	}
	ectx := r.tc.evalContext(ctx)
	left, err := takeRows(ectx, p.rec.Columns(), r.pi)
	if err != nil {
		return nil, fmt.Errorf("hash join: %w", err)
	}
	defer releaseArrays(left)
	right, err := takeRows(ectx, r.build.rec.Columns(), r.bi)
	if err != nil {
		return nil, fmt.Errorf("hash join: %w", err)
	}
	defer releaseArrays(right)
	return newRecord(r.op.schema, append(left, right...), int64(len(r.pi)))
}

// filterPairs evaluates Extra over the joined rows of the pairs in r.pi,
// r.bi and keeps the pairs for which it is true.
func (r *hashJoinReader) filterPairs(ctx context.Context, p *probeBatch) error {
	ectx := r.tc.evalContext(ctx)
	cols := make([]arrow.Array, 0, len(r.op.extraCols))
	defer func() { releaseArrays(cols) }()
	for _, c := range r.op.extraCols {
		src, idx := p.rec.Column(c.idx), r.pi
		if c.right {
			src, idx = r.build.rec.Column(c.idx), r.bi
		}
		t, err := takeRows(ectx, []arrow.Array{src}, idx)
		if err != nil {
			return fmt.Errorf("hash join condition: %w", err)
		}
		cols = append(cols, t[0])
	}
	rec, err := newRecord(r.op.extraSchema, cols, int64(len(r.pi)))
	if err != nil {
		return fmt.Errorf("hash join condition: %w", err)
	}
	mask, err := r.op.extra.Eval(ectx, rec)
	rec.Release()
	if err != nil {
		return fmt.Errorf("hash join condition %s: %w", r.op.extra, err)
	}
	defer mask.Release()
	if mask.Len() != len(r.pi) {
		return fmt.Errorf("hash join condition %s: %d values for %d rows", r.op.extra, mask.Len(), len(r.pi))
	}
	b, _ := mask.(*array.Boolean)
	k := 0
	for j := range r.pi {
		if b != nil && b.IsValid(j) && b.Value(j) {
			r.pi[k], r.bi[k] = r.pi[j], r.bi[j]
			k++
		}
	}
	r.pi, r.bi = r.pi[:k], r.bi[:k]
	return nil
}

// probeTail returns the next chunk of the rows a probe batch adds after its
// pairs, or nil when there are no more: the unmatched left rows with a NULL
// right side (left and full joins), the matched left rows (semi) or the
// unmatched ones (anti).
func (r *hashJoinReader) probeTail(ctx context.Context, p *probeBatch) (arrow.RecordBatch, error) {
	if p.tailOff < 0 {
		p.tail, p.tailOff = tailRows(r.op.typ, p.matched), 0
	}
	if p.tailOff == len(p.tail) {
		return nil, nil
	}
	lo := p.tailOff
	p.tailOff = min(lo+batchSize(r.tc), len(p.tail))
	rows := p.tail[lo:p.tailOff]
	var left []arrow.Array
	if len(rows) == len(p.matched) {
		left = retainAll(p.rec.Columns())
	} else {
		var err error
		if left, err = takeRows(r.tc.evalContext(ctx), p.rec.Columns(), rows); err != nil {
			return nil, fmt.Errorf("hash join: %w", err)
		}
	}
	defer releaseArrays(left)
	cols := left
	if r.op.emitsRight() {
		right := nullColumns(r.tc, r.build.rec.Schema(), len(rows))
		defer releaseArrays(right)
		cols = append(cols, right...)
	}
	return newRecord(r.op.schema, cols, int64(len(rows)))
}

// tailRows returns the probe rows a join of type typ emits after the pairs:
// the unmatched ones (left, full, anti), the matched ones (semi), or none.
func tailRows(typ plan.JoinType, matched []bool) []int32 {
	var want bool
	switch typ {
	case plan.LeftJoin, plan.FullJoin, plan.AntiJoin:
		want = false
	case plan.SemiJoin:
		want = true
	default:
		return nil
	}
	var rows []int32
	for i, m := range matched {
		if m == want {
			rows = append(rows, int32(i))
		}
	}
	return rows
}

// unmatchedBuild returns the next chunk of right rows no left row matched,
// with a NULL left side (right and full joins), or nil when there are no
// more.
func (r *hashJoinReader) unmatchedBuild(ctx context.Context) (arrow.RecordBatch, error) {
	matched := r.build.matched
	if matched == nil {
		return nil, nil
	}
	rows := r.bi[:0]
	max := batchSize(r.tc)
	for ; r.scan < len(matched) && len(rows) < max; r.scan++ {
		if !matched[r.scan] {
			rows = append(rows, int32(r.scan))
		}
	}
	r.bi = rows
	if len(rows) == 0 {
		return nil, nil
	}
	right, err := takeRows(r.tc.evalContext(ctx), r.build.rec.Columns(), rows)
	if err != nil {
		return nil, fmt.Errorf("hash join: %w", err)
	}
	defer releaseArrays(right)
	left := nullColumns(r.tc, r.op.left.Schema(), len(rows))
	defer releaseArrays(left)
	return newRecord(r.op.schema, append(left, right...), int64(len(rows)))
}

// nullColumns returns an all-NULL column of n rows per field of s.
func nullColumns(tc *TaskContext, s *arrow.Schema, n int) []arrow.Array {
	out := make([]arrow.Array, s.NumFields())
	for i, f := range s.Fields() {
		out[i] = array.MakeArrayOfNull(tc.Mem, f.Type, n)
	}
	return out
}

// retainAll retains every array and returns them in a new slice.
func retainAll(arrs []arrow.Array) []arrow.Array {
	out := make([]arrow.Array, len(arrs))
	for i, a := range arrs {
		a.Retain()
		out[i] = a
	}
	return out
}
