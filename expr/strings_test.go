package expr

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Test helpers for the string, time, window and explode tests; the sx prefix
// keeps them apart from other files' helpers.

// sxStrings builds a utf8 array; a nil element is NULL.
func sxStrings(mem memory.Allocator, vals ...any) arrow.Array {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
		} else {
			b.Append(v.(string))
		}
	}
	return b.NewArray()
}

// sxRecord builds a record of the given columns named c0, c1, ...; it
// releases the columns.
func sxRecord(cols ...arrow.Array) arrow.RecordBatch {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: "c" + string(rune('0'+i)), Type: c.DataType(), Nullable: true}
	}
	n := int64(0)
	if len(cols) > 0 {
		n = int64(cols[0].Len())
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, n)
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// sxEval type-checks and evaluates e over rec, and validates the result.
func sxEval(t *testing.T, mem memory.Allocator, e Expr, rec arrow.RecordBatch) arrow.Array {
	t.Helper()
	dt, err := e.Type(rec.Schema())
	if err != nil {
		t.Fatalf("%s: Type: %v", e, err)
	}
	out, err := e.Eval(NewContext(context.Background(), mem), rec)
	if err != nil {
		t.Fatalf("%s: Eval: %v", e, err)
	}
	if !arrow.TypeEqual(out.DataType(), dt) {
		t.Errorf("%s: Eval type %s, Type says %s", e, out.DataType(), dt)
	}
	if out.Len() != int(rec.NumRows()) {
		t.Errorf("%s: %d rows, want %d", e, out.Len(), rec.NumRows())
	}
	if v, ok := out.(interface{ ValidateFull() error }); ok {
		// Invalid UTF-8 in is invalid UTF-8 out; everything else must hold.
		if err := v.ValidateFull(); err != nil && !strings.Contains(err.Error(), "not valid utf8") {
			t.Errorf("%s: invalid result: %v", e, err)
		}
	}
	return out
}

// sxValues returns the values of a as Go values, nil for NULL.
func sxValues(a arrow.Array) []any {
	out := make([]any, a.Len())
	if st, ok := a.(*array.Struct); ok {
		f0, f1 := sxValues(st.Field(0)), sxValues(st.Field(1))
		for i := range out {
			if st.IsValid(i) {
				out[i] = []any{f0[i], f1[i]}
			}
		}
		return out
	}
	for i := range out {
		if a.IsNull(i) {
			continue
		}
		switch a := a.(type) {
		case *array.String:
			out[i] = a.Value(i)
		case *array.Int32:
			out[i] = a.Value(i)
		case *array.Int64:
			out[i] = a.Value(i)
		case *array.Timestamp:
			out[i] = int64(a.Value(i))
		case *array.List:
			s, e := a.ValueOffsets(i)
			sl := array.NewSlice(a.ListValues(), s, e)
			out[i] = sxValues(sl)
			sl.Release()
		default:
			out[i] = a.ValueStr(i)
		}
	}
	return out
}

func sxCheck(t *testing.T, mem memory.Allocator, e Expr, in []any, want []any) {
	t.Helper()
	rec := sxRecord(sxStrings(mem, in...))
	defer rec.Release()
	out := sxEval(t, mem, e, rec)
	defer out.Release()
	if got := sxValues(out); !reflect.DeepEqual(got, want) {
		t.Errorf("%s over %q:\n got %#v\nwant %#v", e, in, got, want)
	}
}

func TestStringFuncs(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	x := Col("c0")
	ascii := []any{"Hello World", nil, "", "  padded  ", "MiXeD 123"}
	uni := []any{"Ärger über Öl", nil, "ǅemal", "  ΣΊΣΥΦΟΣ ", "\xffok"}
	cases := []struct {
		e       Expr
		in, out []any
	}{
		{Lower(x), ascii, []any{"hello world", nil, "", "  padded  ", "mixed 123"}},
		{Upper(x), ascii, []any{"HELLO WORLD", nil, "", "  PADDED  ", "MIXED 123"}},
		{Length(x), ascii, []any{int32(11), nil, int32(0), int32(10), int32(9)}},
		{Trim(x), ascii, []any{"Hello World", nil, "", "padded", "MiXeD 123"}},
		{LTrim(x), ascii, []any{"Hello World", nil, "", "padded  ", "MiXeD 123"}},
		{RTrim(x), ascii, []any{"Hello World", nil, "", "  padded", "MiXeD 123"}},
		{Lower(x), uni, []any{"ärger über öl", nil, "ǆemal", "  σίσυφοσ ", "\xffok"}},
		{Upper(x), uni, []any{"ÄRGER ÜBER ÖL", nil, "ǄEMAL", "  ΣΊΣΥΦΟΣ ", "\xffOK"}},
		{Length(x), uni, []any{int32(13), nil, int32(5), int32(10), int32(3)}},
		{Trim(x), uni, []any{"Ärger über Öl", nil, "ǅemal", "ΣΊΣΥΦΟΣ", "\xffok"}},
	}
	for _, c := range cases {
		sxCheck(t, mem, c.e, c.in, c.out)
	}
}

func TestStringFuncSlicedAndLarge(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	full := sxStrings(mem, "skip", "Ab", nil, "Cd", "skip")
	sliced := array.NewSlice(full, 1, 4)
	full.Release()
	large := sxLarge(mem, "Ab", nil, "Cd")
	for _, col := range []arrow.Array{sliced, large} {
		rec := sxRecord(col)
		for _, c := range []struct {
			e    Expr
			want []any
		}{
			{Upper(Col("c0")), []any{"AB", nil, "CD"}},
			{Length(Col("c0")), []any{int32(2), nil, int32(2)}},
			{Concat(Col("c0"), Lit("!")), []any{"Ab!", nil, "Cd!"}},
			{Substring(Col("c0"), Lit(2), nil), []any{"b", nil, "d"}},
		} {
			out := sxEval(t, mem, c.e, rec)
			if got := sxValues(out); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s over %s: got %#v, want %#v", c.e, col.DataType(), got, c.want)
			}
			out.Release()
		}
		rec.Release()
	}
}

func sxLarge(mem memory.Allocator, vals ...any) arrow.Array {
	b := array.NewLargeStringBuilder(mem)
	defer b.Release()
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
		} else {
			b.Append(v.(string))
		}
	}
	return b.NewArray()
}

func TestSubstring(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	x := Col("c0")
	in := []any{"Spark SQL", "héllo wörld", "", nil}
	cases := []struct {
		pos, n Expr
		want   []any
	}{
		{Lit(5), nil, []any{"k SQL", "o wörld", "", nil}},
		{Lit(-3), nil, []any{"SQL", "rld", "", nil}},
		{Lit(5), Lit(1), []any{"k", "o", "", nil}},
		{Lit(0), Lit(2), []any{"Sp", "hé", "", nil}}, // pos 0 is pos 1
		{Lit(1), Lit(2), []any{"Sp", "hé", "", nil}},
		{Lit(2), Lit(4), []any{"park", "éllo", "", nil}},
		{Lit(-10), Lit(3), []any{"Sp", "éll", "", nil}}, // start before the string
		{Lit(-12), Lit(4), []any{"S", "hél", "", nil}},
		{Lit(3), Lit(-1), []any{"", "", "", nil}},
		{Lit(100), Lit(2), []any{"", "", "", nil}},
		{Lit(1), Lit(int64(1) << 40), []any{"Spark SQL", "héllo wörld", "", nil}},
		{Null(arrow.PrimitiveTypes.Int64), Lit(1), []any{nil, nil, nil, nil}},
	}
	for _, c := range cases {
		sxCheck(t, mem, Substring(x, c.pos, c.n), in, c.want)
	}
}

func TestSubstringColumnArgs(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	pb := array.NewInt32Builder(mem)
	pb.AppendValues([]int32{2, -2, 1, 1}, []bool{true, true, false, true})
	pos := pb.NewArray()
	pb.Release()
	rec := sxRecord(sxStrings(mem, "abc", "abc", "abc", nil), pos)
	defer rec.Release()
	out := sxEval(t, mem, Substring(Col("c0"), Col("c1"), Lit(int32(1))), rec)
	defer out.Release()
	if got, want := sxValues(out), []any{"b", "b", nil, nil}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

func TestConcat(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := sxRecord(sxStrings(mem, "a", "b", nil, ""), sxStrings(mem, "1", nil, "3", "4"))
	defer rec.Release()
	for _, c := range []struct {
		e    Expr
		want []any
	}{
		{Concat(Col("c0"), Lit("-"), Col("c1")), []any{"a-1", nil, nil, "-4"}},
		{Concat(Col("c0")), []any{"a", "b", nil, ""}},
		{Concat(), []any{"", "", "", ""}},
		{Concat(Lit("x"), Lit("y")), []any{"xy", "xy", "xy", "xy"}},
		{Concat(Col("c0"), Null(arrow.BinaryTypes.String)), []any{nil, nil, nil, nil}},
	} {
		out := sxEval(t, mem, c.e, rec)
		if got := sxValues(out); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.e, got, c.want)
		}
		out.Release()
	}
}

func TestStringTypeErrors(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}, {Name: "s", Type: arrow.BinaryTypes.String}}, nil)
	for _, e := range []Expr{
		Lower(Col("n")), Length(Col("n")), Trim(Col("n")),
		Substring(Col("n"), Lit(1), Lit(2)), Substring(Col("s"), Lit("x"), nil),
		Concat(Col("s"), Col("n")),
		Split(Col("n"), " "), Split(Col("s"), "(unclosed"),
		RegexpExtract(Col("s"), "(a)", 2), RegexpExtract(Col("s"), "a)", 0), RegexpExtract(Col("n"), "a", 0),
	} {
		_, err := e.Type(s)
		var te *TypeError
		if !errors.As(err, &te) {
			t.Errorf("%s: Type error %v, want a *TypeError", e, err)
			continue
		}
		if te.Expr != e.String() {
			t.Errorf("%s: error names %q", e, te.Expr)
		}
	}
	if _, err := Lower(Col("missing")).Type(s); err == nil {
		t.Error("lower(missing): no error")
	}
}

func TestStringStrings(t *testing.T) {
	for _, c := range []struct {
		e    Expr
		want string
	}{
		{Lower(Col("a")), "lower(a)"},
		{Length(Col("a")), "length(a)"},
		{Substring(Col("a"), Lit(1), Lit(2)), "substring(a, 1, 2)"},
		{Substring(Col("a"), Lit(-1), nil), "substring(a, -1)"},
		{Concat(Col("a"), Lit("-"), Col("b")), `concat(a, "-", b)`},
		{Split(Col("a"), " "), `split(a, " ")`},
		{RegexpExtract(Col("a"), `(\d+)`, 1), `regexp_extract(a, "(\\d+)", 1)`},
	} {
		if got := c.e.String(); got != c.want {
			t.Errorf("String() = %q, want %q", got, c.want)
		}
		kids := c.e.Children()
		if n := c.e.WithChildren(kids); n.String() != c.want {
			t.Errorf("WithChildren changed %q to %q", c.want, n.String())
		}
	}
}
