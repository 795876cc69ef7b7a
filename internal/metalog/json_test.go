package metalog_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/internal/metalog"
)

func TestParseObject(t *testing.T) {
	fields, err := metalog.ParseObject([]byte(` {"b": {"x" : 1} , "a":2,"c":"s\u0041","d":[1, 2],"e":null} `))
	if err != nil {
		t.Fatal(err)
	}
	want := metalog.Fields{
		{"b", json.RawMessage(`{"x" : 1}`)}, // verbatim, spaces kept
		{"a", json.RawMessage(`2`)},
		{"c", json.RawMessage(`"s\u0041"`)},
		{"d", json.RawMessage(`[1, 2]`)},
		{"e", json.RawMessage(`null`)},
	}
	if len(fields) != len(want) {
		t.Fatalf("ParseObject = %q", fields)
	}
	for i := range want {
		if fields[i].Name != want[i].Name || string(fields[i].Value) != string(want[i].Value) {
			t.Errorf("field %d = %s:%s, want %s:%s", i, fields[i].Name, fields[i].Value, want[i].Name, want[i].Value)
		}
	}
	if f, err := metalog.ParseObject([]byte(`{}`)); err != nil || f != nil {
		t.Errorf("ParseObject({}) = %v, %v; want nil fields", f, err)
	}
}

func TestParseObjectErrors(t *testing.T) {
	for _, c := range []struct{ in, reason string }{
		{``, "not a JSON object"},
		{`   `, "not a JSON object"},
		{`[]`, "not a JSON object"},
		{`1`, "not a JSON object"},
		{`"x"`, "not a JSON object"},
		{`{"a":1`, "truncated"},
		{`{"a":`, "truncated"},
		{`{"a"`, ""},
		{`{"a":1,}`, ""},
		{`{a:1}`, ""},
		{`{"a":1}}`, "data after"},
		{`{"a":1} {}`, "data after"},
		{`{"a":1}x`, "data after"},
		{`{"a":1,"a":2}`, `duplicate field "a"`},
		{`{"a":tru}`, `field "a"`},
	} {
		_, err := metalog.ParseObject([]byte(c.in))
		var se *metalog.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseObject(%q) = %v, want a *SyntaxError", c.in, err)
			continue
		}
		if !strings.Contains(err.Error(), c.reason) {
			t.Errorf("ParseObject(%q) = %v, want %q in it", c.in, err, c.reason)
		}
		if se.Offset < 0 || se.Offset > int64(len(c.in)) {
			t.Errorf("ParseObject(%q): offset %d out of range", c.in, se.Offset)
		}
	}
}

func TestFields(t *testing.T) {
	var f metalog.Fields
	f.Set("a", json.RawMessage(`1`))
	f.Set("b", json.RawMessage(`2`))
	f.Set("a", json.RawMessage(`3`))
	if v, ok := f.Get("a"); !ok || string(v) != "3" || len(f) != 2 || f[0].Name != "a" {
		t.Fatalf("after Set: %q", f)
	}
	f.Delete("a")
	f.Delete("zz")
	if _, ok := f.Get("a"); ok || len(f) != 1 {
		t.Fatalf("after Delete: %q", f)
	}
}

// TestAppendString pins Jackson's escaping (com.fasterxml.jackson.core
// CharTypes.sOutputEscapes128), which json4s uses for Spark's files.
func TestAppendString(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{"", `""`},
		{"plain.key-1_x", `"plain.key-1_x"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"\b\t\n\f\r", `"\b\t\n\f\r"`},
		{"\x00\x01\x1f\x0b", `"\u0000\u0001\u001F\u000B"`},
		{"/<>&'", `"/<>&'"`},
		{"\x7f é 日 \u2028 \U0001F600", "\"\x7f é 日 \u2028 \U0001F600\""},
	} {
		if got := string(metalog.AppendString(nil, c.in)); got != c.out {
			t.Errorf("AppendString(%q) = %s, want %s", c.in, got, c.out)
		}
		var back string
		if err := json.Unmarshal([]byte(c.out), &back); err != nil || back != c.in {
			t.Errorf("%s does not decode to %q: %q, %v", c.out, c.in, back, err)
		}
	}
}

func TestObjectWriter(t *testing.T) {
	var w metalog.ObjectWriter
	if b, err := w.Bytes(); err != nil || string(b) != "{}" {
		t.Fatalf("empty object: %s, %v", b, err)
	}
	var sub metalog.ObjectWriter
	sub.String("k", "v")
	w.Int("n", -5)
	w.Object("o", &sub)
	w.Raw("r", json.RawMessage(`{"x": [1]}`))
	w.String("s", "q\"")
	if b, err := w.Bytes(); err != nil || string(b) != `{"n":-5,"o":{"k":"v"},"r":{"x": [1]},"s":"q\""}` {
		t.Fatalf("object: %s, %v", b, err)
	}
	for name, build := range map[string]func(w *metalog.ObjectWriter) error{
		"bad UTF-8 key":      func(w *metalog.ObjectWriter) error { w.Int("\xff", 1); return nil },
		"bad UTF-8 value":    func(w *metalog.ObjectWriter) error { w.String("k", "\xfe"); return nil },
		"raw not JSON":       func(w *metalog.ObjectWriter) error { w.Raw("k", json.RawMessage(`{`)); return nil },
		"raw empty":          func(w *metalog.ObjectWriter) error { w.Raw("k", nil); return nil },
		"raw spanning lines": func(w *metalog.ObjectWriter) error { w.Raw("k", json.RawMessage("[1,\n2]")); return nil },
		"extra repeated": func(w *metalog.ObjectWriter) error {
			return metalog.WriteExtra(w, metalog.Fields{{"a", json.RawMessage("1")}, {"a", json.RawMessage("2")}})
		},
		"extra known": func(w *metalog.ObjectWriter) error {
			w.Int("known", 1)
			return metalog.WriteExtra(w, metalog.Fields{{"known", json.RawMessage("1")}}, "known")
		},
	} {
		var w metalog.ObjectWriter
		err := build(&w)
		if _, err2 := w.Bytes(); err == nil && err2 == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestInt64String(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "-0": 0, "1717622949519": 1717622949519, "-9223372036854775808": -1 << 63} {
		if n, err := metalog.Int64("f", json.RawMessage(in)); err != nil || n != want {
			t.Errorf("Int64(%s) = %d, %v", in, n, err)
		}
	}
	for _, in := range []string{"1.0", "1e3", `"1"`, "null", "9223372036854775808", "true", ""} {
		if _, err := metalog.Int64("f", json.RawMessage(in)); err == nil {
			t.Errorf("Int64(%s) succeeded", in)
		}
	}
	if s, err := metalog.String("f", json.RawMessage(`"a\u0042"`)); err != nil || s != "aB" {
		t.Errorf("String = %q, %v", s, err)
	}
	for _, in := range []string{"null", "1", "{}", `"unterminated`, ""} {
		if _, err := metalog.String("f", json.RawMessage(in)); err == nil {
			t.Errorf("String(%s) succeeded", in)
		}
	}
}
