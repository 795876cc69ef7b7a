package fileformat

import (
	"fmt"
	"os"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
)

// inferred is a point on the inference lattice: NULL widens to anything,
// int64 to float64, and any other conflict to string.
type inferred uint8

const (
	tNull inferred = iota
	tInt
	tFloat
	tBool
	tTimestamp
	tString
)

func merge(a, b inferred) inferred {
	switch {
	case a == b || b == tNull:
		return a
	case a == tNull:
		return b
	case (a == tInt && b == tFloat) || (a == tFloat && b == tInt):
		return tFloat
	}
	return tString
}

// inferText widens cur by one CSV field, trying int64, float64, bool and
// timestamp in turn. A column already at string is not parsed again.
func inferText(cur inferred, s string) inferred {
	if cur == tString || s == "" {
		return cur
	}
	var t inferred
	switch {
	case (cur == tNull || cur == tInt) && isInt(s):
		t = tInt
	case cur != tBool && cur != tTimestamp && isFloat(s):
		t = tFloat
	case isBool(s):
		t = tBool
	case isTimestamp(s):
		t = tTimestamp
	default:
		t = tString
	}
	return merge(cur, t)
}

func isInt(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

func isFloat(s string) bool {
	_, err := parseFloat(s, 64)
	return err == nil
}

func isBool(s string) bool {
	_, ok := parseBool(s)
	return ok
}

func isTimestamp(s string) bool {
	_, ok := parseTimestamp(s)
	return ok
}

// arrowType is the column type of a fully inferred column; a column that was
// only ever NULL is a string, as in Spark.
func (t inferred) arrowType() arrow.DataType {
	switch t {
	case tInt:
		return arrow.PrimitiveTypes.Int64
	case tFloat:
		return arrow.PrimitiveTypes.Float64
	case tBool:
		return arrow.FixedWidthTypes.Boolean
	case tTimestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	}
	return arrow.BinaryTypes.String
}

// InferSchema returns the schema Open reads paths with: opts.Schema if set;
// otherwise for CSV and JSON the schema inferred from the first
// opts.InferRows rows of every file, for Parquet the first file's schema, for
// text a single string column "value". In Permissive mode a CSV or JSON
// schema ends with the corrupt-record column unless it already has one.
//
// Malformed rows met during inference fail it in FailFast mode and are
// skipped otherwise. Inference finding no rows in any file is an error.
func InferSchema(paths []string, opts ReadOptions) (*arrow.Schema, error) {
	opts, err := opts.validate()
	if err != nil {
		return nil, err
	}
	return resolveSchema(paths, opts)
}

func resolveSchema(paths []string, opts ReadOptions) (*arrow.Schema, error) {
	schema := opts.Schema
	var err error
	if schema == nil {
		switch opts.Format {
		case CSV:
			schema, err = inferCSVSchema(paths, opts)
		case JSON:
			schema, err = inferJSONSchema(paths, opts)
		case Parquet:
			schema, err = parquetSchema(paths)
		case Text:
			schema = textSchema
		}
		if err != nil {
			return nil, err
		}
	}
	if opts.permissive() {
		return withCorruptColumn(schema, opts.CorruptColumn)
	}
	return schema, nil
}

// withCorruptColumn appends a string column named name to schema unless it
// has one. A column of that name that is not a string is an error (an
// inferred one, since validate rejects a given one).
func withCorruptColumn(schema *arrow.Schema, name string) (*arrow.Schema, error) {
	idx := schema.FieldIndices(name)
	if len(idx) > 0 {
		if dt := schema.Field(idx[0]).Type; dt.ID() != arrow.STRING {
			return nil, fmt.Errorf("corrupt-record column %q is %s, not a string", name, dt)
		}
		return schema, nil
	}
	fields := append(schema.Fields(), arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true})
	md := schema.Metadata()
	return arrow.NewSchema(fields, &md), nil
}

// inferFiles runs infer over each file in turn, stopping at the first error.
func inferFiles(paths []string, infer func(path string, f *os.File) error) error {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("infer schema: %w", err)
		}
		err = infer(p, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func noRows(format string, paths []string) error {
	return fmt.Errorf("infer %s schema of %d file(s): no rows; give a schema", format, len(paths))
}

func fieldsOf(names []string, types []inferred) []arrow.Field {
	fields := make([]arrow.Field, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: types[i].arrowType(), Nullable: true}
	}
	return fields
}
