package exec

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

var scanSchema = schemaOf("a", arrow.PrimitiveTypes.Int64, "b", arrow.BinaryTypes.String, "keep", arrow.FixedWidthTypes.Boolean)

func scanTable(t *testing.T) *testTable {
	mem := checkedMem(t)
	full := recordOf(t, mem, scanSchema, `[
		{"a": 1, "b": "one", "keep": true},
		{"a": 2, "b": "two", "keep": null},
		{"a": null, "b": "nil", "keep": true},
		{"a": 4, "b": null, "keep": false},
		{"a": 5, "b": "five", "keep": true}]`)
	empty := recordOf(t, mem, scanSchema, `[]`)
	return newTestTable(t, "t", scanSchema, sliceOf(t, full, 0, 2), empty, sliceOf(t, full, 2, 5), full)
}

func TestScan(t *testing.T) {
	for _, tt := range []struct {
		name    string
		columns []string
		filters []expr.Expr
		out     *arrow.Schema
		read    []string // columns the table is asked for
		want    []string
	}{{
		name: "all columns",
		out:  scanSchema,
		want: []string{
			"1,one,true", "2,two,(null)",
			"(null),nil,true", "4,(null),false", "5,five,true",
			"1,one,true", "2,two,(null)", "(null),nil,true", "4,(null),false", "5,five,true",
		},
	}, {
		name:    "reordered columns",
		columns: []string{"b", "a"},
		out:     schemaOf("b", arrow.BinaryTypes.String, "a", arrow.PrimitiveTypes.Int64),
		read:    []string{"b", "a"},
		want:    []string{"one,1", "two,2", "nil,(null)", "(null),4", "five,5", "one,1", "two,2", "nil,(null)", "(null),4", "five,5"},
	}, {
		name:    "filter on a column not output, NULL dropped",
		columns: []string{"b"},
		filters: []expr.Expr{expr.Col("keep")},
		out:     schemaOf("b", arrow.BinaryTypes.String),
		read:    []string{"b", "keep"},
		want:    []string{"one", "nil", "five", "one", "nil", "five"},
	}, {
		name:    "filters are ANDed",
		columns: []string{"a"},
		filters: []expr.Expr{expr.Col("keep"), gt("a", 1)},
		out:     schemaOf("a", arrow.PrimitiveTypes.Int64),
		read:    []string{"a", "keep"},
		want:    []string{"5", "5"},
	}, {
		name:    "nothing passes",
		filters: []expr.Expr{gt("a", 100)},
		out:     scanSchema,
	}} {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedMem(t)
			table := scanTable(t)
			op, err := newScan(table, tt.columns, tt.filters, tt.out)
			if err != nil {
				t.Fatal(err)
			}
			recs := mustRun(t, op, mem, 0)
			wantRows(t, recs, tt.want...)
			for _, r := range recs {
				if r.NumRows() == 0 {
					t.Error("empty record returned")
				}
				if !r.Schema().Equal(tt.out) {
					t.Errorf("schema %s, want %s", r.Schema(), tt.out)
				}
			}
			if !slices.Equal(table.columns, tt.read) {
				t.Errorf("table asked for %q, want %q", table.columns, tt.read)
			}
			if len(table.filters) != len(tt.filters) {
				t.Errorf("table got filters %v, want %v", table.filters, tt.filters)
			}
			table.assertClosed(t)
		})
	}
}

func TestScanLazy(t *testing.T) {
	mem := checkedMem(t)
	table := scanTable(t)
	table.armed = false
	op, err := newScan(table, nil, nil, scanSchema)
	if err != nil {
		t.Fatal(err)
	}
	r, err := op.Execute(context.Background(), NewTaskContext(mem))
	if err != nil {
		t.Fatal(err)
	}
	if table.scans != 0 {
		t.Fatal("Execute scanned the table")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if table.scans != 0 {
		t.Fatal("Close without Next scanned the table")
	}

	table.arm()
	r, err = op.Execute(context.Background(), NewTaskContext(mem))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := r.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	table.assertClosed(t)
}

func TestScanErrors(t *testing.T) {
	mem := checkedMem(t)
	table := scanTable(t)
	if _, err := newScan(table, nil, []expr.Expr{expr.Col("a")}, scanSchema); err == nil {
		t.Error("int64 filter accepted")
	}
	if _, err := newScan(table, nil, []expr.Expr{expr.Col("nope")}, scanSchema); err == nil {
		t.Error("filter on an unknown column accepted")
	}

	table.execErr = errSource
	op, err := newScan(table, nil, nil, scanSchema)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runOp(t, op, mem, 0); !errors.Is(err, errSource) {
		t.Errorf("table Scan error: got %v", err)
	}
	table.execErr = nil

	table.failAt = 3
	if _, err := runOp(t, op, mem, 0); !errors.Is(err, errSource) {
		t.Errorf("table read error: got %v", err)
	}
	table.failAt = 0

	op, err = newScan(table, nil, []expr.Expr{failExpr{}}, scanSchema)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runOp(t, op, mem, 0); !errors.Is(err, errEval) {
		t.Errorf("filter error: got %v", err)
	}

	// A table that does not return a column it was asked for.
	op, err = newScan(table, nil, nil, schemaOf("zz", arrow.PrimitiveTypes.Int64))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runOp(t, op, mem, 0); err == nil || !strings.Contains(err.Error(), `"zz"`) {
		t.Errorf("missing column: got %v", err)
	}
	table.assertClosed(t)
}

func TestScanString(t *testing.T) {
	op, err := newScan(scanTable(t), []string{"b"}, []expr.Expr{expr.Col("keep"), gt("a", 1)}, schemaOf("b", arrow.BinaryTypes.String))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := op.String(), "Scan t [b] filters=[keep, (a greater 1)]"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
