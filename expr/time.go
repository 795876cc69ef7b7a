package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Time functions produce timestamp[us, UTC], Spark's timestamp: microseconds
// since the epoch. Calendar arithmetic is in UTC, on integers, without
// time.Time in the loops (except parsing with a custom layout).

// TimestampUTC is the type of timestamps the time functions produce.
var TimestampUTC = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// ToTimestampExpr is to_timestamp(x[, layout]).
type ToTimestampExpr struct {
	X      Expr
	Layout string // "" for the default ISO-8601 parser

	goLayout string // Layout as a Go reference layout
	err      error
}

// ToTimestamp is to_timestamp(x[, layout]), a timestamp[us, UTC]:
//   - a string is parsed; unparseable strings are NULL. Without a layout it is
//     ISO-8601 as Spark casts strings: "2006-01-02", "2006-01-02 15:04:05",
//     "2006-01-02T15:04:05.999999Z07:00" (RFC 3339), one-digit month, day and
//     time fields, a zone of Z, UTC, ±hh, ±hhmm or ±hh:mm (UTC when absent).
//     A layout is either a Spark (Java DateTimeFormatter) pattern such as
//     "yyyy-MM-dd HH:mm:ss.SSS" or a Go reference layout such as
//     "02/01/2006 15:04".
//   - an integer or float is seconds since the epoch;
//   - a timestamp is converted to microseconds, a date32 is its midnight.
func ToTimestamp(x Expr, layout ...string) *ToTimestampExpr {
	e := &ToTimestampExpr{X: x}
	switch len(layout) {
	case 0:
	case 1:
		e.Layout = layout[0]
		e.goLayout, e.err = timeGoLayout(layout[0])
	default:
		e.err = fmt.Errorf("to_timestamp takes at most one layout, got %d", len(layout))
	}
	return e
}

func (e *ToTimestampExpr) String() string {
	if e.Layout == "" {
		return fmt.Sprintf("to_timestamp(%s)", e.X)
	}
	return fmt.Sprintf("to_timestamp(%s, %s)", e.X, strconv.Quote(e.Layout))
}
func (e *ToTimestampExpr) Children() []Expr { return []Expr{e.X} }
func (e *ToTimestampExpr) WithChildren(c []Expr) Expr {
	n := *e
	n.X = c[0]
	return &n
}

func (e *ToTimestampExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	if e.err != nil {
		return nil, &TypeError{Expr: e.String(), Msg: e.err.Error()}
	}
	t, err := e.X.Type(s)
	if err != nil {
		return nil, err
	}
	if e.Layout != "" && !strIsStringType(t) {
		return nil, &TypeError{Expr: e.String(), Types: []arrow.DataType{t}, Msg: "a layout needs a string argument"}
	}
	if !timeConvertible(t) {
		return nil, &TypeError{Expr: e.String(), Types: []arrow.DataType{t}, Msg: "cannot convert to timestamp"}
	}
	return TimestampUTC, nil
}

func timeConvertible(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.NULL, arrow.TIMESTAMP, arrow.DATE32,
		arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64, arrow.FLOAT32, arrow.FLOAT64:
		return true
	}
	return false
}

func (e *ToTimestampExpr) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	if _, err := e.Type(rec.Schema()); err != nil {
		return nil, err
	}
	return timeEvalMicros(ctx, e.X, rec, e.goLayout)
}

// timeEvalMicros evaluates x and converts it to timestamp[us, UTC].
func timeEvalMicros(ctx *Context, x Expr, rec arrow.RecordBatch, layout string) (arrow.Array, error) {
	a, err := x.Eval(ctx, rec)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	n := a.Len()
	buf := memory.NewResizableBuffer(ctx.Mem)
	defer buf.Release()
	buf.Resize(n * arrow.Int64SizeBytes)
	out := arrow.Int64Traits.CastFromBytes(buf.Bytes())
	vbuf := memory.NewResizableBuffer(ctx.Mem)
	defer vbuf.Release()
	vbuf.Resize(int(bitutil.BytesForBits(int64(n))))
	valid := vbuf.Bytes()
	for i := range valid {
		valid[i] = 0xff
	}
	if a.NullN() > 0 {
		strBitmapAnd(valid, a.NullBitmapBytes(), a.Data().Offset(), n)
	}
	switch a := a.(type) {
	case *array.String:
		timeParseStrings(newStrIn(a), layout, out, valid)
	case *array.LargeString:
		for i := range n {
			if bitutil.BitIsSet(valid, i) {
				timeParseOne(timeBytes(a.Value(i)), layout, out, valid, i)
			}
		}
	case *array.Null:
		clear(valid)
	case *array.Timestamp:
		timeToMicros(a.Values(), a.DataType().(*arrow.TimestampType).Unit, out, valid)
	case *array.Date32:
		for i, d := range a.Date32Values() {
			out[i] = int64(d) * timeMicrosPerDay
		}
	case *array.Float32:
		timeFloatSeconds(a.Float32Values(), out, valid)
	case *array.Float64:
		timeFloatSeconds(a.Float64Values(), out, valid)
	case *array.Int8:
		timeIntSeconds(a.Int8Values(), out, valid)
	case *array.Int16:
		timeIntSeconds(a.Int16Values(), out, valid)
	case *array.Int32:
		timeIntSeconds(a.Int32Values(), out, valid)
	case *array.Int64:
		timeIntSeconds(a.Int64Values(), out, valid)
	case *array.Uint8:
		timeIntSeconds(a.Uint8Values(), out, valid)
	case *array.Uint16:
		timeIntSeconds(a.Uint16Values(), out, valid)
	case *array.Uint32:
		timeIntSeconds(a.Uint32Values(), out, valid)
	case *array.Uint64:
		timeIntSeconds(a.Uint64Values(), out, valid)
	default:
		return nil, &TypeError{Expr: x.String(), Types: []arrow.DataType{a.DataType()}, Msg: "cannot convert to timestamp"}
	}
	nulls := n - bitutil.CountSetBits(valid, 0, n)
	bufs := []*memory.Buffer{nil, buf}
	if nulls > 0 {
		bufs[0] = vbuf
	}
	d := array.NewData(TimestampUTC, n, bufs, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d), nil
}

const (
	timeMicrosPerSec = int64(1e6)
	timeMicrosPerDay = 86400 * timeMicrosPerSec
)

// timeBytes views s as bytes without copying; the bytes must not be written.
func timeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// timeString views b as a string without copying; b must not change while
// the string is used.
func timeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func timeParseStrings(in strIn, layout string, out []int64, valid []byte) {
	for i := 0; i < in.n; i++ {
		if bitutil.BitIsSet(valid, i) {
			timeParseOne(in.data[in.offs[i]:in.offs[i+1]], layout, out, valid, i)
		}
	}
}

// timeParseOne parses s into out[i], clearing bit i of valid on failure.
func timeParseOne(s []byte, layout string, out []int64, valid []byte, i int) {
	var ok bool
	if layout == "" {
		out[i], ok = ParseTimestamp(s)
	} else {
		t, err := time.Parse(layout, timeString(s))
		out[i], ok = t.UnixMicro(), err == nil
	}
	if !ok {
		bitutil.ClearBit(valid, i)
	}
}

// timeToMicros converts timestamps of unit u to microseconds (floor for
// nanoseconds); values that overflow become NULL.
func timeToMicros(in []arrow.Timestamp, u arrow.TimeUnit, out []int64, valid []byte) {
	switch u {
	case arrow.Microsecond:
		for i, v := range in {
			out[i] = int64(v)
		}
	case arrow.Nanosecond:
		for i, v := range in {
			out[i] = timeFloorDiv(int64(v), 1000)
		}
	default:
		f := int64(1e6)
		if u == arrow.Millisecond {
			f = 1000
		}
		for i, v := range in {
			if int64(v) > math.MaxInt64/f || int64(v) < math.MinInt64/f {
				bitutil.ClearBit(valid, i)
				continue
			}
			out[i] = int64(v) * f
		}
	}
}

func timeIntSeconds[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](in []T, out []int64, valid []byte) {
	const lim = math.MaxInt64 / timeMicrosPerSec
	for i, v := range in {
		if (v > 0 && uint64(v) > uint64(lim)) || (v < 0 && int64(v) < -lim) {
			bitutil.ClearBit(valid, i)
			continue
		}
		out[i] = int64(v) * timeMicrosPerSec
	}
}

func timeFloatSeconds[T float32 | float64](in []T, out []int64, valid []byte) {
	const lim = float64(math.MaxInt64 / timeMicrosPerSec)
	for i, v := range in {
		f := float64(v)
		if math.IsNaN(f) || f >= lim || f <= -lim {
			bitutil.ClearBit(valid, i)
			continue
		}
		out[i] = int64(math.Floor(f * 1e6))
	}
}

// ParseTimestamp parses an ISO-8601 timestamp the way Spark casts a string
// to a timestamp, as microseconds since the epoch, UTC unless a zone is
// given: yyyy[-m[m][-d[d]]][(T| )h[h]:m[m][:s[s][.fraction]]][zone], where
// zone is Z, UTC, ±h[h], ±hhmm or ±hh:mm, optionally after a space. Leading
// and trailing spaces are ignored; digits past microseconds are truncated.
func ParseTimestamp(s []byte) (int64, bool) {
	p := timeParser{s: timeTrimSpace(s)}
	year, ok := p.digits(4, 4)
	if !ok {
		return 0, false
	}
	month, day := 1, 1
	if p.take('-') {
		if month, ok = p.digits(1, 2); !ok {
			return 0, false
		}
		if p.take('-') {
			if day, ok = p.digits(1, 2); !ok {
				return 0, false
			}
		}
	}
	if month < 1 || month > 12 || day < 1 || day > timeDaysIn(int64(year), month) {
		return 0, false
	}
	micros := timeDaysFromCivil(int64(year), month, day) * timeMicrosPerDay
	if p.done() {
		return micros, true
	}
	if !p.take('T') && !p.take(' ') {
		return 0, false
	}
	tod, ok := p.timeOfDay()
	if !ok {
		return 0, false
	}
	zone, ok := p.zone()
	if !ok || !p.done() {
		return 0, false
	}
	return micros + tod - zone, true
}

type timeParser struct {
	s []byte
	i int
}

func (p *timeParser) done() bool { return p.i == len(p.s) }

func (p *timeParser) take(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// digits reads between lo and hi decimal digits.
func (p *timeParser) digits(lo, hi int) (int, bool) {
	v, n := 0, 0
	for n < hi && p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
		n++
	}
	return v, n >= lo
}

// timeOfDay reads h[h]:m[m][:s[s][.fraction]] as microseconds.
func (p *timeParser) timeOfDay() (int64, bool) {
	h, ok1 := p.digits(1, 2)
	ok2 := p.take(':')
	m, ok3 := p.digits(1, 2)
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 {
		return 0, false
	}
	us := (int64(h)*3600 + int64(m)*60) * timeMicrosPerSec
	if !p.take(':') {
		return us, true
	}
	sec, ok := p.digits(1, 2)
	if !ok || sec > 59 {
		return 0, false
	}
	us += int64(sec) * timeMicrosPerSec
	if p.take('.') {
		scale := int64(100000)
		start := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			us += int64(p.s[p.i]-'0') * scale
			scale /= 10
			p.i++
		}
		if p.i == start || p.i-start > 9 {
			return 0, false
		}
	}
	return us, true
}

// zone reads an optional zone offset and returns it in microseconds.
func (p *timeParser) zone() (int64, bool) {
	if p.done() {
		return 0, true
	}
	p.take(' ')
	rest := p.s[p.i:]
	switch {
	case string(rest) == "Z" || string(rest) == "UTC" || string(rest) == "GMT":
		p.i = len(p.s)
		return 0, true
	case len(rest) > 0 && (rest[0] == '+' || rest[0] == '-'):
		sign := int64(1)
		if rest[0] == '-' {
			sign = -1
		}
		p.i++
		h, ok := p.digits(1, 2)
		if !ok || h > 18 {
			return 0, false
		}
		m := 0
		if p.take(':') || !p.done() {
			if m, ok = p.digits(2, 2); !ok || m > 59 {
				return 0, false
			}
		}
		return sign * int64(h*3600+m*60) * timeMicrosPerSec, true
	}
	return 0, false
}

func timeTrimSpace(s []byte) []byte {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// timeDaysFromCivil returns the days since 1970-01-01 of a proleptic
// Gregorian date (H. Hinnant's algorithm).
func timeDaysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := timeFloorDiv(y, 400)
	yoe := y - era*400
	mp := int64((m + 9) % 12)
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// timeCivilFromDays is the inverse of timeDaysFromCivil.
func timeCivilFromDays(z int64) (y int64, m, d int) {
	z += 719468
	era := timeFloorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

func timeDaysIn(y int64, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func timeFloorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func timeFloorMod(a, b int64) int64 { return a - timeFloorDiv(a, b)*b }

// timeGoLayout returns layout as a Go reference layout: a Spark/Java pattern
// (recognised by a doubled pattern letter such as yy, MM, dd, HH, mm or ss)
// is translated, anything else is taken to be a Go layout already.
func timeGoLayout(layout string) (string, error) {
	for _, p := range []string{"yy", "MM", "dd", "HH", "hh", "mm", "ss", "SS"} {
		if strings.Contains(layout, p) {
			return timeJavaLayout(layout)
		}
	}
	return layout, nil
}

// timeJavaLayout translates a Java DateTimeFormatter pattern to a Go layout.
func timeJavaLayout(p string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(p); {
		c := p[i]
		if c == '\'' {
			j := strings.IndexByte(p[i+1:], '\'')
			if j < 0 {
				return "", fmt.Errorf("pattern %q: unterminated quote", p)
			}
			if j == 0 {
				b.WriteByte('\'')
			}
			b.WriteString(p[i+1 : i+1+j])
			i += j + 2
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b.WriteByte(c)
			i++
			continue
		}
		n := 1
		for i+n < len(p) && p[i+n] == c {
			n++
		}
		tok, ok := timeJavaToken(c, n)
		if !ok {
			return "", fmt.Errorf("pattern %q: unsupported letters %q", p, p[i:i+n])
		}
		b.WriteString(tok)
		i += n
	}
	return b.String(), nil
}

func timeJavaToken(c byte, n int) (string, bool) {
	pick := func(opts ...string) (string, bool) { return opts[min(n, len(opts))-1], true }
	switch c {
	case 'y', 'u':
		if n == 2 {
			return "06", true
		}
		return "2006", true
	case 'M', 'L':
		return pick("1", "01", "Jan", "January")
	case 'd':
		return pick("2", "02")
	case 'D':
		return "002", true
	case 'H', 'k':
		return "15", true
	case 'h', 'K':
		return pick("3", "03")
	case 'm':
		return pick("4", "04")
	case 's':
		return pick("5", "05")
	case 'S':
		return strings.Repeat("0", n), true
	case 'a':
		return "PM", true
	case 'E':
		return pick("Mon", "Mon", "Mon", "Monday")
	case 'z':
		return "MST", true
	case 'Z':
		return "-0700", true
	case 'X':
		return pick("Z07", "Z0700", "Z07:00")
	case 'x':
		return pick("-07", "-0700", "-07:00")
	}
	return "", false
}

// DateTruncExpr is date_trunc(unit, ts): ts rounded down to the start of its
// year, quarter, month, week (Monday), day, hour, minute, second, millisecond
// or microsecond, in UTC.
type DateTruncExpr struct {
	Unit string // as given; matched case-insensitively
	TS   Expr

	unit truncUnit
}

type truncUnit int

const (
	truncBad truncUnit = iota
	truncYear
	truncQuarter
	truncMonth
	truncWeek
	truncDay
	truncHour
	truncMinute
	truncSecond
	truncMilli
	truncMicro
)

// DateTrunc is date_trunc(unit, ts). Units are Spark's: year (yyyy, yy),
// quarter, month (mon, mm), week, day (dd), hour, minute, second,
// millisecond, microsecond. A timestamp keeps its type; a string is parsed
// as to_timestamp does and a date32 taken at midnight, giving
// timestamp[us, UTC].
func DateTrunc(unit string, ts Expr) *DateTruncExpr {
	u := truncBad
	switch strings.ToLower(unit) {
	case "year", "yyyy", "yy":
		u = truncYear
	case "quarter":
		u = truncQuarter
	case "month", "mon", "mm":
		u = truncMonth
	case "week":
		u = truncWeek
	case "day", "dd":
		u = truncDay
	case "hour":
		u = truncHour
	case "minute":
		u = truncMinute
	case "second":
		u = truncSecond
	case "millisecond":
		u = truncMilli
	case "microsecond":
		u = truncMicro
	}
	return &DateTruncExpr{Unit: unit, TS: ts, unit: u}
}

func (e *DateTruncExpr) String() string {
	return fmt.Sprintf("date_trunc(%s, %s)", strconv.Quote(e.Unit), e.TS)
}
func (e *DateTruncExpr) Children() []Expr { return []Expr{e.TS} }
func (e *DateTruncExpr) WithChildren(c []Expr) Expr {
	n := *e
	n.TS = c[0]
	return &n
}

func (e *DateTruncExpr) Type(s *arrow.Schema) (arrow.DataType, error) {
	if e.unit == truncBad {
		return nil, &TypeError{Expr: e.String(), Msg: "unknown unit " + strconv.Quote(e.Unit)}
	}
	t, err := e.TS.Type(s)
	if err != nil {
		return nil, err
	}
	switch t.ID() {
	case arrow.TIMESTAMP:
		return t, nil
	case arrow.STRING, arrow.LARGE_STRING, arrow.DATE32, arrow.NULL:
		return TimestampUTC, nil
	}
	return nil, &TypeError{Expr: e.String(), Types: []arrow.DataType{t}, Msg: "date_trunc needs a timestamp"}
}

func (e *DateTruncExpr) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	t, err := e.Type(rec.Schema())
	if err != nil {
		return nil, err
	}
	var in *array.Timestamp
	if t0, _ := e.TS.Type(rec.Schema()); t0.ID() == arrow.TIMESTAMP {
		a, err := e.TS.Eval(ctx, rec)
		if err != nil {
			return nil, err
		}
		in = a.(*array.Timestamp)
	} else {
		a, err := timeEvalMicros(ctx, e.TS, rec, "")
		if err != nil {
			return nil, err
		}
		in = a.(*array.Timestamp)
	}
	defer in.Release()
	tt := t.(*arrow.TimestampType)
	buf := memory.NewResizableBuffer(ctx.Mem)
	defer buf.Release()
	buf.Resize(in.Len() * arrow.Int64SizeBytes)
	out := arrow.Int64Traits.CastFromBytes(buf.Bytes())
	timeTrunc(arrow.Int64Traits.CastFromBytes(arrow.TimestampTraits.CastToBytes(in.Values())), out, e.unit, timePerSecond(tt.Unit))
	valid, nulls := strValidity(ctx.Mem, in)
	if valid != nil {
		defer valid.Release()
	}
	d := array.NewData(t, in.Len(), []*memory.Buffer{valid, buf}, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d), nil
}

// timePerSecond is the number of ticks of unit u in one second.
func timePerSecond(u arrow.TimeUnit) int64 {
	return int64(time.Second / u.Multiplier())
}

// timeTrunc truncates timestamps of f ticks per second to unit u.
func timeTrunc(in, out []int64, u truncUnit, f int64) {
	var step int64
	switch u {
	case truncDay:
		step = 86400 * f
	case truncHour:
		step = 3600 * f
	case truncMinute:
		step = 60 * f
	case truncSecond:
		step = f
	case truncMilli:
		step = max(f/1000, 1)
	case truncMicro:
		step = max(f/1000000, 1)
	}
	if step > 0 {
		for i, v := range in {
			out[i] = v - timeFloorMod(v, step)
		}
		return
	}
	day := 86400 * f
	for i, v := range in {
		days := timeFloorDiv(v, day)
		switch u {
		case truncWeek:
			days -= timeFloorMod(days+3, 7) // 1970-01-01 was a Thursday
		default:
			y, m, _ := timeCivilFromDays(days)
			switch u {
			case truncYear:
				m = 1
			case truncQuarter:
				m = (m-1)/3*3 + 1
			}
			days = timeDaysFromCivil(y, m, 1)
		}
		out[i] = days * day
	}
}
