package expr

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// WindowColumn is the name Spark gives the output of window(...).
const WindowColumn = "window"

// TimeWindow is window(ts, size[, slide[, startOffset]]): the event-time
// windows [start, end) a row belongs to, as struct<start, end> of ts's
// timestamp type. Windows start at s ≡ startOffset (mod slide), floor
// arithmetic, so negative timestamps bucket like positive ones; a row belongs
// to every window with s ≤ ts < s+size. A tumbling window (slide == size)
// gives one window per row and is evaluated here; a sliding window gives up
// to ceil(size/slide) per row, so the Window operator expands rows with
// WindowBuckets instead of calling Eval. Spark drops rows whose ts is NULL;
// Eval leaves them NULL and WindowBuckets gives them no window.
type TimeWindow struct {
	TS          Expr
	Size        time.Duration
	Slide       time.Duration // == Size for a tumbling window
	StartOffset time.Duration
}

// Window is window(ts, size, slide, startOffset) named "window", as Spark
// names it. slide 0 means size (a tumbling window).
func Window(ts Expr, size, slide, startOffset time.Duration) *Alias {
	if slide == 0 {
		slide = size
	}
	return As(&TimeWindow{TS: ts, Size: size, Slide: slide, StartOffset: startOffset}, WindowColumn)
}

// Tumbling reports whether every row falls into exactly one window.
func (w *TimeWindow) Tumbling() bool { return w.Slide == w.Size }

func (w *TimeWindow) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "window(%s, %s", w.TS, winInterval(w.Size))
	if !w.Tumbling() || w.StartOffset != 0 {
		fmt.Fprintf(&b, ", %s", winInterval(w.Slide))
	}
	if w.StartOffset != 0 {
		fmt.Fprintf(&b, ", %s", winInterval(w.StartOffset))
	}
	b.WriteByte(')')
	return b.String()
}

// winInterval renders d as a Spark interval string such as '10 seconds'.
func winInterval(d time.Duration) string {
	units := []struct {
		d    time.Duration
		name string
	}{
		{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"},
		{time.Millisecond, "millisecond"}, {time.Microsecond, "microsecond"}, {time.Nanosecond, "nanosecond"},
	}
	for _, u := range units {
		if d%u.d == 0 {
			n := int64(d / u.d)
			name := u.name
			if n != 1 && n != -1 {
				name += "s"
			}
			return "'" + strconv.FormatInt(n, 10) + " " + name + "'"
		}
	}
	return "'0 seconds'"
}

func (w *TimeWindow) Children() []Expr { return []Expr{w.TS} }
func (w *TimeWindow) WithChildren(c []Expr) Expr {
	n := *w
	n.TS = c[0]
	return &n
}

// WindowType is the type of window(ts, ...) for a ts of type tsType.
func WindowType(tsType arrow.DataType) *arrow.StructType {
	return arrow.StructOf(
		arrow.Field{Name: "start", Type: tsType, Nullable: true},
		arrow.Field{Name: "end", Type: tsType, Nullable: true},
	)
}

// Type is struct<start, end> of ts's timestamp type.
func (w *TimeWindow) Type(s *arrow.Schema) (arrow.DataType, error) {
	t, err := w.TS.Type(s)
	if err != nil {
		return nil, err
	}
	tt, ok := t.(*arrow.TimestampType)
	if !ok {
		return nil, &TypeError{Expr: w.String(), Types: []arrow.DataType{t}, Msg: "window needs a timestamp"}
	}
	if _, _, _, err := winTicks(tt.Unit, w.Size, w.Slide, w.StartOffset); err != nil {
		return nil, &TypeError{Expr: w.String(), Types: []arrow.DataType{t}, Msg: err.Error()}
	}
	return WindowType(t), nil
}

// winTicks validates a window's durations and converts them to ticks of u.
func winTicks(u arrow.TimeUnit, size, slide, offset time.Duration) (sz, sl, off int64, err error) {
	switch {
	case size <= 0:
		return 0, 0, 0, fmt.Errorf("window size %v must be positive", size)
	case slide <= 0 || slide > size:
		return 0, 0, 0, fmt.Errorf("slide %v must be positive and at most the window size %v", slide, size)
	}
	tick := u.Multiplier()
	for _, d := range []time.Duration{size, slide, offset} {
		if d%tick != 0 {
			return 0, 0, 0, fmt.Errorf("duration %v is finer than the timestamps' unit %s", d, u)
		}
	}
	return int64(size / tick), int64(slide / tick), int64(offset / tick), nil
}

// Eval computes the window of every row of a tumbling window; it is an error
// for a sliding window.
func (w *TimeWindow) Eval(ctx *Context, rec arrow.RecordBatch) (arrow.Array, error) {
	t, err := w.Type(rec.Schema())
	if err != nil {
		return nil, err
	}
	if !w.Tumbling() {
		return nil, fmt.Errorf("%s is a sliding window: rows expand with WindowBuckets in the Window operator", w)
	}
	a, err := w.TS.Eval(ctx, rec)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	ts := a.(*array.Timestamp)
	size, slide, off, _ := winTicks(ts.DataType().(*arrow.TimestampType).Unit, w.Size, w.Slide, w.StartOffset)
	n := ts.Len()
	startBuf := memory.NewResizableBuffer(ctx.Mem)
	defer startBuf.Release()
	startBuf.Resize(n * arrow.Int64SizeBytes)
	starts := arrow.Int64Traits.CastFromBytes(startBuf.Bytes())
	for i, v := range ts.Values() {
		r := (int64(v) - off) % slide
		if r < 0 {
			r += slide
		}
		starts[i] = int64(v) - r
	}
	valid, nulls := strValidity(ctx.Mem, ts)
	if valid != nil {
		defer valid.Release()
	}
	return winStruct(ctx.Mem, t.(*arrow.StructType), startBuf, size, valid, nulls), nil
}

// winStruct builds the struct<start, end> array whose starts are in
// startBuf (which it retains) and ends are start+size.
func winStruct(mem memory.Allocator, t *arrow.StructType, startBuf *memory.Buffer, size int64, valid *memory.Buffer, nulls int) arrow.Array {
	starts := arrow.Int64Traits.CastFromBytes(startBuf.Bytes())
	n := len(starts)
	endBuf := memory.NewResizableBuffer(mem)
	defer endBuf.Release()
	endBuf.Resize(n * arrow.Int64SizeBytes)
	ends := arrow.Int64Traits.CastFromBytes(endBuf.Bytes())
	for i, s := range starts {
		ends[i] = s + size
	}
	ts := t.Field(0).Type
	sd := array.NewData(ts, n, []*memory.Buffer{nil, startBuf}, nil, 0, 0)
	defer sd.Release()
	ed := array.NewData(ts, n, []*memory.Buffer{nil, endBuf}, nil, 0, 0)
	defer ed.Release()
	d := array.NewData(t, n, []*memory.Buffer{valid}, []arrow.ArrayData{sd, ed}, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// WindowBuckets returns every window each row of ts belongs to: window k
// starts at starts[k] (in ts's unit) and holds row parents[k]. Windows start
// at s ≡ offset (mod slide) with s ≤ ts < s+size; each row's windows come
// latest start first, as Spark's Expand produces them. NULL rows belong to no
// window. ts must be a timestamp array; the durations must be whole ticks of
// its unit, positive, with slide ≤ size.
func WindowBuckets(ts arrow.Array, size, slide, offset time.Duration) (starts []int64, parents []int32, err error) {
	tsa, ok := ts.(*array.Timestamp)
	if !ok {
		return nil, nil, &TypeError{Expr: "window", Types: []arrow.DataType{ts.DataType()}, Msg: "window needs a timestamp"}
	}
	sz, sl, off, err := winTicks(tsa.DataType().(*arrow.TimestampType).Unit, size, slide, offset)
	if err != nil {
		return nil, nil, err
	}
	perRow := int((sz + sl - 1) / sl)
	live := tsa.Len() - tsa.NullN()
	starts = make([]int64, 0, live*perRow)
	parents = make([]int32, 0, live*perRow)
	var valid []byte
	if tsa.NullN() > 0 {
		valid = tsa.NullBitmapBytes()
	}
	voff := tsa.Data().Offset()
	for i, t := range tsa.Values() {
		if valid != nil && !bitutil.BitIsSet(valid, voff+i) {
			continue
		}
		v := int64(t)
		r := (v - off) % sl
		if r < 0 {
			r += sl
		}
		for s := v - r; s > v-sz; s -= sl {
			starts = append(starts, s)
			parents = append(parents, int32(i))
		}
	}
	return starts, parents, nil
}

// WindowArray builds the window column for windows starting at starts (in
// the unit of tsType, a timestamp type) of the given size: the column the
// Window operator appends after expanding rows with WindowBuckets. The caller
// releases it.
func WindowArray(mem memory.Allocator, tsType arrow.DataType, starts []int64, size time.Duration) (arrow.Array, error) {
	tt, ok := tsType.(*arrow.TimestampType)
	if !ok {
		return nil, &TypeError{Expr: "window", Types: []arrow.DataType{tsType}, Msg: "window needs a timestamp"}
	}
	sz, _, _, err := winTicks(tt.Unit, size, size, 0)
	if err != nil {
		return nil, err
	}
	buf := memory.NewResizableBuffer(mem)
	defer buf.Release()
	buf.Resize(len(starts) * arrow.Int64SizeBytes)
	copy(arrow.Int64Traits.CastFromBytes(buf.Bytes()), starts)
	return winStruct(mem, WindowType(tsType), buf, sz, nil, 0), nil
}
