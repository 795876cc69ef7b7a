package fileformat

import (
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
)

// fuzzSchema reads any input as a mix of typed columns, to exercise every
// parser on arbitrary text.
var fuzzSchema = arrow.NewSchema([]arrow.Field{
	{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "c", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "d", Type: tsUTC, Nullable: true},
	{Name: "e", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
}, nil)

func FuzzCSVReader(f *testing.F) {
	f.Add([]byte(peopleCSV), true)
	f.Add([]byte(badCSV), true)
	f.Add([]byte("1,x,2.5,2024-01-02,true,7\n\"a\"\"b\",\"\n\",,,,\n"), false)
	f.Add([]byte("\xEF\xBB\xBF\"unterminated\n1,2\r\n\r\n"), false)
	f.Add([]byte("a,\"b\"c,d\n,,,,,,,,\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, header bool) {
		fuzzRead(t, data, ReadOptions{Format: CSV, Header: header, BatchSize: 3})
	})
}

func FuzzJSONReader(f *testing.F) {
	f.Add([]byte(badJSON))
	f.Add([]byte(`{"a": 1, "b": "x", "c": 2.5, "d": "2024-01-02T03:04:05Z", "e": true, "f": 255}` + "\n"))
	f.Add([]byte(`{"a": {"x": [1, "]}"]}, "b": {"y": null}, "\u0062": "esc"}` + "\r\n\n[]\n\"s\"\n"))
	f.Add([]byte(`{"c": "NaN", "a": 1e400, "f": 256, "e": null}` + "\n{}\n{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, ReadOptions{Format: JSON, BatchSize: 3})
	})
}

// fuzzRead reads data in every mode, inferred and with fuzzSchema, and checks
// that nothing panics or leaks, that only FailFast reports malformed rows,
// and that every row is either kept or dropped.
func fuzzRead(t *testing.T, data []byte, opts ReadOptions) {
	path := writeFile(t, t.TempDir(), "input", string(data))
	for _, schema := range []*arrow.Schema{nil, fuzzSchema} {
		opts.Schema = schema
		rows := map[Mode]int64{}
		var dropped int64
		for _, mode := range []Mode{FailFast, DropMalformed, Permissive} {
			opts.Mode = mode
			n, d, err := countRows(t, path, opts)
			var me *MalformedError
			switch {
			case err == nil:
			case mode == FailFast && errors.As(err, &me):
			case schema == nil: // inference found nothing to infer from
				return
			default:
				t.Fatalf("%v: unexpected error %v", mode, err)
			}
			rows[mode] = n
			if mode == DropMalformed {
				dropped = d
			}
		}
		if schema != nil && rows[Permissive] != rows[DropMalformed]+dropped {
			t.Fatalf("permissive read %d rows, drop-malformed %d and dropped %d", rows[Permissive], rows[DropMalformed], dropped)
		}
	}
}

func countRows(t *testing.T, path string, opts ReadOptions) (rows, dropped int64, err error) {
	mem := checkedMem(t)
	r, err := Open(context.Background(), mem, []string{path}, opts)
	if err != nil {
		return 0, 0, err
	}
	recs, err := batch.ReadAll(context.Background(), r)
	for _, rec := range recs {
		if rec.NumRows() == 0 || rec.NumRows() > int64(opts.BatchSize) {
			t.Fatalf("record of %d rows", rec.NumRows())
		}
		if !rec.Schema().Equal(r.Schema()) {
			t.Fatalf("record schema %s, reader schema %s", rec.Schema(), r.Schema())
		}
		rows += rec.NumRows()
	}
	batch.Release(recs)
	return rows, r.Dropped(), err
}
