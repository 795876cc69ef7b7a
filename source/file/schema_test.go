package file

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestParseSchema(t *testing.T) {
	for _, c := range []struct{ ddl, want string }{
		{"id BIGINT, name STRING", "id: int64?, name: utf8?"},
		{"  a int not null,b Double ,c timestamp , d TIMESTAMP_NTZ,e date ", "a: int32, b: float64?, c: timestamp[us, tz=UTC]?, d: timestamp[us]?, e: date32?"},
		{"`odd name` boolean, `back``quote` tinyint, _x smallint, y float, z long", "odd name: bool?, back`quote: int8?, _x: int16?, y: float32?, z: int64?"},
	} {
		s, err := ParseSchema(c.ddl)
		if err != nil {
			t.Errorf("%q: %v", c.ddl, err)
			continue
		}
		if got := fieldsString(s); got != c.want {
			t.Errorf("%q: %s, want %s", c.ddl, got, c.want)
		}
	}
	for _, c := range []struct{ ddl, want string }{
		{"", "at byte 0: want a column name"},
		{"a", `column "a" has no type`},
		{"a decimal(10,2)", `unsupported type "decimal"`},
		{"a int,", "at byte 6: want a column name"},
		{"a int b", "want ',' or the end"},
		{"a int not", "want NULL after NOT"},
		{"1a int", "want a column name"},
		{"`a int", "unterminated"},
		{"`` int", "empty column name"},
		{"a int, a string", `duplicate column "a"`},
	} {
		if _, err := ParseSchema(c.ddl); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.ddl, err, c.want)
		}
	}
}

func fieldsString(s *arrow.Schema) string {
	var parts []string
	for _, f := range s.Fields() {
		p := f.Name + ": " + f.Type.String()
		if f.Nullable {
			p += "?"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

func FuzzParseSchema(f *testing.F) {
	for _, s := range []string{"id BIGINT, name STRING", "`a``b` int not null", "a int,", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ddl string) {
		s, err := ParseSchema(ddl)
		if err != nil {
			return
		}
		if s.NumFields() == 0 {
			t.Fatalf("%q: a schema without columns", ddl)
		}
	})
}
