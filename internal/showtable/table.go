// Package showtable formats record batches as Spark's show() does: a
// bordered table, cells right-aligned and cut at a width, NULL printed as
// "NULL", values printed as Spark casts them to strings. The batch API's
// DataFrame.Show and the console sink both print through it.
package showtable

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
)

// minColWidth is the narrowest column Spark's show() draws.
const minColWidth = 3

// DefaultTruncate is the width at which Spark's show() cuts a cell.
const DefaultTruncate = 20

// Table holds the formatted cells of the rows that will print.
type Table struct {
	header   []string
	rows     [][]string
	numRows  int  // rows to print
	truncate int  // 0: no truncation
	more     bool // rows beyond numRows were seen
}

// New returns an empty table for rows of schema that prints at most numRows
// rows, cutting cells at truncate characters (0: never).
func New(schema *arrow.Schema, numRows, truncate int) *Table {
	header := make([]string, schema.NumFields())
	for i := range header {
		header[i] = schema.Field(i).Name
	}
	for i, h := range header {
		header[i] = escapeMeta(h)
	}
	return &Table{header: header, numRows: numRows, truncate: truncate}
}

// Add formats the rows of rec that still fit; the caller keeps rec.
func (t *Table) Add(rec arrow.RecordBatch) {
	n := int(rec.NumRows())
	take := min(n, t.numRows-len(t.rows))
	if take < n {
		t.more = true
	}
	for i := range take {
		row := make([]string, rec.NumCols())
		for j, col := range rec.Columns() {
			row[j] = t.cut(escapeMeta(cell(col, i)))
		}
		t.rows = append(t.rows, row)
	}
}

// cut truncates a cell as Spark's show() does: to the first truncate-3
// characters and "...", or to truncate characters when that is below 4.
func (t *Table) cut(s string) string {
	if t.truncate <= 0 || utf8.RuneCountInString(s) <= t.truncate {
		return s
	}
	r := []rune(s)
	if t.truncate < 4 {
		return string(r[:t.truncate])
	}
	return string(r[:t.truncate-3]) + "..."
}

// Render writes the table as Spark's showString does.
func (t *Table) Render(b *strings.Builder) {
	widths := make([]int, len(t.header))
	for j, h := range t.header {
		widths[j] = max(minColWidth, halfWidth(h))
		for _, r := range t.rows {
			widths[j] = max(widths[j], halfWidth(r[j]))
		}
	}
	sep := func() {
		b.WriteByte('+')
		for _, w := range widths {
			b.WriteString(strings.Repeat("-", w))
			b.WriteByte('+')
		}
		b.WriteByte('\n')
	}
	line := func(cells []string) {
		b.WriteByte('|')
		for j, c := range cells {
			pad := strings.Repeat(" ", widths[j]-halfWidth(c))
			if t.truncate > 0 {
				b.WriteString(pad)
				b.WriteString(c)
			} else {
				b.WriteString(c)
				b.WriteString(pad)
			}
			b.WriteByte('|')
		}
		b.WriteByte('\n')
	}
	sep()
	line(t.header)
	sep()
	for _, r := range t.rows {
		line(r)
	}
	sep()
	if t.more {
		word := "rows"
		if t.numRows == 1 {
			word = "row"
		}
		fmt.Fprintf(b, "only showing top %d %s\n", t.numRows, word)
	}
}

// metaEscaper is Spark's SchemaUtils.escapeMetaCharacters.
var metaEscaper = strings.NewReplacer(
	"\n", `\n`, "\r", `\r`, "\t", `\t`, "\f", `\f`, "\b", `\b`, "\v", `\v`, "\a", `\a`,
)

func escapeMeta(s string) string { return metaEscaper.Replace(s) }

// halfWidth is Spark's Utils.stringHalfWidth: the characters of s, counting
// twice those in the East Asian full-width ranges Spark lists.
func halfWidth(s string) int {
	n := 0
	for _, r := range s {
		n++
		if fullWidth(r) {
			n++
		}
	}
	return n
}

func fullWidth(r rune) bool {
	switch {
	case r >= 0x1100 && r <= 0x115F,
		r >= 0x2E80 && r <= 0xA4CF,
		r >= 0xAC00 && r <= 0xD7A3,
		r >= 0xF900 && r <= 0xFAFF,
		r >= 0xFE10 && r <= 0xFE19,
		r >= 0xFE30 && r <= 0xFE6F,
		r >= 0xFF00 && r <= 0xFF60,
		r >= 0xFFE0 && r <= 0xFFE6:
		return true
	}
	return false
}
