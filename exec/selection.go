package exec

import (
	"fmt"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/sluicestream/sluice/expr"
)

// selection is the set of rows of one record that the filter conditions so
// far keep, a bitmap over the record's rows. Conditions narrow it in place,
// and only at the end are the kept rows gathered, and only from the columns
// the operator outputs: a column a condition reads but the output does not
// (kind in WHERE kind = 'a') is never copied. A selection is reused from one
// record to the next, so a reader allocates its bitmap and index scratch
// once; it belongs to one reader and is not safe for concurrent use.
type selection struct {
	words []uint64 // row i is bit i%64 of words[i/64]; bits from n on are clear
	n     int      // rows in the record
	idx   []int32  // scratch for indices
}

// reset selects every one of n rows.
func (s *selection) reset(n int) {
	nw := (n + 63) / 64
	if cap(s.words) < nw {
		s.words = make([]uint64, nw)
	}
	s.words, s.n = s.words[:nw], n
	for i := range s.words {
		s.words[i] = ^uint64(0)
	}
	if r := n % 64; r != 0 {
		s.words[nw-1] = 1<<r - 1
	}
}

// count is the number of selected rows.
func (s *selection) count() int {
	c := 0
	for _, w := range s.words {
		c += bits.OnesCount64(w)
	}
	return c
}

// and keeps only the rows where the n bits of bm from bit off are set.
func (s *selection) and(bm []byte, off int) {
	r := bitutil.NewBitmapWordReader(bm, off, s.n)
	w := 0
	for ; w < r.Words(); w++ {
		s.words[w] &= r.NextWord()
	}
	// The reader leaves up to two words' worth of bits as trailing bytes.
	for b := range r.TrailingBytes() {
		v, _ := r.NextTrailingByte()
		s.words[w+b/8] &^= uint64(^v) << (8 * (b % 8))
	}
}

// andMask keeps only the rows where mask, a condition's value for every row,
// is true: false and NULL drop the row.
func (s *selection) andMask(mask arrow.Array) error {
	if mask.Len() != s.n {
		return fmt.Errorf("condition has %d values for %d rows", mask.Len(), s.n)
	}
	switch mask.DataType().ID() {
	case arrow.NULL:
		clear(s.words)
		return nil
	case arrow.BOOL:
	default:
		return fmt.Errorf("condition is %s, not boolean", mask.DataType())
	}
	d := mask.Data()
	switch {
	case s.n == 0:
		return nil
	case d.Buffers()[1] == nil: // no values: none is true
		clear(s.words)
		return nil
	}
	s.and(d.Buffers()[1].Bytes(), d.Offset())
	if v := d.Buffers()[0]; v != nil && d.NullN() != 0 {
		s.and(v.Bytes(), d.Offset())
	}
	return nil
}

// indices lists the selected rows in order. The slice is the selection's
// scratch: it is valid until the next call.
func (s *selection) indices() []int32 {
	if c := s.count(); cap(s.idx) < c {
		s.idx = make([]int32, 0, c) // once, not by append's doublings
	}
	s.idx = s.idx[:0]
	for wi, w := range s.words {
		base := int32(wi * 64)
		for w != 0 {
			s.idx = append(s.idx, base+int32(bits.TrailingZeros64(w)))
			w &= w - 1
		}
	}
	return s.idx
}

// clearUnless drops each selected row whose entry in mask (one value per
// row of idx, the selected rows) is not true.
func (s *selection) clearUnless(idx []int32, mask arrow.Array) error {
	if mask.Len() != len(idx) {
		return fmt.Errorf("condition has %d values for %d rows", mask.Len(), len(idx))
	}
	if mask.DataType().ID() == arrow.NULL {
		clear(s.words)
		return nil
	}
	b, ok := mask.(*array.Boolean)
	if !ok {
		return fmt.Errorf("condition is %s, not boolean", mask.DataType())
	}
	for k, i := range idx {
		if !b.IsValid(k) || !b.Value(k) {
			s.words[i/64] &^= 1 << (i % 64)
		}
	}
	return nil
}

// gather returns the selected rows of cols, one new reference per column:
// the columns themselves when every row is selected.
func (s *selection) gather(ectx *expr.Context, cols []arrow.Array, kept int) ([]arrow.Array, error) {
	if kept == s.n {
		out := make([]arrow.Array, len(cols))
		for i, c := range cols {
			c.Retain()
			out[i] = c
		}
		return out, nil
	}
	return takeRows(ectx, cols, s.indices())
}
