package expr

import (
	"math/rand"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func sxMicros(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMicro()
}

func TestParseTimestamp(t *testing.T) {
	for in, want := range map[string]string{
		"2024-03-05":                       "2024-03-05T00:00:00Z",
		"2024-3-5":                         "2024-03-05T00:00:00Z",
		"2024-03":                          "2024-03-01T00:00:00Z",
		"2024":                             "2024-01-01T00:00:00Z",
		"2024-03-05 07:08:09":              "2024-03-05T07:08:09Z",
		"2024-03-05T07:08:09":              "2024-03-05T07:08:09Z",
		" 2024-03-05 7:8:9 ":               "2024-03-05T07:08:09Z",
		"2024-03-05 07:08":                 "2024-03-05T07:08:00Z",
		"2024-03-05T07:08:09.5":            "2024-03-05T07:08:09.5Z",
		"2024-03-05T07:08:09.123456789":    "2024-03-05T07:08:09.123456Z",
		"2024-03-05T07:08:09Z":             "2024-03-05T07:08:09Z",
		"2024-03-05T07:08:09.25+02:00":     "2024-03-05T05:08:09.25Z",
		"2024-03-05 07:08:09 -0130":        "2024-03-05T08:38:09Z",
		"2024-03-05T07:08:09+05":           "2024-03-05T02:08:09Z",
		"2024-03-05 07:08:09 UTC":          "2024-03-05T07:08:09Z",
		"1969-12-31 23:59:59.999999":       "1969-12-31T23:59:59.999999Z",
		"0001-01-01 00:00:00":              "0001-01-01T00:00:00Z",
		"2024-02-29":                       "2024-02-29T00:00:00Z",
		"2000-02-29 00:00:00":              "2000-02-29T00:00:00Z",
		"9999-12-31T23:59:59.999999+00:00": "9999-12-31T23:59:59.999999Z",
	} {
		got, ok := ParseTimestamp([]byte(in))
		if w := sxMicros(want); !ok || got != w {
			t.Errorf("ParseTimestamp(%q) = %d, %v; want %d (%s)", in, got, ok, w, want)
		}
	}
	for _, in := range []string{"", "x", "2024-13-01", "2023-02-29", "1900-02-29", "2024-01-32", "2024-01-01 24:00:00",
		"2024-01-01 10:60", "2024-01-01 10", "2024-01-01T", "2024-01-01 10:00:00.", "2024-01-01 10:00:00 PST",
		"24-01-01", "2024/01/01", "2024-01-01 10:00:00+2:3", "2024-01-01 10:00:00.1234567890"} {
		if v, ok := ParseTimestamp([]byte(in)); ok {
			t.Errorf("ParseTimestamp(%q) = %d, want failure", in, v)
		}
	}
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"2024-03-05 07:08:09.123+01:00", "2024-3-5", "0001-01-01T00:00:00Z", "2024-02-29 1:2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseTimestamp([]byte(s))
		if !ok {
			return
		}
		// what parses is a real instant: formatting and parsing it again gives
		// it back (a zone can move it out of the four-digit years)
		tm := time.UnixMicro(v).UTC()
		if tm.Year() < 1 || tm.Year() > 9999 {
			return
		}
		again, ok := ParseTimestamp([]byte(tm.Format("2006-01-02 15:04:05.999999")))
		if !ok || again != v {
			t.Fatalf("%q -> %d -> %d, %v", s, v, again, ok)
		}
	})
}

func TestToTimestampStrings(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	x := Col("c0")
	in := []any{"2024-03-05 07:08:09", "05/03/2024 07:08", nil, "garbage"}
	sxCheck(t, mem, ToTimestamp(x), in, []any{sxMicros("2024-03-05T07:08:09Z"), nil, nil, nil})
	sxCheck(t, mem, ToTimestamp(x, "dd/MM/yyyy HH:mm"), in, []any{nil, sxMicros("2024-03-05T07:08:00Z"), nil, nil})
	sxCheck(t, mem, ToTimestamp(x, "02/01/2006 15:04"), in, []any{nil, sxMicros("2024-03-05T07:08:00Z"), nil, nil})
	sxCheck(t, mem, ToTimestamp(x, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"), []any{"2024-03-05T07:08:09.250+01:00"},
		[]any{sxMicros("2024-03-05T06:08:09.25Z")})
}

func TestToTimestampNumbers(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ib := array.NewInt64Builder(mem)
	ib.AppendValues([]int64{0, -1, 1 << 62, 1700000000}, []bool{true, true, true, true})
	ib.AppendNull()
	fb := array.NewFloat64Builder(mem)
	fb.AppendValues([]float64{1.5, -0.25, 1e300, 0, 0}, []bool{true, true, true, true, false})
	tb := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Nanosecond})
	tb.AppendValues([]arrow.Timestamp{1500, -1500, 0, 0, 0}, []bool{true, true, true, true, false})
	db := array.NewDate32Builder(mem)
	db.AppendValues([]arrow.Date32{1, -1, 0, 0, 0}, []bool{true, true, true, true, false})
	rec := sxRecord(ib.NewArray(), fb.NewArray(), tb.NewArray(), db.NewArray())
	ib.Release()
	fb.Release()
	tb.Release()
	db.Release()
	defer rec.Release()
	for col, want := range map[string][]any{
		"c0": {int64(0), int64(-1e6), nil, int64(1700000000e6), nil},
		"c1": {int64(1.5e6), int64(-0.25e6), nil, int64(0), nil},
		"c2": {int64(1), int64(-2), int64(0), int64(0), nil},
		"c3": {int64(86400e6), int64(-86400e6), int64(0), int64(0), nil},
	} {
		out := sxEval(t, mem, ToTimestamp(Col(col)), rec)
		if got := sxValues(out); !reflect.DeepEqual(got, want) {
			t.Errorf("to_timestamp(%s) = %v, want %v", col, got, want)
		}
		out.Release()
	}
}

func TestTimeTypeErrors(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{{Name: "b", Type: arrow.FixedWidthTypes.Boolean}, {Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	for _, e := range []Expr{
		ToTimestamp(Col("b")), ToTimestamp(Col("n"), "yyyy"), ToTimestamp(Col("n"), "a", "b"),
		ToTimestamp(Col("n"), "yyyy-QQ"), DateTrunc("fortnight", Lit(time.Unix(0, 0))), DateTrunc("day", Col("n")),
		Window(Col("n"), time.Second, 0, 0).Expr, Window(Lit(time.Unix(0, 0)), time.Second, 2*time.Second, 0).Expr,
		Window(Lit(time.Unix(0, 0)), 0, 0, 0).Expr, Window(Lit(time.Unix(0, 0)), time.Nanosecond, 0, 0).Expr,
	} {
		if _, err := e.Type(s); err == nil {
			t.Errorf("%s: no type error", e)
		} else if te, ok := err.(*TypeError); !ok || te.Expr != e.String() {
			t.Errorf("%s: error %v does not name the expression", e, err)
		}
	}
}

func TestDateTrunc(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	in := []any{"2024-08-14 13:45:56.789123", "1969-12-31 23:59:59.5", nil, "1900-03-01 00:00:00"}
	for unit, want := range map[string][]string{
		"YEAR":        {"2024-01-01T00:00:00Z", "1969-01-01T00:00:00Z", "", "1900-01-01T00:00:00Z"},
		"quarter":     {"2024-07-01T00:00:00Z", "1969-10-01T00:00:00Z", "", "1900-01-01T00:00:00Z"},
		"mon":         {"2024-08-01T00:00:00Z", "1969-12-01T00:00:00Z", "", "1900-03-01T00:00:00Z"},
		"week":        {"2024-08-12T00:00:00Z", "1969-12-29T00:00:00Z", "", "1900-02-26T00:00:00Z"},
		"dd":          {"2024-08-14T00:00:00Z", "1969-12-31T00:00:00Z", "", "1900-03-01T00:00:00Z"},
		"hour":        {"2024-08-14T13:00:00Z", "1969-12-31T23:00:00Z", "", "1900-03-01T00:00:00Z"},
		"minute":      {"2024-08-14T13:45:00Z", "1969-12-31T23:59:00Z", "", "1900-03-01T00:00:00Z"},
		"second":      {"2024-08-14T13:45:56Z", "1969-12-31T23:59:59Z", "", "1900-03-01T00:00:00Z"},
		"millisecond": {"2024-08-14T13:45:56.789Z", "1969-12-31T23:59:59.5Z", "", "1900-03-01T00:00:00Z"},
	} {
		w := make([]any, len(want))
		for i, s := range want {
			if s != "" {
				w[i] = sxMicros(s)
			}
		}
		sxCheck(t, mem, DateTrunc(unit, ToTimestamp(Col("c0"))), in, w)
		sxCheck(t, mem, DateTrunc(unit, Col("c0")), in, w)
	}
}

// TestDateTruncMatchesTime compares the integer calendar code with package
// time over random instants, for every tick unit.
func TestDateTruncMatchesTime(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	units := []struct {
		u   truncUnit
		ref func(time.Time) time.Time
	}{
		{truncYear, func(t time.Time) time.Time { return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC) }},
		{truncQuarter, func(t time.Time) time.Time {
			return time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
		}},
		{truncMonth, func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }},
		{truncWeek, func(t time.Time) time.Time {
			d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
		}},
		{truncHour, func(t time.Time) time.Time { return t.Truncate(time.Hour) }},
	}
	for _, unit := range []arrow.TimeUnit{arrow.Second, arrow.Millisecond, arrow.Microsecond, arrow.Nanosecond} {
		f := timePerSecond(unit)
		in := make([]int64, 2000)
		for i := range in {
			secs := rng.Int63n(400*365*86400) - 200*365*86400 // 1770..2170
			in[i] = secs*f + rng.Int63n(f)
		}
		out := make([]int64, len(in))
		for _, u := range units {
			timeTrunc(in, out, u.u, f)
			for i, v := range in {
				tm := time.Unix(0, 0).UTC().Add(time.Duration(v/f)*time.Second + time.Duration(v%f)*(time.Second/time.Duration(f)))
				if want := u.ref(tm).Unix() * f; out[i] != want {
					t.Fatalf("unit %v trunc %d of %v (%d) = %d, want %d", unit, u.u, tm, v, out[i], want)
				}
			}
		}
	}
}

func TestCivilRoundTrip(t *testing.T) {
	for d := int64(-800000); d < 800000; d += 13 {
		y, m, dd := timeCivilFromDays(d)
		if back := timeDaysFromCivil(y, m, dd); back != d {
			t.Fatalf("day %d -> %d-%d-%d -> %d", d, y, m, dd, back)
		}
		if want := time.Unix(d*86400, 0).UTC(); int64(want.Year()) != y || int(want.Month()) != m || want.Day() != dd {
			t.Fatalf("day %d -> %d-%d-%d, want %v", d, y, m, dd, want)
		}
	}
}

func TestTimeStrings(t *testing.T) {
	for _, c := range []struct {
		e    Expr
		want string
	}{
		{ToTimestamp(Col("a")), "to_timestamp(a)"},
		{ToTimestamp(Col("a"), "yyyy-MM-dd"), `to_timestamp(a, "yyyy-MM-dd")`},
		{DateTrunc("hour", Col("t")), `date_trunc("hour", t)`},
		{Window(Col("t"), 10*time.Second, 0, 0), "window(t, '10 seconds') AS window"},
		{Window(Col("t"), 10*time.Minute, 5*time.Minute, 0), "window(t, '10 minutes', '5 minutes') AS window"},
		{Window(Col("t"), time.Hour, time.Hour, 90*time.Second), "window(t, '1 hour', '1 hour', '90 seconds') AS window"},
	} {
		if got := c.e.String(); got != c.want {
			t.Errorf("String() = %q, want %q", got, c.want)
		}
		if n := c.e.WithChildren(c.e.Children()); n.String() != c.want {
			t.Errorf("WithChildren changed %q to %q", c.want, n.String())
		}
	}
}
