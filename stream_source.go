package sluice

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/engine"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/source"
)

// streamSource stands in a plan for a streaming input until a query
// starts: then the query opens the source (open) and scans it through an
// engine.StreamTable in its place. Scanning it outside a query, which is
// what a batch action does, is an *UnsupportedOperationError.
type streamSource struct {
	desc   string // "csv /data/in": the table's name in plans and errors
	schema *arrow.Schema
	// A registered source: name and options. The query adds the checkpoint
	// location and the source's index for the file source.
	name string
	opts map[string]string
	// Or a source the caller owns (FromSource).
	src source.Source
	// maxFiles is the file source's maxFilesPerTrigger, 0 if unset.
	maxFiles int
}

var _ plan.Table = (*streamSource)(nil)

func (t *streamSource) Name() string          { return t.desc }
func (t *streamSource) Schema() *arrow.Schema { return t.schema }

// Scan refuses: a stream is read by a streaming query only.
func (t *streamSource) Scan(context.Context, memory.Allocator, []string, []expr.Expr) (batch.Reader, error) {
	return nil, &UnsupportedOperationError{Reason: msgBatchOnStream, Node: "Scan " + t.desc}
}

// open returns the source for a query whose checkpoint is at location, in
// which the source is number index; owned says whether the query must close
// it. Its schema must be the one the DataFrame was built with.
func (t *streamSource) open(ctx context.Context, location string, index int) (src source.Source, owned bool, err error) {
	if t.src != nil {
		return t.src, false, nil
	}
	opts := t.opts
	if t.name == fileSource {
		opts = withOptions(opts, map[string]string{"checkpointLocation": location, "sourceIndex": fmt.Sprint(index)})
	}
	if src, err = source.Open(ctx, t.name, opts); err != nil {
		return nil, false, fmt.Errorf("source %d (%s): %w", index, t.desc, err)
	}
	if !sameColumns(src.Schema(), t.schema) {
		err = fmt.Errorf("source %d (%s): its schema is now (%s), not (%s) as when the DataFrame was built", index, t.desc, columns(src.Schema()), columns(t.schema))
		return nil, false, closeAfter(err, src)
	}
	return src, true, nil
}

// closeAfter closes src after err, and returns err with any close error.
func closeAfter(err error, src source.Source) error {
	if cerr := src.Close(); cerr != nil {
		return fmt.Errorf("%w (and close: %v)", err, cerr)
	}
	return err
}

// sameColumns reports whether a and b have the same column names, types and
// nullability, in order (metadata aside).
func sameColumns(a, b *arrow.Schema) bool {
	if a.NumFields() != b.NumFields() {
		return false
	}
	for i := range a.NumFields() {
		fa, fb := a.Field(i), b.Field(i)
		if fa.Name != fb.Name || fa.Nullable != fb.Nullable || !arrow.TypeEqual(fa.Type, fb.Type) {
			return false
		}
	}
	return true
}

// columns describes a schema on one line: "a: int64, b: utf8".
func columns(s *arrow.Schema) string {
	cols := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		cols[i] = f.Name + ": " + f.Type.String()
	}
	return strings.Join(cols, ", ")
}

// bindSources opens the sources of p for a query whose checkpoint is at
// location, numbered in the order a depth-first walk meets them (the same
// order on every start of the same query), and returns p over
// engine.StreamTables in their place, with the read limit of the query.
func bindSources(ctx context.Context, p plan.Node, location string, res *resources) (plan.Node, map[string]source.Source, source.ReadLimit, error) {
	var specs []*streamSource
	walkScans(p, func(t *streamSource) {
		if !slices.Contains(specs, t) {
			specs = append(specs, t)
		}
	})
	limit, err := readLimit(specs)
	if err != nil {
		return nil, nil, limit, err
	}
	width := len(strconv.Itoa(len(specs) - 1))
	tables := map[*streamSource]*engine.StreamTable{}
	sources := map[string]source.Source{}
	for i, t := range specs {
		src, owned, err := t.open(ctx, location, i)
		if err != nil {
			return nil, nil, limit, err
		}
		if owned {
			res.sources = append(res.sources, src)
		}
		// The engine orders sources by name; the index first keeps that
		// order the walk's.
		name := fmt.Sprintf("%0*d:%s", width, i, t.desc)
		tables[t] = engine.NewStreamTable(name, src.Schema())
		sources[name] = src
	}
	bound, err := rebind(p, tables)
	return bound, sources, limit, err
}

// readLimit is the engine's read limit for sources specs: the
// maxFilesPerTrigger of its file sources. The engine has one limit for
// every source, so the file sources must agree on it.
func readLimit(specs []*streamSource) (source.ReadLimit, error) {
	var limit source.ReadLimit
	var first *streamSource
	for _, t := range specs {
		if t.name != fileSource {
			continue
		}
		if first != nil && t.maxFiles != first.maxFiles {
			return limit, fmt.Errorf("file sources %s and %s have different maxFilesPerTrigger (%d, %d): a query takes one for all its file sources, for now",
				first.desc, t.desc, first.maxFiles, t.maxFiles)
		}
		first, limit.MaxFiles = t, t.maxFiles
	}
	return limit, nil
}

// walkScans calls fn for every streamSource p scans, depth first.
func walkScans(p plan.Node, fn func(*streamSource)) {
	if s, ok := p.(*plan.Scan); ok {
		if t, ok := s.Table.(*streamSource); ok {
			fn(t)
		}
	}
	for _, c := range p.Children() {
		walkScans(c, fn)
	}
}

// rebind returns p with the scans of streamSources replaced by scans of
// their tables.
func rebind(p plan.Node, tables map[*streamSource]*engine.StreamTable) (plan.Node, error) {
	if s, ok := p.(*plan.Scan); ok {
		if t, ok := s.Table.(*streamSource); ok {
			return plan.NewScan(tables[t]), nil
		}
		return p, nil
	}
	children := p.Children()
	bound := make([]plan.Node, len(children))
	for i, c := range children {
		b, err := rebind(c, tables)
		if err != nil {
			return nil, err
		}
		bound[i] = b
	}
	return p.WithChildren(bound)
}

// ddlTypes are the Arrow types the file source's "schema" option (Spark's
// DDL, source/file.ParseSchema) spells.
var ddlTypes = []struct {
	t   arrow.DataType
	ddl string
}{
	{arrow.FixedWidthTypes.Boolean, "BOOLEAN"},
	{arrow.PrimitiveTypes.Int8, "TINYINT"},
	{arrow.PrimitiveTypes.Int16, "SMALLINT"},
	{arrow.PrimitiveTypes.Int32, "INT"},
	{arrow.PrimitiveTypes.Int64, "BIGINT"},
	{arrow.PrimitiveTypes.Float32, "FLOAT"},
	{arrow.PrimitiveTypes.Float64, "DOUBLE"},
	{arrow.BinaryTypes.String, "STRING"},
	{arrow.FixedWidthTypes.Date32, "DATE"},
	{&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, "TIMESTAMP"},
	{&arrow.TimestampType{Unit: arrow.Microsecond}, "TIMESTAMP_NTZ"},
}

// schemaDDL writes s in the DDL the file source's "schema" option reads
// back as s (metadata aside), or fails naming a column whose type it
// cannot spell.
func schemaDDL(s *arrow.Schema) (string, error) {
	cols := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		j := slices.IndexFunc(ddlTypes, func(d struct {
			t   arrow.DataType
			ddl string
		}) bool {
			return arrow.TypeEqual(d.t, f.Type)
		})
		if j < 0 {
			return "", fmt.Errorf("column %q has type %s, which a file stream's schema cannot have", f.Name, f.Type)
		}
		cols[i] = "`" + strings.ReplaceAll(f.Name, "`", "``") + "` " + ddlTypes[j].ddl
		if !f.Nullable {
			cols[i] += " NOT NULL"
		}
	}
	return strings.Join(cols, ", "), nil
}
