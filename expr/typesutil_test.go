package expr_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/expr"
)

// Helpers for the operator tests (arith, compare, boolean, null, in, like,
// case, cast, fold); the op prefix keeps them apart from other files' helpers.

var (
	opI8   = arrow.PrimitiveTypes.Int8
	opI16  = arrow.PrimitiveTypes.Int16
	opI32  = arrow.PrimitiveTypes.Int32
	opI64  = arrow.PrimitiveTypes.Int64
	opU8   = arrow.PrimitiveTypes.Uint8
	opU32  = arrow.PrimitiveTypes.Uint32
	opU64  = arrow.PrimitiveTypes.Uint64
	opF32  = arrow.PrimitiveTypes.Float32
	opF64  = arrow.PrimitiveTypes.Float64
	opStr  = arrow.BinaryTypes.String
	opLStr = arrow.BinaryTypes.LargeString
	opBin  = arrow.BinaryTypes.Binary
	opBool = arrow.FixedWidthTypes.Boolean
	opDate = arrow.FixedWidthTypes.Date32
	opTS   = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	opNull = arrow.Null
)

// opCol is an input column: its name, type and values as Arrow JSON.
type opCol struct {
	name string
	dt   arrow.DataType
	json string
}

// opCase evaluates e over cols and expects want (Arrow JSON) of type typ.
type opCase struct {
	name string
	e    expr.Expr
	cols []opCol
	typ  arrow.DataType
	want string
}

// opNewMem returns the checked allocator every operator test runs with.
func opNewMem() *memory.CheckedAllocator {
	return memory.NewCheckedAllocator(memory.NewGoAllocator())
}

// opArray builds an array from JSON. When sliced, the array is built with two
// extra rows before and one after and then sliced, so its offset is not zero.
func opArray(t testing.TB, mem memory.Allocator, dt arrow.DataType, js string, sliced bool) arrow.Array {
	t.Helper()
	if sliced {
		inner := strings.TrimSpace(js)
		inner = strings.TrimSpace(inner[1 : len(inner)-1])
		pad := "[null, null"
		if inner != "" {
			pad += ", " + inner
		}
		js = pad + ", null]"
	}
	arr, _, err := array.FromJSON(mem, dt, strings.NewReader(js))
	if err != nil {
		t.Fatalf("array from %s as %s: %v", js, dt, err)
	}
	if !sliced {
		return arr
	}
	defer arr.Release()
	return array.NewSlice(arr, 2, int64(arr.Len()-1))
}

// opRecord builds a record of cols; with no columns it has rows rows.
func opRecord(t testing.TB, mem memory.Allocator, sliced bool, rows int, cols ...opCol) arrow.RecordBatch {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.dt, Nullable: true}
		arrs[i] = opArray(t, mem, c.dt, c.json, sliced)
		defer arrs[i].Release()
		rows = arrs[i].Len()
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(rows))
}

// opEval type-checks and evaluates e over rec and checks the result is
// consistent with Type: same type, one value per row, valid layout.
func opEval(t testing.TB, mem memory.Allocator, e expr.Expr, rec arrow.RecordBatch) arrow.Array {
	t.Helper()
	dt, err := e.Type(rec.Schema())
	if err != nil {
		t.Fatalf("%s: Type: %v", e, err)
	}
	out, err := e.Eval(expr.NewContext(context.Background(), mem), rec)
	if err != nil {
		t.Fatalf("%s: Eval: %v", e, err)
	}
	if !arrow.TypeEqual(out.DataType(), dt) {
		t.Errorf("%s: Eval gave %s, Type says %s", e, out.DataType(), dt)
	}
	if out.Len() != int(rec.NumRows()) {
		t.Errorf("%s: %d rows, want %d", e, out.Len(), rec.NumRows())
	}
	if v, ok := out.(interface{ ValidateFull() error }); ok {
		if err := v.ValidateFull(); err != nil {
			t.Errorf("%s: invalid result: %v", e, err)
		}
	}
	return out
}

// opCheck compares got with want (Arrow JSON of type dt).
func opCheck(t testing.TB, mem memory.Allocator, what string, got arrow.Array, dt arrow.DataType, want string) {
	t.Helper()
	w := opArray(t, mem, dt, want, false)
	defer w.Release()
	if !arrow.TypeEqual(got.DataType(), dt) {
		t.Errorf("%s: type %s, want %s", what, got.DataType(), dt)
		return
	}
	if !array.ApproxEqual(w, got, array.WithNaNsEqual(true)) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, w)
	}
}

// opRun runs every case as a subtest, over plain and sliced input.
func opRun(t *testing.T, cases []opCase) {
	t.Helper()
	for _, c := range cases {
		name := c.name
		if name == "" {
			name = c.e.String()
		}
		t.Run(name, func(t *testing.T) {
			for _, sliced := range []bool{false, true} {
				mem := opNewMem()
				rec := opRecord(t, mem, sliced, opRows(c.want), c.cols...)
				got := opEval(t, mem, c.e, rec)
				what := c.e.String()
				if sliced {
					what += " (sliced input)"
				}
				opCheck(t, mem, what, got, c.typ, c.want)
				got.Release()
				rec.Release()
				mem.AssertSize(t, 0)
			}
		})
	}
}

// opRows counts the values of a flat JSON array (for cases without columns).
func opRows(js string) int {
	var arr []any
	if err := json.Unmarshal([]byte(js), &arr); err != nil {
		return 0
	}
	return len(arr)
}

// opTypeErr checks that e fails to type-check against cols with a
// *expr.TypeError naming e and every string in want.
func opTypeErr(t *testing.T, e expr.Expr, cols []opCol, want ...string) {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.dt, Nullable: true}
	}
	_, err := e.Type(arrow.NewSchema(fields, nil))
	var te *expr.TypeError
	if !errors.As(err, &te) {
		t.Fatalf("%s: Type error %v (%T), want *expr.TypeError", e, err, err)
	}
	msg := err.Error()
	for _, w := range append([]string{e.String()}, want...) {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: error %q does not mention %q", e, msg, w)
		}
	}
	mem := opNewMem()
	rec := opRecord(t, mem, false, 0, cols...)
	if out, err := e.Eval(expr.NewContext(context.Background(), mem), rec); err == nil {
		out.Release()
		t.Errorf("%s: Eval succeeded despite the type error", e)
	}
	rec.Release()
	mem.AssertSize(t, 0)
}

func TestCommonType(t *testing.T) {
	tsMs := &arrow.TimestampType{Unit: arrow.Millisecond}
	tsUs := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	cases := []struct {
		a, b, want arrow.DataType // want nil: no common type
	}{
		{opI32, opI32, opI32},
		{opI8, opI32, opI32},
		{opI64, opI16, opI64},
		{opU8, opI8, opI16},
		{opU32, opI32, opI64},
		{opU64, opI8, opI64},
		{opU8, opU32, opU32},
		{opI32, opF32, opF64},
		{opF32, opF32, opF32},
		{opF32, opF64, opF64},
		{opI64, opF64, opF64},
		{opNull, opI32, opI32},
		{opStr, opNull, opStr},
		{opStr, opLStr, opLStr},
		{opBin, arrow.BinaryTypes.LargeBinary, arrow.BinaryTypes.LargeBinary},
		{opDate, tsUs, tsUs},
		{tsMs, tsUs, &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{opDate, opDate, opDate},
		{opStr, opI32, nil},
		{opBool, opI32, nil},
		{opDate, opI32, nil},
	}
	for _, c := range cases {
		for _, ab := range [][2]arrow.DataType{{c.a, c.b}, {c.b, c.a}} {
			got, ok := expr.CommonType(ab[0], ab[1])
			switch {
			case c.want == nil && ok:
				t.Errorf("CommonType(%s, %s) = %s, want none", ab[0], ab[1], got)
			case c.want != nil && (!ok || !arrow.TypeEqual(got, c.want)):
				t.Errorf("CommonType(%s, %s) = %v, %v; want %s", ab[0], ab[1], got, ok, c.want)
			}
		}
	}
}

// opBenchRows is the batch size the operator benchmarks evaluate.
const opBenchRows = 64 << 10

// opBenchRecord returns a record of opBenchRows rows with columns i (int64,
// every tenth NULL), f (float64), s (digits as strings) and w (words).
func opBenchRecord(mem memory.Allocator) arrow.RecordBatch {
	ib := array.NewInt64Builder(mem)
	defer ib.Release()
	fb := array.NewFloat64Builder(mem)
	defer fb.Release()
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	wb := array.NewStringBuilder(mem)
	defer wb.Release()
	words := []string{"apple", "banana", "grape", "pineapple", "plum"}
	for i := 0; i < opBenchRows; i++ {
		if i%10 == 0 {
			ib.AppendNull()
		} else {
			ib.Append(int64(i))
		}
		fb.Append(float64(i) / 3)
		sb.Append(strconv.Itoa(i * 7))
		wb.Append(words[i%len(words)])
	}
	cols := []arrow.Array{ib.NewArray(), fb.NewArray(), sb.NewArray(), wb.NewArray()}
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	s := arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: opI64, Nullable: true}, {Name: "f", Type: opF64},
		{Name: "s", Type: opStr}, {Name: "w", Type: opStr},
	}, nil)
	return array.NewRecordBatch(s, cols, opBenchRows)
}

// opBench measures evaluating e over opBenchRecord; allocations per op should
// not grow with the number of rows.
func opBench(b *testing.B, e expr.Expr) {
	mem := memory.NewGoAllocator()
	rec := opBenchRecord(mem)
	defer rec.Release()
	ctx := expr.NewContext(context.Background(), mem)
	b.ReportAllocs()
	b.SetBytes(opBenchRows)
	for b.Loop() {
		out, err := e.Eval(ctx, rec)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}

func BenchmarkOps(b *testing.B) {
	i, f, s, w := expr.Col("i"), expr.Col("f"), expr.Col("s"), expr.Col("w")
	for _, c := range []struct {
		name string
		e    expr.Expr
	}{
		{"add_col_lit", expr.Add(i, expr.Lit(1))},
		{"add_int_float", expr.Add(i, f)},
		{"div", expr.Div(i, f)},
		{"mod_lit", expr.Mod(i, expr.Lit(7))},
		{"gt_lit", expr.Gt(i, expr.Lit(100))},
		{"and", expr.And(expr.Gt(i, expr.Lit(100)), expr.Lt(f, expr.Lit(1000.0)))},
		{"is_null", expr.IsNull(i)},
		{"in_lits", expr.In(i, expr.Lit(1), expr.Lit(5), expr.Lit(9))},
		{"like_prefix", expr.Like(w, "pine%")},
		{"like_regexp", expr.Like(w, "_a%a")},
		{"case", expr.When(expr.Gt(i, expr.Lit(100)), f).Else(expr.Lit(0.0))},
		{"cast_str_int", expr.Cast(s, opI64)},
		{"cast_int_str", expr.Cast(i, opStr)},
		{"cast_float_str", expr.Cast(f, opStr)},
	} {
		b.Run(c.name, func(b *testing.B) { opBench(b, c.e) })
	}
}

// TestOpsConcurrent evaluates shared expressions over one shared record from
// several goroutines; run with -race it checks evaluation writes nothing
// shared (the sliced input has a null count not yet computed).
func TestOpsConcurrent(t *testing.T) {
	mem := opNewMem()
	rec := opRecord(t, mem, true, 0,
		opCol{"i", opI64, `[1, null, 3, 4]`},
		opCol{"s", opStr, `["2024-01-02 03:04:05 Europe/Paris", null, "x", "2024-01-02"]`})
	defer func() { rec.Release(); mem.AssertSize(t, 0) }()
	es := []expr.Expr{
		expr.Cast(expr.Col("s"), &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "Asia/Tokyo"}),
		expr.Like(expr.Col("s"), "2024%Paris"),
		expr.When(expr.IsNull(expr.Col("i")), expr.Lit(0)).Else(expr.Mod(expr.Col("i"), expr.Lit(2))),
		expr.In(expr.Col("i"), expr.Lit(1), expr.Lit(4)),
		expr.Not(expr.Gt(expr.Col("i"), expr.Lit(2))),
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := expr.NewContext(context.Background(), mem)
			for range 20 {
				for _, e := range es {
					out, err := e.Eval(ctx, rec)
					if err != nil {
						t.Error(err)
						return
					}
					out.Release()
				}
			}
		}()
	}
	wg.Wait()
}
