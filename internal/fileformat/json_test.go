package fileformat

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestJSONInfer(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	a := writeFile(t, dir, "a.json", `{"id": 1, "name": "ann", "score": 2, "tags": ["x", "y"]}
{"id": 2, "score": 2.5, "ok": true, "n": null}

  {"name": "c\"d\u00e9", "id": 3, "mixed": 1, "addr": {"city": "Oslo"}}
`)
	b := writeFile(t, dir, "b.json", "{\"mixed\": \"one\", \"late\": 1e3, \"when\": \"2024-01-02\"}\r\n")
	schema, recs, _ := readFiles(t, mem, []string{a, b}, ReadOptions{Format: JSON})
	checkSchema(t, schema, "id:int64, name:utf8, score:float64, tags:utf8, ok:bool, n:utf8, mixed:utf8, addr:utf8, late:float64, when:utf8")
	checkRows(t, recs, `1|ann|2|["x", "y"]|∅|∅|∅|∅|∅|∅
2|∅|2.5|∅|true|∅|∅|∅|∅|∅
3|c"dé|∅|∅|∅|∅|1|{"city": "Oslo"}|∅|∅
∅|∅|∅|∅|∅|∅|one|∅|1000|2024-01-02
`)
}

func TestJSONInferWidening(t *testing.T) {
	tests := []struct{ data, want string }{
		{`{"v":1}` + "\n" + `{"v":-2}`, "int64"},
		{`{"v":1}` + "\n" + `{"v":1.0}`, "float64"},
		{`{"v":1e2}`, "float64"},
		{`{"v":123456789012345678901}`, "float64"},
		{`{"v":true}` + "\n" + `{"v":null}`, "bool"},
		{`{"v":true}` + "\n" + `{"v":1}`, "utf8"},
		{`{"v":null}`, "utf8"},
		{`{"v":[1]}`, "utf8"},
	}
	for _, tt := range tests {
		p := writeFile(t, t.TempDir(), "x.json", tt.data)
		s, err := InferSchema([]string{p}, ReadOptions{Format: JSON})
		if err != nil {
			t.Fatalf("%s: %v", tt.data, err)
		}
		checkSchema(t, s, "v:"+tt.want)
	}
}

var eventSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

func TestJSONExplicitSchema(t *testing.T) {
	mem := checkedMem(t)
	p := writeFile(t, t.TempDir(), "e.json", `{"id": 1, "at": "2024-01-02T03:04:05Z", "x": 1, "s": 5, "extra": {}}
{"s": "", "x": "NaN", "id": 2, "id": 3}
{"x": "-Infinity", "s": {"a": [1, {"b": "}"}]}}
`)
	_, recs, _ := readFiles(t, mem, []string{p}, ReadOptions{Format: JSON, Schema: eventSchema})
	checkRows(t, recs, `1|2024-01-02T03:04:05Z|1|5
3|∅|NaN|
∅|∅|-Inf|{"a": [1, {"b": "}"}]}
`)
}

// badJSON has a type error on line 3, invalid JSON on line 4 and an array,
// not an object, on line 6.
const badJSON = `{"id": 1, "s": "a"}
{"id": 2, "x": 0.5}
{"id": "three"}
{"id": 4,
{"id": 5}
[6]
`

func TestJSONFailFast(t *testing.T) {
	tests := []struct {
		name, data, want string
		line             int64
		column           string
	}{
		{"type", badJSON, `line 3 column "id": cannot parse "\"three\"" as int64`, 3, "id"},
		{"syntax", `{"id": 4,`, `line 1: unexpected end of JSON input`, 1, ""},
		{"not object", "\n\n[6]", `line 3: not a JSON object`, 3, ""},
		{"bool", `{"x": true}`, `line 1 column "x": cannot parse "true" as float64`, 1, "x"},
		{"nested", `{"id": {"a": 1}}`, `line 1 column "id": cannot parse "{\"a\": 1}" as int64`, 1, "id"},
		{"bad time", `{"at": "noon"}`, `line 1 column "at": cannot parse "\"noon\"" as timestamp[us, tz=UTC]`, 1, "at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedMem(t)
			p := writeFile(t, t.TempDir(), "events.json", tt.data)
			err := readErr(t, mem, []string{p}, ReadOptions{Format: JSON, Schema: eventSchema})
			if want := "read " + p + " " + tt.want; err.Error() != want {
				t.Errorf("error:\n%s\nwant:\n%s", err, want)
			}
			var me *MalformedError
			if !errors.As(err, &me) || me.Line != tt.line || me.Column != tt.column {
				t.Errorf("error %#v, want line %d column %q", err, tt.line, tt.column)
			}
		})
	}
}

func TestJSONInferFailFast(t *testing.T) {
	p := writeFile(t, t.TempDir(), "events.json", badJSON)
	_, err := InferSchema([]string{p}, ReadOptions{Format: JSON})
	if want := "read " + p + " line 4: unexpected end of JSON input"; err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
	// The other modes skip the bad lines while inferring.
	s, err := InferSchema([]string{p}, ReadOptions{Format: JSON, Mode: DropMalformed})
	if err != nil {
		t.Fatal(err)
	}
	checkSchema(t, s, "id:utf8, s:utf8, x:float64")
}

func TestJSONDropMalformed(t *testing.T) {
	mem := checkedMem(t)
	p := writeFile(t, t.TempDir(), "events.json", badJSON)
	_, recs, r := readFiles(t, mem, []string{p}, ReadOptions{Format: JSON, Schema: eventSchema, Mode: DropMalformed})
	checkRows(t, recs, "1|∅|∅|a\n2|∅|0.5|∅\n5|∅|∅|∅\n")
	if r.Dropped() != 3 {
		t.Errorf("Dropped() = %d, want 3", r.Dropped())
	}
}

func TestJSONPermissive(t *testing.T) {
	mem := checkedMem(t)
	p := writeFile(t, t.TempDir(), "events.json", badJSON)
	schema, recs, _ := readFiles(t, mem, []string{p}, ReadOptions{Format: JSON, Schema: eventSchema, Mode: Permissive})
	checkSchema(t, schema, "id:int64, at:timestamp[us, tz=UTC], x:float64, s:utf8, _corrupt_record:utf8")
	checkRows(t, recs, `1|∅|∅|a|∅
2|∅|0.5|∅|∅
∅|∅|∅|∅|{"id": "three"}
∅|∅|∅|∅|{"id": 4,
5|∅|∅|∅|∅
∅|∅|∅|∅|[6]
`)
}

func TestJSONPermissiveInferred(t *testing.T) {
	mem := checkedMem(t)
	p := writeFile(t, t.TempDir(), "events.json", "{\"a\": 1}\nnot json\r\n")
	schema, recs, _ := readFiles(t, mem, []string{p}, ReadOptions{Format: JSON, Mode: Permissive})
	checkSchema(t, schema, "a:int64, _corrupt_record:utf8")
	checkRows(t, recs, "1|∅\n∅|not json\n")
}

func TestJSONLongLine(t *testing.T) {
	mem := checkedMem(t)
	long := make([]byte, 3*readBufSize)
	for i := range long {
		long[i] = 'a' + byte(i%26)
	}
	p := writeFile(t, t.TempDir(), "long.json", `{"s": "`+string(long)+`"}`+"\n"+`{"s": "short"}`)
	_, recs, _ := readFiles(t, mem, []string{p}, ReadOptions{Format: JSON})
	checkRows(t, recs, string(long)+"\nshort\n")
}

func TestJSONPermissiveCorruptKeyInData(t *testing.T) {
	p := writeFile(t, t.TempDir(), "x.json", `{"_corrupt_record": 5}`)
	_, err := InferSchema([]string{p}, ReadOptions{Format: JSON, Mode: Permissive})
	if want := `corrupt-record column "_corrupt_record" is int64, not a string`; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}
