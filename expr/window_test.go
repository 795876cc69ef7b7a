package expr

import (
	"context"
	"math/rand"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// sxTimestamps builds a timestamp array of unit u; valid[i] false is NULL.
func sxTimestamps(mem memory.Allocator, u arrow.TimeUnit, vals []int64, valid []bool) arrow.Array {
	b := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: u, TimeZone: "UTC"})
	defer b.Release()
	for i, v := range vals {
		if valid != nil && !valid[i] {
			b.AppendNull()
		} else {
			b.Append(arrow.Timestamp(v))
		}
	}
	return b.NewArray()
}

func TestTumblingWindow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := int64(time.Second / time.Microsecond)
	ts := []int64{0, 4*s + 999999, 5 * s, -1, -5 * s, -5*s - 1, 12 * s, 0}
	valid := []bool{true, true, true, true, true, true, true, false}
	rec := sxRecord(sxTimestamps(mem, arrow.Microsecond, ts, valid))
	defer rec.Release()
	for _, c := range []struct {
		off   time.Duration
		start []int64
	}{
		{0, []int64{0, 0, 5 * s, -5 * s, -5 * s, -10 * s, 10 * s}},
		{2 * time.Second, []int64{-3 * s, 2 * s, 2 * s, -3 * s, -8 * s, -8 * s, 12 * s}},
		{-3 * time.Second, []int64{-3 * s, 2 * s, 2 * s, -3 * s, -8 * s, -8 * s, 12 * s}},
	} {
		w := Window(Col("c0"), 5*time.Second, 0, c.off)
		if OutputName(w) != "window" {
			t.Errorf("output name %q", OutputName(w))
		}
		out := sxEval(t, mem, w, rec)
		want := make([]any, len(ts))
		for i, st := range c.start {
			want[i] = []any{st, st + 5*s}
		}
		if got := sxValues(out); !reflect.DeepEqual(got, want) {
			t.Errorf("offset %v: got %v, want %v", c.off, got, want)
		}
		st := out.DataType().(*arrow.StructType)
		if st.Field(0).Name != "start" || st.Field(1).Name != "end" || !arrow.TypeEqual(st.Field(0).Type, rec.Schema().Field(0).Type) {
			t.Errorf("window type %s", st)
		}
		out.Release()
	}
}

func TestSlidingWindowEvalIsAnError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := sxRecord(sxTimestamps(mem, arrow.Microsecond, []int64{1}, nil))
	defer rec.Release()
	w := Window(Col("c0"), 10*time.Second, 5*time.Second, 0)
	if _, err := w.Type(rec.Schema()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Eval(NewContext(context.Background(), mem), rec); err == nil {
		t.Error("sliding window Eval: no error")
	}
}

// sxBuckets is the definition: every s ≡ off (mod slide) with s ≤ ts < s+size,
// latest first.
func sxBuckets(ts []int64, valid []bool, size, slide, off int64) ([]int64, []int32) {
	var starts []int64
	var parents []int32
	for i, v := range ts {
		if valid != nil && !valid[i] {
			continue
		}
		for s := v + size; s >= v-size; s-- { // brute force over candidate starts
			if s <= v && v < s+size && ((s-off)%slide+slide)%slide == 0 {
				starts = append(starts, s)
				parents = append(parents, int32(i))
			}
		}
	}
	return starts, parents
}

func TestWindowBuckets(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewSource(3))
	for _, c := range []struct{ size, slide, off int64 }{
		{10, 5, 0}, {10, 3, 0}, {10, 3, 1}, {10, 10, 4}, {7, 2, -1}, {12, 4, 13}, {5, 5, 0}, {9, 1, 0},
	} {
		n := 300
		ts := make([]int64, n)
		valid := make([]bool, n)
		for i := range ts {
			ts[i] = rng.Int63n(200) - 100
			valid[i] = rng.Intn(8) != 0
		}
		full := sxTimestamps(mem, arrow.Second, ts, valid)
		arr := array.NewSlice(full, 10, int64(n)) // sliced: offsets must be honoured
		full.Release()
		d := func(x int64) time.Duration { return time.Duration(x) * time.Second }
		starts, parents, err := WindowBuckets(arr, d(c.size), d(c.slide), d(c.off))
		if err != nil {
			t.Fatal(err)
		}
		ws, wp := sxBuckets(ts[10:], valid[10:], c.size, c.slide, c.off)
		if !reflect.DeepEqual(starts, ws) || !reflect.DeepEqual(parents, wp) {
			t.Errorf("%+v: got %v %v\nwant %v %v", c, starts, parents, ws, wp)
		}
		if c.size%c.slide == 0 {
			per := c.size / c.slide
			if int64(len(starts)) != per*int64(arr.Len()-arr.NullN()) {
				t.Errorf("%+v: %d windows for %d rows", c, len(starts), arr.Len()-arr.NullN())
			}
		}
		if len(starts) > 0 {
			wa, err := WindowArray(mem, arr.DataType(), starts, d(c.size))
			if err != nil {
				t.Fatal(err)
			}
			got := sxValues(wa)
			if got[0].([]any)[0] != starts[0] || got[0].([]any)[1] != starts[0]+c.size || wa.Len() != len(starts) {
				t.Errorf("WindowArray: %v", got[0])
			}
			wa.Release()
		}
		arr.Release()
	}
}

func TestWindowBucketsErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ts := sxTimestamps(mem, arrow.Millisecond, []int64{1}, nil)
	defer ts.Release()
	str := sxStrings(mem, "x")
	defer str.Release()
	for _, c := range []struct {
		a                 arrow.Array
		size, slide, offs time.Duration
	}{
		{str, time.Second, time.Second, 0},
		{ts, 0, time.Second, 0},
		{ts, time.Second, 2 * time.Second, 0},
		{ts, time.Second, time.Microsecond, 0},
		{ts, time.Second, time.Second, time.Microsecond},
	} {
		if _, _, err := WindowBuckets(c.a, c.size, c.slide, c.offs); err == nil {
			t.Errorf("%s %v %v %v: no error", c.a.DataType(), c.size, c.slide, c.offs)
		}
	}
	if _, err := WindowArray(mem, arrow.BinaryTypes.String, nil, time.Second); err == nil {
		t.Error("WindowArray of a string type: no error")
	}
}

func BenchmarkWindowBuckets(b *testing.B) {
	mem := memory.NewGoAllocator()
	vals := make([]int64, 64<<10)
	for i := range vals {
		vals[i] = int64(i) * 1000
	}
	ts := sxTimestamps(mem, arrow.Microsecond, vals, nil)
	defer ts.Release()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := WindowBuckets(ts, 10*time.Second, 5*time.Second, 0); err != nil {
			b.Fatal(err)
		}
	}
}
