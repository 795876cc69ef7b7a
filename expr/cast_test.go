package expr_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/expr"
)

func TestCast(t *testing.T) {
	a := expr.Col("a")
	col := func(dt arrow.DataType, js string) []opCol { return []opCol{{"a", dt, js}} }
	tsNY := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "America/New_York"}
	tsSec := &arrow.TimestampType{Unit: arrow.Second}
	tsMs := &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
	opRun(t, []opCase{
		// Between numbers.
		{name: "int64 to int32 wraps", e: expr.Cast(a, opI32), cols: col(opI64, `[1, -1, 4294967297, null]`),
			typ: opI32, want: `[1, -1, 1, null]`},
		{name: "int32 to float64", e: expr.Cast(a, opF64), cols: col(opI32, `[1, -7, null]`),
			typ: opF64, want: `[1, -7, null]`},
		{name: "float64 to int32 truncates and saturates", e: expr.Cast(a, opI32),
			cols: col(opF64, `[1.9, -1.9, "NaN", 1e20, -1e20, null]`),
			typ:  opI32, want: `[1, -1, 0, 2147483647, -2147483648, null]`},
		{name: "float64 to int64 saturates", e: expr.Cast(a, opI64), cols: col(opF64, `[1e20, -1e20, "Inf"]`),
			typ: opI64, want: `[9223372036854775807, -9223372036854775808, 9223372036854775807]`},
		{name: "float64 to int8 saturates at int32 then wraps", e: expr.Cast(a, opI8), cols: col(opF64, `[300.5, 1e20]`),
			typ: opI8, want: `[44, -1]`},
		{name: "float32 to float64", e: expr.Cast(a, opF64), cols: col(opF32, `[0.5, null]`),
			typ: opF64, want: `[0.5, null]`},
		{name: "uint8 to int8", e: expr.Cast(a, opI8), cols: col(opU8, `[255, 1]`),
			typ: opI8, want: `[-1, 1]`},
		{name: "bool to int", e: expr.Cast(a, opI32), cols: col(opBool, `[true, false, null]`),
			typ: opI32, want: `[1, 0, null]`},
		{name: "int to bool", e: expr.Cast(a, opBool), cols: col(opI64, `[0, 5, -1, null]`),
			typ: opBool, want: `[false, true, true, null]`},
		{name: "float to bool", e: expr.Cast(a, opBool), cols: col(opF64, `[0, 0.1, "NaN"]`),
			typ: opBool, want: `[false, true, true]`},
		{name: "bool to double", e: expr.Cast(a, opF64), cols: col(opBool, `[true, false]`),
			typ: opF64, want: `[1, 0]`},

		// From strings.
		{name: "string to int", e: expr.Cast(a, opI32),
			cols: col(opStr, `["42", " -7 ", "+3", "1.9", "-1.5", "abc", "", "-", "9999999999", "-2147483648", "1e3", null, ".5"]`),
			typ:  opI32, want: `[42, -7, 3, 1, -1, null, null, null, null, -2147483648, null, null, 0]`},
		{name: "string to bigint", e: expr.Cast(a, opI64),
			cols: col(opStr, `["9223372036854775807", "-9223372036854775808", "9223372036854775808"]`),
			typ:  opI64, want: `[9223372036854775807, -9223372036854775808, null]`},
		{name: "string to tinyint", e: expr.Cast(a, opI8), cols: col(opStr, `["127", "128", "-128"]`),
			typ: opI8, want: `[127, null, -128]`},
		{name: "large string to int", e: expr.Cast(a, opI64), cols: col(opLStr, `["12", "x"]`),
			typ: opI64, want: `[12, null]`},
		{name: "string to double", e: expr.Cast(a, opF64),
			cols: col(opStr, `["1.5", " 1e3", "-.5", "NaN", "-Infinity", "inf", "1.5d", "x", "", "1e", "0x10", null, "1e400"]`),
			typ:  opF64, want: `[1.5, 1000, -0.5, "NaN", "-Inf", "Inf", 1.5, null, null, null, null, null, "Inf"]`},
		{name: "string to float", e: expr.Cast(a, opF32), cols: col(opStr, `["0.1", "bad"]`),
			typ: opF32, want: `[0.1, null]`},
		{name: "string to bool", e: expr.Cast(a, opBool),
			cols: col(opStr, `["true", "FALSE", "t", "n", "Yes", "1", "0", " true ", "maybe", null]`),
			typ:  opBool, want: `[true, false, true, false, true, true, false, true, null, null]`},
		{name: "string to date", e: expr.Cast(a, opDate),
			cols: col(opStr, `["2024-01-02", "2024-1-2", "2024-01-02T10:00:00", "2024-01-02 x", "2024", "2024-03", "2024-02-30", "2024-02-29", "2023-02-29", "x", "", "1969-12-31", null]`),
			typ:  opDate, want: `["2024-01-02", "2024-01-02", "2024-01-02", "2024-01-02", "2024-01-01", "2024-03-01", null, "2024-02-29", null, null, null, "1969-12-31", null]`},
		{name: "string to timestamp", e: expr.Cast(a, opTS),
			cols: col(opStr, `["2024-01-02 03:04:05.123456", "2024-01-02T03:04:05Z", "2024-01-02 03:04:05+01:00", "2024-01-02 03:04:05 -0130", "2024-01-02", "2024-01-02 03:04", "2024-01-02 25:00:00", "bad", "2024-01-02 03:04:05.1234567", "1969-12-31 23:59:59.5", "2024-07-01 12:00:00 America/New_York", "2024-01-02 03:04:05 Nowhere/Land", null]`),
			typ:  opTS, want: `["2024-01-02T03:04:05.123456Z", "2024-01-02T03:04:05Z", "2024-01-02T02:04:05Z", "2024-01-02T04:34:05Z", "2024-01-02T00:00:00Z", "2024-01-02T03:04:00Z", null, null, "2024-01-02T03:04:05.123456Z", "1969-12-31T23:59:59.5Z", "2024-07-01T16:00:00Z", null, null]`},
		{name: "string to timestamp in a zone", e: expr.Cast(a, tsNY),
			cols: col(opStr, `["2024-01-02 03:04:05", "2024-07-01", "2024-01-02 03:04:05Z"]`),
			// EST is UTC-5, EDT UTC-4; an explicit zone wins.
			typ: tsNY, want: `["1704182645000000", "1719806400000000", "1704164645000000"]`},

		// To strings.
		{name: "int to string", e: expr.Cast(a, opStr), cols: col(opI64, `[0, -42, 9223372036854775807, null]`),
			typ: opStr, want: `["0", "-42", "9223372036854775807", null]`},
		{name: "uint to string", e: expr.Cast(a, opStr), cols: col(opU64, `[18446744073709551615]`),
			typ: opStr, want: `["18446744073709551615"]`},
		{name: "double to string as Java", e: expr.Cast(a, opStr),
			cols: col(opF64, `[1, 1.5, -0.25, 123456.789, 1e7, 1e10, 1.5e-5, 0.001, 0, "NaN", "Inf", "-Inf", 1e21, 12345678.9, null]`),
			typ:  opStr, want: `["1.0", "1.5", "-0.25", "123456.789", "1.0E7", "1.0E10", "1.5E-5", "0.001", "0.0", "NaN", "Infinity", "-Infinity", "1.0E21", "1.23456789E7", null]`},
		{name: "float to string", e: expr.Cast(a, opStr), cols: col(opF32, `[0.1, 3]`),
			typ: opStr, want: `["0.1", "3.0"]`},
		{name: "bool to string", e: expr.Cast(a, opStr), cols: col(opBool, `[true, false, null]`),
			typ: opStr, want: `["true", "false", null]`},
		{name: "date to string", e: expr.Cast(a, opStr), cols: col(opDate, `["2024-01-02", "1969-12-31", "0001-01-01", null]`),
			typ: opStr, want: `["2024-01-02", "1969-12-31", "0001-01-01", null]`},
		{name: "timestamp to string", e: expr.Cast(a, opStr),
			cols: col(opTS, `["2024-01-02T03:04:05Z", "2024-01-02T03:04:05.5Z", "2024-01-02T03:04:05.000123Z", "1969-12-31T23:59:59.9Z", null]`),
			typ:  opStr, want: `["2024-01-02 03:04:05", "2024-01-02 03:04:05.5", "2024-01-02 03:04:05.000123", "1969-12-31 23:59:59.9", null]`},
		{name: "zoned timestamp to string", e: expr.Cast(a, opStr),
			cols: col(tsNY, `["1704182645000000", "1719806400000000"]`),
			typ:  opStr, want: `["2024-01-02 03:04:05", "2024-07-01 00:00:00"]`},
		{name: "int to large string", e: expr.Cast(a, opLStr), cols: col(opI32, `[7, null]`),
			typ: opLStr, want: `["7", null]`},
		{name: "string to binary", e: expr.Cast(a, opBin), cols: col(opStr, `["AB", "", null]`),
			typ: opBin, want: `["QUI=", "", null]`},
		{name: "binary to string", e: expr.Cast(a, opStr), cols: col(opBin, `["QUI=", null]`),
			typ: opStr, want: `["AB", null]`},
		{name: "string to large string", e: expr.Cast(a, opLStr), cols: col(opStr, `["x", null, "yz"]`),
			typ: opLStr, want: `["x", null, "yz"]`},

		// Dates and timestamps.
		{name: "date to timestamp", e: expr.Cast(a, opTS), cols: col(opDate, `["2024-01-02", "1969-12-31", null]`),
			typ: opTS, want: `["2024-01-02T00:00:00Z", "1969-12-31T00:00:00Z", null]`},
		{name: "date to zoned timestamp", e: expr.Cast(a, tsNY), cols: col(opDate, `["2024-01-02"]`),
			typ: tsNY, want: `["1704171600000000"]`},
		{name: "timestamp to date", e: expr.Cast(a, opDate),
			cols: col(opTS, `["2024-01-02T23:59:59Z", "1969-12-31T23:00:00Z", "1970-01-01T00:00:00Z", null]`),
			typ:  opDate, want: `["2024-01-02", "1969-12-31", "1970-01-01", null]`},
		{name: "zoned timestamp to date", e: expr.Cast(a, opDate), cols: col(tsNY, `["1704164645000000"]`),
			typ: opDate, want: `["2024-01-01"]`},
		{name: "ms to us", e: expr.Cast(a, opTS), cols: col(tsMs, `["2024-01-02T03:04:05.123Z", null]`),
			typ: opTS, want: `["2024-01-02T03:04:05.123Z", null]`},
		{name: "us to s floors", e: expr.Cast(a, tsSec), cols: col(opTS, `["1970-01-01T00:00:01.5Z", "1969-12-31T23:59:59.5Z"]`),
			typ: tsSec, want: `["1970-01-01T00:00:01", "1969-12-31T23:59:59"]`},
		{name: "timestamp to bigint seconds", e: expr.Cast(a, opI64), cols: col(opTS, `["1970-01-01T00:00:01.5Z", "1969-12-31T23:59:59.5Z", null]`),
			typ: opI64, want: `[1, -1, null]`},
		{name: "timestamp to double seconds", e: expr.Cast(a, opF64), cols: col(opTS, `["1970-01-01T00:00:01.5Z"]`),
			typ: opF64, want: `[1.5]`},
		{name: "bigint seconds to timestamp", e: expr.Cast(a, opTS), cols: col(opI64, `[1, -1, null]`),
			typ: opTS, want: `["1970-01-01T00:00:01Z", "1969-12-31T23:59:59Z", null]`},
		{name: "double seconds to timestamp", e: expr.Cast(a, opTS), cols: col(opF64, `[1.5, "NaN", 1e300, null]`),
			typ: opTS, want: `["1970-01-01T00:00:01.5Z", null, null, null]`},

		// NULL and literals.
		{name: "NULL to int", e: expr.Cast(expr.Lit(nil), opI32), typ: opI32, want: `[null, null]`},
		{name: "null column to string", e: expr.Cast(a, opStr), cols: col(opNull, `[null, null]`),
			typ: opStr, want: `[null, null]`},
		{name: "literal", e: expr.Cast(expr.Lit("12"), opI64), typ: opI64, want: `[12, 12, 12]`},
		{name: "bad literal", e: expr.Cast(expr.Lit("x"), opDate), typ: opDate, want: `[null]`},
		{name: "same type", e: expr.Cast(a, opI64), cols: col(opI64, `[1, null]`), typ: opI64, want: `[1, null]`},
	})
}

func TestCastTypeErrors(t *testing.T) {
	cols := []opCol{{"d", opDate, `[]`}, {"b", opBool, `[]`}, {"bin", opBin, `[]`}}
	opTypeErr(t, expr.Cast(expr.Col("d"), opI32), cols, "date32", "int32")
	opTypeErr(t, expr.Cast(expr.Col("b"), opDate), cols, "bool", "date32")
	opTypeErr(t, expr.Cast(expr.Col("bin"), opI64), cols, "binary", "int64")
	opTypeErr(t, expr.Cast(expr.Col("b"), arrow.ListOf(opI32)), cols, "bool", "list")
}

func TestCastString(t *testing.T) {
	for e, want := range map[expr.Expr]string{
		expr.Cast(expr.Col("a"), opI64):  "CAST(a AS BIGINT)",
		expr.Cast(expr.Col("a"), opStr):  "CAST(a AS STRING)",
		expr.Cast(expr.Col("a"), opDate): "CAST(a AS DATE)",
		expr.Cast(expr.Col("a"), opTS):   "CAST(a AS TIMESTAMP)",
		expr.Cast(expr.Col("a"), opF64):  "CAST(a AS DOUBLE)",
	} {
		if got := e.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}
