package exec

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
)

// hashJoin is an equi-join that builds on its right input and probes with
// its left one, for every plan.JoinType.
//
// The first Next reads the whole right input into one record and indexes its
// rows by key (a GroupTable plus each key's row list). Then every left batch
// is probed: its keys are looked up in a vectorised pass, the candidate
// (left row, right row) pairs are produced in chunks of at most BatchSize,
// the Extra condition (if any) is evaluated over each chunk's joined rows,
// and the output columns are gathered with compute.Take. Left rows that
// matched nothing follow their batch's matches (left and full joins); right
// rows that matched nothing come last (right and full joins). Semi and anti
// joins emit left rows only, each once.
//
// NULL keys never match. Key pairs of different types are compared in
// their expr.CommonType (Spark's widening: int32 against int64 as int64, an
// integer against a float as float64, string against large_string as
// large_string). Memory is the whole right input plus one
// left batch and one chunk of output.
type hashJoin struct {
	left, right Operator
	typ         plan.JoinType
	lkeys       *joinKeys
	rkeys       *joinKeys
	common      []arrow.DataType // the key types compared
	never       bool             // a NULL-typed key: no row matches
	extra       expr.Expr        // nil: none
	extraCols   []joinColumn     // the columns extra reads
	extraSchema *arrow.Schema    // those columns, named as in the joined row
	schema      *arrow.Schema
	joined      *arrow.Schema // left then right columns, as plan.Join names them
}

// joinColumn is one column of the joined row: column idx of the left or the
// right input.
type joinColumn struct {
	right bool
	idx   int
}

var _ Operator = (*hashJoin)(nil)

// newHashJoin returns the hash join operator for n over its two inputs.
func newHashJoin(left, right Operator, n *plan.Join) (Operator, error) {
	if n.Type < plan.InnerJoin || n.Type > plan.AntiJoin {
		return nil, fmt.Errorf("hash join: unknown join type %d", int(n.Type))
	}
	lkeys, rkeys, common, never, err := joinKeyTypes(left.Schema(), right.Schema(), n.LeftKeys, n.RightKeys)
	if err != nil {
		return nil, fmt.Errorf("hash join: %w", err)
	}
	j := &hashJoin{
		left: left, right: right, typ: n.Type,
		lkeys: lkeys, rkeys: rkeys, common: common, never: never,
		extra: n.Extra, schema: n.Schema(), joined: n.JoinedSchema(),
	}
	if err := j.checkSchema(); err != nil {
		return nil, fmt.Errorf("hash join: %w", err)
	}
	if n.Extra != nil {
		if err := j.resolveExtra(); err != nil {
			return nil, fmt.Errorf("hash join condition %s: %w", n.Extra, err)
		}
	}
	return j, nil
}

// checkSchema checks the output schema has the columns the join produces.
func (j *hashJoin) checkSchema() error {
	ls, rs := j.left.Schema(), j.right.Schema()
	want := ls.NumFields()
	if j.emitsRight() {
		want += rs.NumFields()
	}
	if j.schema.NumFields() != want {
		return fmt.Errorf("output schema has %d columns, want %d", j.schema.NumFields(), want)
	}
	for i, f := range j.joined.Fields()[:want] {
		if !arrow.TypeEqual(j.schema.Field(i).Type, f.Type) {
			return fmt.Errorf("output column %d (%q) is %s, input has %s", i, j.schema.Field(i).Name, j.schema.Field(i).Type, f.Type)
		}
	}
	return nil
}

// resolveExtra finds the joined-row columns the Extra condition reads.
func (j *hashJoin) resolveExtra() error {
	nleft := j.left.Schema().NumFields()
	joined := j.joined.Fields()
	if err := checkPredicate(j.extra, arrow.NewSchema(joined, nil)); err != nil {
		return err
	}
	var fields []arrow.Field
	for _, name := range expr.Columns(j.extra) {
		for i, f := range joined {
			if f.Name == name {
				c := joinColumn{idx: i}
				if i >= nleft {
					c = joinColumn{right: true, idx: i - nleft}
				}
				j.extraCols = append(j.extraCols, c)
				fields = append(fields, f)
				break
			}
		}
	}
	j.extraSchema = arrow.NewSchema(fields, nil)
	return nil
}

// emitsRight reports whether output rows carry the right columns.
func (j *hashJoin) emitsRight() bool {
	return j.typ != plan.SemiJoin && j.typ != plan.AntiJoin
}

// tracksBuild reports whether unmatched right rows are emitted.
func (j *hashJoin) tracksBuild() bool {
	return j.typ == plan.RightJoin || j.typ == plan.FullJoin
}

func (j *hashJoin) Schema() *arrow.Schema { return j.schema }
func (j *hashJoin) Children() []Operator  { return []Operator{j.left, j.right} }

// String is e.g. "HashJoin left [id = user_id] extra=(amount > limit)".
func (j *hashJoin) String() string {
	s := fmt.Sprintf("HashJoin %s [", j.typ)
	for i := range j.lkeys.exprs {
		if i > 0 {
			s += ", "
		}
		s += j.lkeys.exprs[i].String() + " = " + j.rkeys.exprs[i].String()
	}
	s += "]"
	if j.extra != nil {
		s += " extra=" + j.extra.String()
	}
	return s
}

func (j *hashJoin) Execute(ctx context.Context, tc *TaskContext) (batch.Reader, error) {
	right, err := j.right.Execute(ctx, tc)
	if err != nil {
		return nil, err
	}
	left, err := j.left.Execute(ctx, tc)
	if err != nil {
		right.Close()
		return nil, err
	}
	return &hashJoinReader{op: j, tc: tc, left: left, right: right}, nil
}

type hashJoinReader struct {
	op     *hashJoin
	tc     *TaskContext
	left   batch.Reader // nil once consumed
	right  batch.Reader // nil once built
	build  *joinBuild
	probe  *probeBatch // the left batch being joined; nil between batches
	scan   int         // right and full joins: build rows scanned for unmatched ones
	pi, bi []int32     // scratch: a chunk of (probe row, build row) pairs
	done   bool        // io.EOF returned
	closed bool
}

func (r *hashJoinReader) Schema() *arrow.Schema { return r.op.schema }

func (r *hashJoinReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.closed {
		return nil, errClosed
	}
	if r.done {
		return nil, io.EOF
	}
	if r.build == nil {
		rd := r.right
		r.right = nil
		b, err := buildJoinSide(ctx, r.tc, rd, r.op.rkeys, r.op.common, r.op.never, r.op.tracksBuild())
		if err != nil {
			return nil, fmt.Errorf("hash join build: %w", err)
		}
		r.build = b
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if r.probe != nil {
			out, err := r.step(ctx)
			if err != nil || out != nil {
				return out, err
			}
			r.probe.release()
			r.probe = nil
			continue
		}
		if r.left != nil {
			rec, err := r.left.Next(ctx)
			if err == io.EOF {
				err = r.left.Close()
				r.left = nil
				if err != nil {
					return nil, err
				}
				continue
			}
			if err != nil {
				return nil, err
			}
			if r.probe, err = r.startProbe(ctx, rec); err != nil {
				return nil, err
			}
			continue
		}
		out, err := r.unmatchedBuild(ctx)
		if err != nil || out != nil {
			return out, err
		}
		r.releaseAll()
		r.done = true
		return nil, io.EOF
	}
}

func (r *hashJoinReader) releaseAll() {
	if r.probe != nil {
		r.probe.release()
		r.probe = nil
	}
	if r.build != nil {
		r.build.release()
	}
}

func (r *hashJoinReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.releaseAll()
	err := closeAll(r.left, r.right)
	r.left, r.right = nil, nil
	return err
}
