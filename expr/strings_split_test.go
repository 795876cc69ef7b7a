package expr

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func sxList(vals ...string) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
	}
	return out
}

func TestSplit(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	x := Col("c0")
	cases := []struct {
		sep  string
		in   []any
		want []any
	}{
		{" ", []any{"a b c", "a  b", " a", "a ", "", " ", nil, "abc"}, []any{
			sxList("a", "b", "c"), sxList("a", "", "b"), sxList("", "a"), sxList("a", ""),
			sxList(""), sxList("", ""), nil, sxList("abc")}},
		{",", []any{"x,y", nil, ",,"}, []any{sxList("x", "y"), nil, sxList("", "", "")}},
		{", ", []any{"a, b, c", "a,b", ", , "}, []any{sxList("a", "b", "c"), sxList("a,b"), sxList("", "", "")}},
		{`\|`, []any{"a|b", "a\\|b"}, []any{sxList("a", "b"), sxList("a\\", "b")}},
		{"", []any{"abc", "héj", "", nil}, []any{sxList("a", "b", "c"), sxList("h", "é", "j"), sxList(""), nil}},
		{`\s+`, []any{"a  b\tc", " a b ", "", "ab"}, []any{
			sxList("a", "b", "c"), sxList("", "a", "b", ""), sxList(""), sxList("ab")}},
		{"[,;]", []any{"a,b;c", nil}, []any{sxList("a", "b", "c"), nil}},
		{"x*", []any{"abc"}, []any{sxList("a", "b", "c", "")}}, // zero-width matches, as Java
		{"(?:)", []any{"ab"}, []any{sxList("a", "b", "")}},
		{"é", []any{"aébéc"}, []any{sxList("a", "b", "c")}},
	}
	for _, c := range cases {
		sxCheck(t, mem, Split(x, c.sep), c.in, c.want)
	}
}

func TestSplitLiteralDetection(t *testing.T) {
	for sep, lit := range map[string]string{" ": " ", ",": ",", `\|`: "|", `\.`: ".", "ab": "ab", `\t`: "\t", "": ""} {
		e := Split(Col("x"), sep)
		if e.re != nil || string(e.lit) != lit {
			t.Errorf("split %q: literal %q (regexp %v), want literal %q", sep, e.lit, e.re, lit)
		}
	}
	for _, sep := range []string{`\s+`, ".", "a|b", "(?i)a", "x*", "(?:)", "a?"} {
		if Split(Col("x"), sep).re == nil {
			t.Errorf("split %q: taken as a literal", sep)
		}
	}
}

// TestSplitSlicedNulls checks a sliced input with NULLs: NULL rows are NULL,
// empty lists, so exploding the result stays zero-copy.
func TestSplitSlicedNulls(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	full := sxStrings(mem, "skip me", "a b", nil, "c", "skip too")
	sliced := array.NewSlice(full, 1, 4)
	full.Release()
	rec := sxRecord(sliced)
	defer rec.Release()
	for _, sep := range []string{" ", "  ", "", " +"} {
		out := sxEval(t, mem, Split(Col("c0"), sep), rec)
		l := out.(*array.List)
		if s, e := l.ValueOffsets(1); s != e {
			t.Errorf("split %q: NULL row spans [%d, %d)", sep, s, e)
		}
		out.Release()
	}
}

// TestSplitMatchesRegexp compares the literal and byte-class fast paths with
// the regexp path on random input.
func TestSplitMatchesRegexp(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewSource(1))
	alphabet := []string{" ", "a", "b", ",", ";", "\t", "é", "\xff", "日"}
	vals := make([]any, 500)
	for i := range vals {
		var b strings.Builder
		for range rng.Intn(12) {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		vals[i] = b.String()
		if rng.Intn(10) == 0 {
			vals[i] = nil
		}
	}
	rec := sxRecord(sxStrings(mem, vals...))
	defer rec.Release()
	for _, sep := range []string{" ", ", ", "ab", "é", `\s+`, `\s`, "[,;]", "[,;]+", `\W+`, "[^ab]+", " +", "a+"} {
		fast := Split(Col("c0"), sep)
		if fast.lit == nil && fast.set == nil {
			t.Errorf("split %q: no fast path", sep)
		}
		got := sxEval(t, mem, fast, rec)
		re := &SplitExpr{X: Col("c0"), Sep: sep, re: regexp.MustCompile(sep)}
		want := sxEval(t, mem, re, rec)
		if !array.Equal(got, want) {
			t.Errorf("split %q: fast and regexp paths differ:\n%v\n%v", sep, got, want)
		}
		got.Release()
		want.Release()
	}
	for _, sep := range []string{`\W`, "[^a]", "(?i)a+", "ab+", "[é,]"} {
		if Split(Col("c0"), sep).set != nil {
			t.Errorf("split %q: taken as a byte class", sep)
		}
	}
}

func TestRegexpExtract(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	x := Col("c0")
	in := []any{"100-200", "foo", nil, "7-x", ""}
	sxCheck(t, mem, RegexpExtract(x, `(\d+)-(\d+)`, 1), in, []any{"100", "", nil, "", ""})
	sxCheck(t, mem, RegexpExtract(x, `(\d+)-(\d+)`, 2), in, []any{"200", "", nil, "", ""})
	sxCheck(t, mem, RegexpExtract(x, `(\d+)-(\d+)`, 0), in, []any{"100-200", "", nil, "", ""})
	sxCheck(t, mem, RegexpExtract(x, `(\d+)|(x)`, 2), in, []any{"", "", nil, "", ""}) // group not in the match
	sxCheck(t, mem, RegexpExtract(x, `[a-z]+`, 0), in, []any{"", "foo", nil, "x", ""})
}

// sxWords builds rows lines of words words each, separated by one space.
func sxWords(mem memory.Allocator, rows, words int) arrow.Array {
	dict := strings.Fields("the quick brown fox jumps over lazy dog and then some more words here")
	b := array.NewStringBuilder(mem)
	defer b.Release()
	rng := rand.New(rand.NewSource(42))
	var line strings.Builder
	for range rows {
		line.Reset()
		for w := range words {
			if w > 0 {
				line.WriteByte(' ')
			}
			line.WriteString(dict[rng.Intn(len(dict))])
		}
		b.Append(line.String())
	}
	return b.NewArray()
}

func TestSplitExplodeWords(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := sxRecord(sxWords(mem, 1000, 10))
	defer rec.Release()
	lists := sxEval(t, mem, Split(Col("c0"), " "), rec)
	defer lists.Release()
	words, parents, err := ExplodeList(mem, lists)
	if err != nil {
		t.Fatal(err)
	}
	defer words.Release()
	if words.Len() != 10000 || len(parents) != 10000 {
		t.Fatalf("%d words, %d parents, want 10000", words.Len(), len(parents))
	}
	lines := rec.Column(0).(*array.String)
	w := words.(*array.String)
	for i := 0; i < 10000; i += 997 {
		if got, want := w.Value(i), strings.Fields(lines.Value(int(parents[i])))[i%10]; got != want {
			t.Errorf("word %d = %q, want %q", i, got, want)
		}
	}
}

// BenchmarkSplit splits 64K lines of 10 words at " ".
func BenchmarkSplit(b *testing.B) {
	sxBenchSplit(b, false)
}

// BenchmarkSplitExplode is word count's front end: split, then explode.
func BenchmarkSplitExplode(b *testing.B) {
	sxBenchSplit(b, true)
}

func sxBenchSplit(b *testing.B, explode bool) {
	const rows, words = 64 << 10, 10
	mem := memory.NewGoAllocator()
	rec := sxRecord(sxWords(mem, rows, words))
	defer rec.Release()
	ctx := NewContext(context.Background(), mem)
	e := Split(Col("c0"), " ")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out, err := e.Eval(ctx, rec)
		if err != nil {
			b.Fatal(err)
		}
		if explode {
			vals, _, err := ExplodeList(mem, out)
			if err != nil {
				b.Fatal(err)
			}
			vals.Release()
		}
		out.Release()
	}
	perWord := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / (rows * words)
	b.ReportMetric(perWord, "ns/word")
	b.ReportMetric(1e3/perWord, "Mwords/s")
}

func BenchmarkExplodeList(b *testing.B) {
	const rows, words = 64 << 10, 10
	mem := memory.NewGoAllocator()
	rec := sxRecord(sxWords(mem, rows, words))
	defer rec.Release()
	lists, err := Split(Col("c0"), " ").Eval(NewContext(context.Background(), mem), rec)
	if err != nil {
		b.Fatal(err)
	}
	defer lists.Release()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		vals, _, err := ExplodeList(mem, lists)
		if err != nil {
			b.Fatal(err)
		}
		vals.Release()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(rows*words), "ns/word")
}

func BenchmarkStringFuncs(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := sxRecord(sxWords(mem, 64<<10, 10))
	defer rec.Release()
	ctx := NewContext(context.Background(), mem)
	for _, e := range []Expr{Lower(Col("c0")), Length(Col("c0")), Substring(Col("c0"), Lit(3), Lit(10)),
		Concat(Col("c0"), Lit("!")), RegexpExtract(Col("c0"), `(\w+) fox`, 1), Split(Col("c0"), `\s+`)} {
		b.Run(fmt.Sprint(e), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := e.Eval(ctx, rec)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
		})
	}
}

// FuzzSplit checks the literal split paths against strings.Split, which has
// Java's limit -1 semantics for a non-empty literal separator.
func FuzzSplit(f *testing.F) {
	f.Add("a  b c ", " ")
	f.Add(",,x,", ",")
	f.Add("a--b---c", "--")
	f.Fuzz(func(t *testing.T, s, sep string) {
		if sep == "" || len(sep) > 3 {
			return
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		rec := sxRecord(sxStrings(mem, s, nil, s+sep+s))
		defer rec.Release()
		e := &SplitExpr{X: Col("c0"), Sep: sep, lit: []byte(sep)}
		out, err := e.Eval(NewContext(context.Background(), mem), rec)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Release()
		got := sxValues(out)
		for i, in := range []string{s, "", s + sep + s} {
			if i == 1 {
				if got[i] != nil {
					t.Fatalf("NULL row split to %v", got[i])
				}
				continue
			}
			if want := sxList(strings.Split(in, sep)...); !reflect.DeepEqual(got[i], want) {
				t.Fatalf("split(%q, %q) = %q, want %q", in, sep, got[i], want)
			}
		}
	})
}
