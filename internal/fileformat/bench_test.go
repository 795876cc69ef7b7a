package fileformat

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
)

const benchRows = 100_000

func benchFile(b *testing.B, format string) string {
	var sb strings.Builder
	if format == CSV {
		sb.WriteString("id,name,score,active,at\n")
	}
	for i := range benchRows {
		at := fmt.Sprintf("2024-01-%02dT%02d:%02d:05Z", 1+i%28, i%24, i%60)
		if format == CSV {
			fmt.Fprintf(&sb, "%d,user %d,%d.5,%t,%s\n", i, i%977, i%1000, i%3 == 0, at)
		} else {
			fmt.Fprintf(&sb, `{"id":%d,"name":"user %d","score":%d.5,"active":%t,"at":%q}`+"\n", i, i%977, i%1000, i%3 == 0, at)
		}
	}
	return writeFile(b, b.TempDir(), "bench."+format, sb.String())
}

func benchRead(b *testing.B, format string) {
	path := benchFile(b, format)
	opts := ReadOptions{Format: format, Header: true}
	schema, err := InferSchema([]string{path}, opts)
	if err != nil {
		b.Fatal(err)
	}
	opts.Schema = schema
	b.SetBytes(int64(benchRows))
	b.ResetTimer()
	for b.Loop() {
		r, err := Open(context.Background(), memory.DefaultAllocator, []string{path}, opts)
		if err != nil {
			b.Fatal(err)
		}
		recs, err := batch.ReadAll(context.Background(), r)
		if err != nil {
			b.Fatal(err)
		}
		batch.Release(recs)
	}
}

// SetBytes counts rows, so the MB/s column reads as millions of rows per second.
func BenchmarkReadCSV(b *testing.B)  { benchRead(b, CSV) }
func BenchmarkReadJSON(b *testing.B) { benchRead(b, JSON) }
