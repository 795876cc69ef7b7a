package file

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// ParseSchema reads a schema written as Spark's DDL, the form the "schema"
// option takes:
//
//	id BIGINT, name STRING NOT NULL, `odd name` TIMESTAMP
//
// Columns are separated by commas; each is a name, then a type, then
// optionally NOT NULL (columns are nullable otherwise). A name is a letter or
// '_' followed by letters, digits and '_', or any text in backquotes (a
// backquote inside doubled). Types, in any case, and their Arrow types:
//
//	BOOLEAN, BOOL                      bool
//	TINYINT, BYTE                      int8
//	SMALLINT, SHORT                    int16
//	INT, INTEGER                       int32
//	BIGINT, LONG                       int64
//	FLOAT, REAL                        float32
//	DOUBLE                             float64
//	STRING                             utf8
//	DATE                               date32
//	TIMESTAMP, TIMESTAMP_LTZ           timestamp[us, UTC]
//	TIMESTAMP_NTZ                      timestamp[us] (no zone)
//
// Errors name the byte where the problem is.
func ParseSchema(ddl string) (*arrow.Schema, error) {
	p := ddlParser{s: ddl}
	var fields []arrow.Field
	seen := map[string]bool{}
	for {
		start := p.skipSpace()
		f, err := p.field()
		if err != nil {
			return nil, err
		}
		if seen[f.Name] {
			return nil, p.errAt(start, fmt.Sprintf("duplicate column %q", f.Name))
		}
		seen[f.Name] = true
		fields = append(fields, f)
		p.skipSpace()
		if p.eof() {
			return arrow.NewSchema(fields, nil), nil
		}
		if p.s[p.i] != ',' {
			return nil, p.errAt(p.i, "want ',' or the end after a column")
		}
		p.i++
	}
}

// ddlTypes maps DDL type names (upper case) to Arrow types.
var ddlTypes = map[string]arrow.DataType{
	"BOOLEAN":       arrow.FixedWidthTypes.Boolean,
	"BOOL":          arrow.FixedWidthTypes.Boolean,
	"TINYINT":       arrow.PrimitiveTypes.Int8,
	"BYTE":          arrow.PrimitiveTypes.Int8,
	"SMALLINT":      arrow.PrimitiveTypes.Int16,
	"SHORT":         arrow.PrimitiveTypes.Int16,
	"INT":           arrow.PrimitiveTypes.Int32,
	"INTEGER":       arrow.PrimitiveTypes.Int32,
	"BIGINT":        arrow.PrimitiveTypes.Int64,
	"LONG":          arrow.PrimitiveTypes.Int64,
	"FLOAT":         arrow.PrimitiveTypes.Float32,
	"REAL":          arrow.PrimitiveTypes.Float32,
	"DOUBLE":        arrow.PrimitiveTypes.Float64,
	"STRING":        arrow.BinaryTypes.String,
	"DATE":          arrow.FixedWidthTypes.Date32,
	"TIMESTAMP":     &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
	"TIMESTAMP_LTZ": &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
	"TIMESTAMP_NTZ": &arrow.TimestampType{Unit: arrow.Microsecond},
}

type ddlParser struct {
	s string
	i int
}

func (p *ddlParser) eof() bool { return p.i >= len(p.s) }

// skipSpace skips white space and returns the new position.
func (p *ddlParser) skipSpace() int {
	for !p.eof() && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
	return p.i
}

func (p *ddlParser) errAt(at int, msg string) error {
	return fmt.Errorf("schema %q: at byte %d: %s", p.s, at, msg)
}

// field parses: name type [NOT NULL].
func (p *ddlParser) field() (arrow.Field, error) {
	name, err := p.name()
	if err != nil {
		return arrow.Field{}, err
	}
	at := p.skipSpace()
	word := p.word()
	if word == "" {
		return arrow.Field{}, p.errAt(at, fmt.Sprintf("column %q has no type", name))
	}
	typ, ok := ddlTypes[strings.ToUpper(word)]
	if !ok {
		return arrow.Field{}, p.errAt(at, fmt.Sprintf("column %q: unsupported type %q", name, word))
	}
	f := arrow.Field{Name: name, Type: typ, Nullable: true}
	save := p.i
	p.skipSpace()
	if at := p.i; strings.EqualFold(p.word(), "NOT") {
		p.skipSpace()
		if !strings.EqualFold(p.word(), "NULL") {
			return arrow.Field{}, p.errAt(at, "want NULL after NOT")
		}
		f.Nullable = false
	} else {
		p.i = save
	}
	return f, nil
}

// name parses an identifier or a backquoted name.
func (p *ddlParser) name() (string, error) {
	at := p.i
	if p.eof() {
		return "", p.errAt(at, "want a column name")
	}
	if p.s[p.i] != '`' {
		w := p.word()
		if w == "" || (w[0] >= '0' && w[0] <= '9') {
			return "", p.errAt(at, "want a column name")
		}
		return w, nil
	}
	var b strings.Builder
	for p.i++; !p.eof(); p.i++ {
		c := p.s[p.i]
		if c != '`' {
			b.WriteByte(c)
			continue
		}
		if p.i+1 < len(p.s) && p.s[p.i+1] == '`' {
			b.WriteByte('`')
			p.i++
			continue
		}
		p.i++
		if b.Len() == 0 {
			return "", p.errAt(at, "empty column name")
		}
		return b.String(), nil
	}
	return "", p.errAt(at, "unterminated backquoted name")
}

// word consumes a run of letters, digits and '_'.
func (p *ddlParser) word() string {
	start := p.i
	for !p.eof() {
		c := p.s[p.i]
		if c != '_' && (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			break
		}
		p.i++
	}
	return p.s[start:p.i]
}
