package exec

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/plan"
)

// Helpers shared by the hash aggregation and hash join tests (prefix ht).

// htSource is an Operator that serves fixed records; every Execute gets its
// own references.
type htSource struct {
	schema *arrow.Schema
	recs   []arrow.RecordBatch
}

func (s *htSource) Schema() *arrow.Schema { return s.schema }
func (s *htSource) Children() []Operator  { return nil }
func (s *htSource) String() string        { return fmt.Sprintf("htSource %d records", len(s.recs)) }

func (s *htSource) Execute(_ context.Context, _ *TaskContext) (batch.Reader, error) {
	for _, r := range s.recs {
		r.Retain()
	}
	return batch.NewSliceReader(s.schema, append([]arrow.RecordBatch(nil), s.recs...)...), nil
}

func (s *htSource) release() { batch.Release(s.recs) }

// htNode is a leaf plan.Node with a fixed schema, to build plan nodes over.
type htNode struct{ schema *arrow.Schema }

func (n *htNode) Schema() *arrow.Schema                       { return n.schema }
func (n *htNode) Children() []plan.Node                       { return nil }
func (n *htNode) WithChildren([]plan.Node) (plan.Node, error) { return n, nil }
func (n *htNode) String() string                              { return "htNode" }

// htRecord builds a record of schema from rows of Go values: nil is NULL,
// int64/int (integer columns), float64, string, bool.
func htRecord(t testing.TB, mem memory.Allocator, schema *arrow.Schema, rows [][]any) arrow.RecordBatch {
	t.Helper()
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, row := range rows {
		for c, v := range row {
			if v == nil {
				b.Field(c).AppendNull()
				continue
			}
			if err := b.Field(c).AppendValueFromString(fmt.Sprint(v)); err != nil {
				t.Fatalf("column %d value %v: %v", c, v, err)
			}
		}
	}
	return b.NewRecordBatch()
}

// htSourceOf splits rows into records of at most per rows each.
func htSourceOf(t testing.TB, mem memory.Allocator, schema *arrow.Schema, rows [][]any, per int) *htSource {
	t.Helper()
	s := &htSource{schema: schema}
	for lo := 0; lo < len(rows); lo += per {
		s.recs = append(s.recs, htRecord(t, mem, schema, rows[lo:min(lo+per, len(rows))]))
	}
	return s
}

// htRun runs op and returns its output rows rendered by htFormatRow, sorted,
// checking every record has op's schema and at most tc.BatchSize rows.
func htRun(t testing.TB, op Operator, tc *TaskContext) []string {
	t.Helper()
	r, err := op.Execute(context.Background(), tc)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := batch.ReadAll(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	defer batch.Release(recs)
	var rows []string
	for _, rec := range recs {
		if err := sameTypes(op.Schema(), rec.Schema()); err != nil {
			t.Fatalf("record schema differs from operator's: %v", err)
		}
		if rec.NumRows() == 0 || rec.NumRows() > int64(batchSize(tc)) {
			t.Fatalf("record of %d rows (batch size %d)", rec.NumRows(), batchSize(tc))
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			rows = append(rows, htFormatRow(rec.Columns(), i))
		}
	}
	sort.Strings(rows)
	return rows
}

// htFormatRow renders row i of cols as "v1|v2|…".
func htFormatRow(cols []arrow.Array, i int) string {
	parts := make([]string, len(cols))
	for c, col := range cols {
		parts[c] = htFormat(col.GetOneForMarshal(i))
	}
	return strings.Join(parts, "|")
}

// htFormat renders one value the way the references do: NULL, integers in
// decimal, floats to 9 significant digits, strings quoted, lists in [].
func htFormat(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case float64:
		return strconv.FormatFloat(x, 'g', 9, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', 9, 64)
	case string:
		return strconv.Quote(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = htFormat(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return fmt.Sprint(v)
}

// htEqual fails unless got and want hold the same rows.
func htEqual(t testing.TB, got, want []string) {
	t.Helper()
	sort.Strings(want)
	if strings.Join(got, "\n") == strings.Join(want, "\n") {
		return
	}
	t.Errorf("got %d rows, want %d", len(got), len(want))
	n := max(len(got), len(want))
	for i := 0; i < n && i < 40; i++ {
		g, w := "-", "-"
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		mark := " "
		if g != w {
			mark = "*"
		}
		t.Errorf("%s got %-40s want %s", mark, g, w)
	}
}
