package sluice

import (
	"context"
	"io"
	"strings"

	"github.com/sluicestream/sluice/internal/showtable"
)

// Show runs the query and prints its first n rows to w as an aligned table,
// in the format of Spark's show(): cells right-aligned and cut at 20
// characters, NULL printed as "NULL", and a line saying so when there are
// more rows.
func (df *DataFrame) Show(w io.Writer, n int) error {
	ctx := context.Background()
	// One row more than printed tells whether to say there are more.
	recs, err := df.Limit(int64(n + 1)).Collect(ctx)
	if err != nil {
		return err
	}
	t := showtable.New(df.Schema(), n, showtable.DefaultTruncate)
	for _, rec := range recs {
		t.Add(rec)
		rec.Release()
	}
	var b strings.Builder
	t.Render(&b)
	_, err = io.WriteString(w, b.String())
	return err
}
