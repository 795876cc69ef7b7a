package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// NoGroup is the group index Find reports for a key the table does not hold.
const NoGroup = noGroup

const noGroup = ^uint32(0)

// GroupTable maps the distinct keys of one or more key columns to dense group
// indices 0, 1, 2, … in order of first appearance. Hash aggregation uses it to
// turn rows into group indices for the accumulators; hash join indexes its
// build side with it; a streaming aggregation can keep one per micro-batch to
// touch each distinct key once.
//
// Keys compare by value, and NULL equals NULL (a NULL key, or a NULL in any
// column of a multi-column key, is a group like any other), which is what
// grouping wants; a join masks out NULL keys itself.
//
// Three representations, picked from the key types when the table is made:
//   - one integer-like column (integers, dates, times, timestamps, durations):
//     an open-addressed table over int64;
//   - one string or binary column: an open-addressed table over the bytes,
//     keys stored in one arena, read straight from the Arrow buffers;
//   - anything else: each row's key encoded with batch.EncodeKeys into bytes,
//     and the same bytes table over those.
//
// The table holds no Arrow memory; KeyColumns allocates. It is not safe for
// concurrent use.
type GroupTable struct {
	types []arrow.DataType
	kind  groupKind
	width int // intKeys: byte width of the key type
	ints  *intTable
	bytes *bytesTable
	enc   *keyEncoder // genericKeys
}

type groupKind int

const (
	intKeys groupKind = iota
	binaryKeys
	genericKeys
)

// NewGroupTable returns an empty table for keys of the given column types.
// There must be at least one.
func NewGroupTable(types []arrow.DataType) (*GroupTable, error) {
	if len(types) == 0 {
		return nil, fmt.Errorf("group table: no key columns")
	}
	t := &GroupTable{types: append([]arrow.DataType(nil), types...)}
	switch {
	case len(types) == 1 && intWidth(types[0]) > 0:
		t.kind, t.width, t.ints = intKeys, intWidth(types[0]), newIntTable()
	case len(types) == 1 && isBinaryLike(types[0]):
		t.kind, t.bytes = binaryKeys, newBytesTable()
	default:
		enc, err := newKeyEncoder(types)
		if err != nil {
			return nil, fmt.Errorf("group table: %w", err)
		}
		t.kind, t.bytes, t.enc = genericKeys, newBytesTable(), enc
	}
	return t, nil
}

// isBinaryLike reports whether dt is a string or binary type with offsets.
func isBinaryLike(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return true
	}
	return false
}

// Types returns the key column types.
func (t *GroupTable) Types() []arrow.DataType { return t.types }

// Len returns the number of groups.
func (t *GroupTable) Len() int {
	if t.kind == intKeys {
		return t.ints.len()
	}
	return t.bytes.len()
}

// Reset empties the table, keeping its key types.
func (t *GroupTable) Reset() {
	if t.kind == intKeys {
		t.ints.reset()
	} else {
		t.bytes.reset()
	}
}

// Insert sets groups[i] to the group of row i of the key columns cols, adding
// groups for keys not seen before. REQUIRES: cols match the table's types and
// all have len(groups) rows.
func (t *GroupTable) Insert(cols []arrow.Array, groups []uint32) error {
	if err := t.check(cols, len(groups)); err != nil {
		return err
	}
	switch t.kind {
	case intKeys:
		if err := checkGroupSpace(t.ints.len(), len(groups)); err != nil {
			return err
		}
		t.ints.insertInts(cols[0], t.ints.intValues(cols[0], t.width), groups)
	case binaryKeys:
		if err := checkGroupSpace(t.bytes.len(), len(groups)); err != nil {
			return err
		}
		insertBinaryColumn(t.bytes, cols[0], groups)
	default:
		if err := checkGroupSpace(t.bytes.len(), len(groups)); err != nil {
			return err
		}
		return t.enc.insert(t.bytes, cols, groups)
	}
	return nil
}

// Find sets groups[i] to the group of row i's key, or NoGroup when the table
// does not hold it. It never adds a group.
func (t *GroupTable) Find(cols []arrow.Array, groups []uint32) error {
	if err := t.check(cols, len(groups)); err != nil {
		return err
	}
	switch t.kind {
	case intKeys:
		t.ints.findInts(cols[0], t.ints.intValues(cols[0], t.width), groups)
	case binaryKeys:
		findBinaryColumn(t.bytes, cols[0], groups)
	default:
		return t.enc.find(t.bytes, cols, groups)
	}
	return nil
}

// KeyColumns returns the key of every group, one array per key column with
// Len() rows, row g holding group g's key. The caller releases the arrays.
func (t *GroupTable) KeyColumns(mem memory.Allocator) ([]arrow.Array, error) {
	switch t.kind {
	case intKeys:
		return []arrow.Array{t.ints.intKeyColumn(mem, t.types[0], t.width)}, nil
	case binaryKeys:
		c, err := t.bytes.binaryKeyColumn(mem, t.types[0])
		if err != nil {
			return nil, err
		}
		return []arrow.Array{c}, nil
	default:
		return t.enc.decode(mem, t.bytes)
	}
}

// check validates the key columns against the table's types.
func (t *GroupTable) check(cols []arrow.Array, rows int) error {
	if len(cols) != len(t.types) {
		return fmt.Errorf("group table: %d key columns, want %d", len(cols), len(t.types))
	}
	for i, c := range cols {
		if !arrow.TypeEqual(c.DataType(), t.types[i]) {
			return fmt.Errorf("group table: key column %d is %s, want %s", i, c.DataType(), t.types[i])
		}
		if c.Len() != rows {
			return fmt.Errorf("group table: key column %d has %d rows, want %d", i, c.Len(), rows)
		}
	}
	return nil
}

// checkGroupSpace reports an error if adding rows groups to n could exhaust
// the uint32 group index space (NoGroup is reserved).
func checkGroupSpace(n, rows int) error {
	if uint64(n)+uint64(rows) >= uint64(noGroup) {
		return fmt.Errorf("group table: more than %d groups", noGroup-1)
	}
	return nil
}

// insertBinaryColumn dispatches on the offset width of a binary-like column.
func insertBinaryColumn(t *bytesTable, col arrow.Array, groups []uint32) {
	data, valid, off := binaryParts(col)
	switch a := col.(type) {
	case *array.String:
		insertBinary(t, a.ValueOffsets(), data, valid, off, groups)
	case *array.Binary:
		insertBinary(t, a.ValueOffsets(), data, valid, off, groups)
	case *array.LargeString:
		insertBinary(t, a.ValueOffsets(), data, valid, off, groups)
	case *array.LargeBinary:
		insertBinary(t, a.ValueOffsets(), data, valid, off, groups)
	}
}

// findBinaryColumn is insertBinaryColumn without inserting.
func findBinaryColumn(t *bytesTable, col arrow.Array, groups []uint32) {
	data, valid, off := binaryParts(col)
	switch a := col.(type) {
	case *array.String:
		findBinary(t, a.ValueOffsets(), data, valid, off, groups)
	case *array.Binary:
		findBinary(t, a.ValueOffsets(), data, valid, off, groups)
	case *array.LargeString:
		findBinary(t, a.ValueOffsets(), data, valid, off, groups)
	case *array.LargeBinary:
		findBinary(t, a.ValueOffsets(), data, valid, off, groups)
	}
}
