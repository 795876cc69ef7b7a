package fileformat

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

const peopleCSV = `name,age,score,active,joined,note
alice,30,1.5,true,2024-01-02T03:04:05Z,hello
bob,,2,FALSE,2024-01-02 03:04:05.5,
carol,41,-3e2,true,2024-01-03,"a, ""b"""
`

func TestCSVInferWithHeader(t *testing.T) {
	mem := checkedMem(t)
	p := writeFile(t, t.TempDir(), "people.csv", peopleCSV)
	schema, recs, _ := readFiles(t, mem, []string{p}, ReadOptions{Format: CSV, Header: true})
	checkSchema(t, schema, "name:utf8, age:int64, score:float64, active:bool, joined:timestamp[us, tz=UTC], note:utf8")
	checkRows(t, recs, `alice|30|1.5|true|2024-01-02T03:04:05Z|hello
bob|∅|2|false|2024-01-02T03:04:05.5Z|∅
carol|41|-300|true|2024-01-03T00:00:00Z|a, "b"
`)
}

func TestCSVInferWidening(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"int", "1\n-2\n", "int64"},
		{"int then float", "1\n2.5\n", "float64"},
		{"float then int", "2.5\n1\n", "float64"},
		{"huge int is float", "99999999999999999999\n", "float64"},
		{"bool any case", "true\nFALSE\nTrue\n", "bool"},
		{"timestamp", "2024-01-02\n2024-01-02T03:04:05+01:00\n", "timestamp[us, tz=UTC]"},
		{"int and bool", "1\ntrue\n", "utf8"},
		{"float and timestamp", "1.5\n2024-01-02\n", "utf8"},
		{"only nulls", "\"\"\n\"\"\n", "utf8"},
		{"nulls then int", "\"\"\n7\n", "int64"},
		{"text", "1\nabc\n2\n", "utf8"},
		{"padded int", " 1\n", "utf8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "x.csv", tt.data)
			s, err := InferSchema([]string{p}, ReadOptions{Format: CSV})
			if err != nil {
				t.Fatal(err)
			}
			checkSchema(t, s, "_c0:"+tt.want)
		})
	}
}

func TestCSVNoHeaderDelimiterQuoting(t *testing.T) {
	mem := checkedMem(t)
	data := "1;\"x;y\";\"line\nbreak\"\n2;plain;\"say \"\"hi\"\"\"\r\n\n3;;\n"
	p := writeFile(t, t.TempDir(), "semi.csv", data)
	schema, recs, _ := readFiles(t, mem, []string{p}, ReadOptions{Format: CSV, Delimiter: ';'})
	checkSchema(t, schema, "_c0:int64, _c1:utf8, _c2:utf8")
	checkRows(t, recs, "1|x;y|line\nbreak\n2|plain|say \"hi\"\n3|∅|∅\n")
}

func TestCSVHeaderNames(t *testing.T) {
	p := writeFile(t, t.TempDir(), "h.csv", "a,,a,b\n1,2,3,4\n")
	s, err := InferSchema([]string{p}, ReadOptions{Format: CSV, Header: true})
	if err != nil {
		t.Fatal(err)
	}
	checkSchema(t, s, "a0:int64, _c1:int64, a2:int64, b:int64")
}

func TestCSVExplicitSchema(t *testing.T) {
	mem := checkedMem(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond}, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.LargeString, Nullable: true},
	}, nil)
	// The header names are ignored: a schema maps columns by position.
	p := writeFile(t, t.TempDir(), "x.csv", "A,B,C,D,E,F\n7,255,0.5,1969-12-31,2024-01-02T03:04:05.123Z,x\n,,,,,\n")
	got, recs, _ := readFiles(t, mem, []string{p}, ReadOptions{Format: CSV, Header: true, Schema: schema})
	if !got.Equal(schema) {
		t.Errorf("schema %s, want %s", got, schema)
	}
	checkRows(t, recs, "7|255|0.5|1969-12-31|2024-01-02T03:04:05.123|x\n∅|∅|∅|∅|∅|∅\n")
}

// badCSV has a bad int on line 7 (counting the header and a quoted field
// spanning lines 3-4), a short row on line 5 and a bare quote on line 8.
const badCSV = `name,age,city
ann,31,Oslo
bo,22,"Ber
gen"
cy,40
dee,50,Rome
eve,x,Paris
fay,6"0,Nice
gus,70,Lima
`

var ageSchema = arrow.NewSchema([]arrow.Field{
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "age", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "city", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

func TestCSVFailFast(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, data, want string
		column           string
		line             int64
	}{
		{"bad value", "name,age,city\nann,31,Oslo\nbo,22,\"Ber\ngen\"\ndee,50,Rome\neve,x,Paris\n", `line 6 column "age": cannot parse "x" as int64`, "age", 6},
		{"short row", badCSV, `line 5: expected 3 fields, found 2`, "", 5},
		{"long row", "name,age,city\nann,31,Oslo,extra\n", `line 2: expected 3 fields, found 4`, "", 2},
		{"bare quote", "name,age,city\nfay,6\"0,Nice\n", `line 2: bare " in non-quoted-field`, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedMem(t)
			p := writeFile(t, dir, "data.csv", tt.data)
			err := readErr(t, mem, []string{p}, ReadOptions{Format: CSV, Header: true, Schema: ageSchema})
			if want := "read " + p + " " + tt.want; err.Error() != want {
				t.Errorf("error:\n%s\nwant:\n%s", err, want)
			}
			var me *MalformedError
			if !errors.As(err, &me) || me.Path != p || me.Line != tt.line || me.Column != tt.column {
				t.Errorf("error %#v, want a *MalformedError at %s:%d column %q", err, p, tt.line, tt.column)
			}
		})
	}
}

func TestCSVFailFastInferred(t *testing.T) {
	// Inference sees only the first two rows, so age is int64 and row 4 fails.
	mem := checkedMem(t)
	p := writeFile(t, t.TempDir(), "data.csv", "name,age\na,1\nb,2\nc,x\n")
	err := readErr(t, mem, []string{p}, ReadOptions{Format: CSV, Header: true, InferRows: 2})
	if want := `read ` + p + ` line 4 column "age": cannot parse "x" as int64`; err.Error() != want {
		t.Errorf("error:\n%s\nwant:\n%s", err, want)
	}
}

func TestCSVDropMalformed(t *testing.T) {
	mem := checkedMem(t)
	p := writeFile(t, t.TempDir(), "data.csv", badCSV)
	_, recs, r := readFiles(t, mem, []string{p}, ReadOptions{Format: CSV, Header: true, Schema: ageSchema, Mode: DropMalformed})
	checkRows(t, recs, "ann|31|Oslo\nbo|22|Ber\ngen\ndee|50|Rome\ngus|70|Lima\n")
	if got := r.Dropped(); got != 3 {
		t.Errorf("Dropped() = %d, want 3", got)
	}
}

func TestCSVPermissive(t *testing.T) {
	mem := checkedMem(t)
	p := writeFile(t, t.TempDir(), "data.csv", badCSV)
	schema, recs, r := readFiles(t, mem, []string{p}, ReadOptions{Format: CSV, Header: true, Schema: ageSchema, Mode: Permissive})
	checkSchema(t, schema, "name:utf8, age:int64, city:utf8, _corrupt_record:utf8")
	checkRows(t, recs, `ann|31|Oslo|∅
bo|22|Ber
gen|∅
cy|40|∅|cy,40
dee|50|Rome|∅
eve|∅|Paris|eve,x,Paris
∅|∅|∅|fay,6"0,Nice
gus|70|Lima|∅
`)
	if r.Dropped() != 0 {
		t.Errorf("Dropped() = %d in permissive mode", r.Dropped())
	}
}

func TestCSVPermissiveOwnColumn(t *testing.T) {
	mem := checkedMem(t)
	// The corrupt column may sit anywhere in a given schema, under any name.
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "bad", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	p := writeFile(t, t.TempDir(), "data.csv", "1\r\nzz\r\n3\r\n")
	got, recs, _ := readFiles(t, mem, []string{p}, ReadOptions{Format: CSV, Schema: schema, Mode: Permissive, CorruptColumn: "bad"})
	if !got.Equal(schema) {
		t.Errorf("schema %s, want %s", got, schema)
	}
	checkRows(t, recs, "∅|1\nzz|∅\n∅|3\n")
}

func TestCSVBatchesAndFiles(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	a := writeFile(t, dir, "a.csv", "n\n1\n2\n3\n4\n5\n")
	b := writeFile(t, dir, "b.csv", "n\n6\n")
	empty := writeFile(t, dir, "c.csv", "n\n")
	_, recs, _ := readFiles(t, mem, []string{a, empty, b}, ReadOptions{Format: CSV, Header: true, BatchSize: 2})
	var sizes []int64
	for _, r := range recs {
		sizes = append(sizes, r.NumRows())
	}
	if want := []int64{2, 2, 1, 1}; !equalInts(sizes, want) {
		t.Errorf("record sizes %v, want %v", sizes, want)
	}
	checkRows(t, recs, "1\n2\n3\n4\n5\n6\n")
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCSVBOMAndHeaderOnly(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	p := writeFile(t, dir, "bom.csv", "\xEF\xBB\xBFid,name\n1,a\n")
	schema, recs, _ := readFiles(t, mem, []string{p}, ReadOptions{Format: CSV, Header: true})
	checkSchema(t, schema, "id:int64, name:utf8")
	checkRows(t, recs, "1|a\n")

	h := writeFile(t, dir, "header.csv", "id,name\n")
	s, err := InferSchema([]string{h}, ReadOptions{Format: CSV, Header: true})
	if err != nil {
		t.Fatal(err)
	}
	checkSchema(t, s, "id:utf8, name:utf8")

	e := writeFile(t, dir, "empty.csv", "")
	if _, err := InferSchema([]string{e}, ReadOptions{Format: CSV}); err == nil {
		t.Error("inferring an empty file succeeded")
	}
}
