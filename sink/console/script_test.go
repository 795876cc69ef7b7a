package console_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/cockroachdb/datadriven"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/sink/console"
)

// TestScripts runs the scripts in testdata/ (go test -rewrite regenerates
// their expected output). Commands:
//
//	open [k=v ...]   open the "console" sink through the registry with
//	                 those string options; prints the error, if any
//	write id=N       write one batch and print what the sink printed. The
//	                 input's first line is "schema: name:type, ...", then
//	                 one JSON object per row; a line "--" starts a new
//	                 record of the batch.
//
// Types: int64, int32, float64, float32, string, bool, date32, binary,
// timestamp (µs, UTC), list<T>, map<K,V>, struct<name:T,...>.
func TestScripts(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		var out bytes.Buffer
		var s sink.Sink
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "open":
				opts := map[string]string{}
				for _, a := range d.CmdArgs {
					opts[a.Key] = strings.Join(a.Vals, ",")
				}
				var err error
				s, err = sink.Open(context.Background(), "console", opts)
				if err != nil {
					return "error: " + err.Error() + "\n"
				}
				console.SetOutput(s, &out)
				return "ok\n"
			case "write":
				var id int
				d.ScanArgs(t, "id", &id)
				r, err := parseBatch(mem, d.Input)
				if err != nil {
					t.Fatalf("%s: %v", d.Pos, err)
				}
				out.Reset()
				if err := s.Write(context.Background(), batch.ID(id), sink.Append, r); err != nil {
					return "error: " + err.Error() + "\n"
				}
				return out.String()
			}
			t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
			return ""
		})
	})
}

// parseBatch builds a reader over the records the input describes.
func parseBatch(mem memory.Allocator, input string) (batch.Reader, error) {
	first, rest, _ := strings.Cut(input, "\n")
	spec, ok := strings.CutPrefix(first, "schema:")
	if !ok {
		return nil, fmt.Errorf("first line %q is not a schema", first)
	}
	fields, err := parseFields(spec)
	if err != nil {
		return nil, err
	}
	schema := arrow.NewSchema(fields, nil)
	var recs []arrow.RecordBatch
	for _, chunk := range strings.Split(rest, "\n--\n") {
		var lines []string
		for _, l := range strings.Split(chunk, "\n") {
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
		rows := "[" + strings.Join(lines, ",") + "]"
		rec, _, err := array.RecordFromJSON(mem, schema, strings.NewReader(rows))
		if err != nil {
			batch.Release(recs)
			return nil, fmt.Errorf("rows %s: %w", rows, err)
		}
		recs = append(recs, rec)
	}
	return batch.NewSliceReader(schema, recs...), nil
}

// parseFields reads "name:type, name:type".
func parseFields(spec string) ([]arrow.Field, error) {
	var fields []arrow.Field
	for _, part := range splitTop(spec) {
		name, typ, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok {
			return nil, fmt.Errorf("field %q has no type", part)
		}
		dt, err := parseType(strings.TrimSpace(typ))
		if err != nil {
			return nil, err
		}
		fields = append(fields, arrow.Field{Name: name, Type: dt, Nullable: true})
	}
	return fields, nil
}

func parseType(s string) (arrow.DataType, error) {
	switch s {
	case "int64":
		return arrow.PrimitiveTypes.Int64, nil
	case "int32":
		return arrow.PrimitiveTypes.Int32, nil
	case "float64":
		return arrow.PrimitiveTypes.Float64, nil
	case "float32":
		return arrow.PrimitiveTypes.Float32, nil
	case "string":
		return arrow.BinaryTypes.String, nil
	case "bool":
		return arrow.FixedWidthTypes.Boolean, nil
	case "date32":
		return arrow.FixedWidthTypes.Date32, nil
	case "binary":
		return arrow.BinaryTypes.Binary, nil
	case "timestamp":
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, nil
	}
	kind, inner, ok := strings.Cut(strings.TrimSuffix(s, ">"), "<")
	if !ok || !strings.HasSuffix(s, ">") {
		return nil, fmt.Errorf("unknown type %q", s)
	}
	switch kind {
	case "list":
		elem, err := parseType(inner)
		if err != nil {
			return nil, err
		}
		return arrow.ListOf(elem), nil
	case "struct":
		fields, err := parseFields(inner)
		if err != nil {
			return nil, err
		}
		return arrow.StructOf(fields...), nil
	case "map":
		kv := splitTop(inner)
		if len(kv) != 2 {
			return nil, fmt.Errorf("map type %q needs a key and a value type", s)
		}
		k, err := parseType(strings.TrimSpace(kv[0]))
		if err != nil {
			return nil, err
		}
		v, err := parseType(strings.TrimSpace(kv[1]))
		if err != nil {
			return nil, err
		}
		return arrow.MapOf(k, v), nil
	}
	return nil, fmt.Errorf("unknown type %q", s)
}

// splitTop splits s at the commas outside <>.
func splitTop(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '<':
			depth++
		case '>':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}
