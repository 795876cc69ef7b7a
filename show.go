package sluice

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// showTruncate is the width at which Show cuts a cell, as Spark's show().
const showTruncate = 20

// Show runs the query and prints its first n rows to w as an aligned table,
// in the format of Spark's show(): cells right-aligned and cut at 20
// characters, NULL printed as "NULL".
func (df *DataFrame) Show(w io.Writer, n int) error {
	ctx := context.Background()
	recs, err := df.Limit(int64(n + 1)).Collect(ctx)
	if err != nil {
		return err
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	header := df.Columns()
	var rows [][]string
	more := false
	for _, rec := range recs {
		for i := 0; i < int(rec.NumRows()); i++ {
			if len(rows) == n {
				more = true
				break
			}
			row := make([]string, rec.NumCols())
			for j, col := range rec.Columns() {
				row[j] = cell(col, i)
			}
			rows = append(rows, row)
		}
	}
	_, err = io.WriteString(w, formatTable(header, rows, more, n))
	return err
}

// cell renders one value for Show.
func cell(col arrow.Array, i int) string {
	if col.IsNull(i) {
		return "NULL"
	}
	var s string
	switch c := col.(type) {
	case *array.String:
		s = c.Value(i)
	case *array.Float64:
		s = formatFloat(c.Value(i))
	case *array.Float32:
		s = formatFloat(float64(c.Value(i)))
	case *array.Timestamp:
		unit := c.DataType().(*arrow.TimestampType).Unit
		s = c.Value(i).ToTime(unit).UTC().Format("2006-01-02 15:04:05.999999")
	default:
		s = col.ValueStr(i)
	}
	if utf8.RuneCountInString(s) > showTruncate {
		r := []rune(s)
		s = string(r[:showTruncate-3]) + "..."
	}
	return s
}

func formatTable(header []string, rows [][]string, more bool, n int) string {
	widths := make([]int, len(header))
	for j, h := range header {
		widths[j] = max(3, utf8.RuneCountInString(h))
		for _, r := range rows {
			widths[j] = max(widths[j], utf8.RuneCountInString(r[j]))
		}
	}
	var b strings.Builder
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
			b.WriteString(strings.Repeat(" ", widths[j]-utf8.RuneCountInString(c)))
			b.WriteString(c)
			b.WriteByte('|')
		}
		b.WriteByte('\n')
	}
	sep()
	line(header)
	sep()
	for _, r := range rows {
		line(r)
	}
	sep()
	if more {
		fmt.Fprintf(&b, "only showing top %d rows\n", n)
	}
	return b.String()
}

// formatFloat prints a double as Java does: integral values keep ".0".
func formatFloat(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e7 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
