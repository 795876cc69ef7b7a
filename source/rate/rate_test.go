package rate

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/source"
)

func checkedMem(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// clock is a settable wall clock.
type clock struct{ ms int64 }

func (c *clock) now() time.Time { return time.UnixMilli(c.ms) }

func newSource(t *testing.T, rate int64, c *clock) *Source {
	t.Helper()
	s, err := New(Options{RowsPerSecond: rate, Now: c.now, BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rows renders (start, end] as "value@ms" pairs, one record per line.
func rows(t *testing.T, s *Source, mem memory.Allocator, start, end string) string {
	t.Helper()
	var so source.Offset
	if start != "" {
		so = source.Offset(start)
	}
	r, err := s.Read(context.Background(), so, source.Offset(end), mem)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Schema().Equal(Schema) {
		t.Fatalf("schema %s", r.Schema())
	}
	recs, err := batch.ReadAll(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	defer batch.Release(recs)
	var lines []string
	for _, rec := range recs {
		ts := rec.Column(0).(*array.Timestamp).Values()
		vs := rec.Column(1).(*array.Int64).Int64Values()
		var parts []string
		for i := range vs {
			if ts[i]%1000 != 0 {
				t.Fatalf("timestamp %d µs is not whole ms", ts[i])
			}
			parts = append(parts, fmt.Sprintf("%d@%d", vs[i], int64(ts[i])/1000))
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	return strings.Join(lines, "\n")
}

func TestExactRows(t *testing.T) {
	mem := checkedMem(t)
	s := newSource(t, 3, &clock{})
	for _, c := range []struct{ start, end, want string }{
		{"", `{"value":1,"startMs":1000}`, "0@1000"},
		{"", `{"value":7,"startMs":1000}`, "0@1000 1@1333 2@1666 3@2000\n4@2333 5@2666 6@3000"},
		{`{"value":5,"startMs":1000}`, `{"value":7,"startMs":1000}`, "5@2666 6@3000"},
		{`{"value":7,"startMs":1000}`, `{"value":7,"startMs":1000}`, ""},
		{`{"value":3000000000,"startMs":0}`, `{"value":3000000002,"startMs":0}`, "3000000000@1000000000000 3000000001@1000000000333"},
	} {
		for i := 0; i < 2; i++ { // replay: the same rows
			if got := rows(t, s, mem, c.start, c.end); got != c.want {
				t.Errorf("read (%s, %s] = %q, want %q", c.start, c.end, got, c.want)
			}
		}
	}
	// A new source (a restart) reads the same rows for the same offsets.
	s2 := newSource(t, 3, &clock{ms: 99999})
	if got := rows(t, s2, mem, `{"value":5,"startMs":1000}`, `{"value":7,"startMs":1000}`); got != "5@2666 6@3000" {
		t.Errorf("after restart: %q", got)
	}
}

func TestLatest(t *testing.T) {
	c := &clock{ms: 5000}
	s := newSource(t, 2, c)
	ctx := context.Background()
	step := func(start string, max int64) string {
		t.Helper()
		var so source.Offset
		if start != "" {
			so = source.Offset(start)
		}
		end, err := s.Latest(ctx, so, source.ReadLimit{MaxRows: max})
		if err != nil {
			t.Fatal(err)
		}
		return string(end)
	}
	// First call: the start is now; row 0 (at 5000) is due.
	if got := step("", 0); got != `{"value":1,"startMs":5000}` {
		t.Fatalf("first latest = %s", got)
	}
	c.ms = 5499 // row 1 is at 5500
	if got := step(`{"value":1,"startMs":5000}`, 0); got != `{"value":1,"startMs":5000}` {
		t.Fatalf("nothing due: %s, want the start", got)
	}
	c.ms = 5500
	if got := step(`{"value":1,"startMs":5000}`, 0); got != `{"value":2,"startMs":5000}` {
		t.Fatalf("at 5500: %s", got)
	}
	c.ms = 15000 // rows 0 … 20 due
	if got := step(`{"value":2,"startMs":5000}`, 0); got != `{"value":21,"startMs":5000}` {
		t.Fatalf("at 15000: %s", got)
	}
	if got := step(`{"value":2,"startMs":5000}`, 5); got != `{"value":7,"startMs":5000}` {
		t.Fatalf("maxRows 5: %s", got)
	}
	c.ms = 1000 // the clock went back: nothing new
	if got := step(`{"value":21,"startMs":5000}`, 0); got != `{"value":21,"startMs":5000}` {
		t.Fatalf("clock back: %s", got)
	}
	for _, bad := range []string{`{"value":1}`, `{"value":-1,"startMs":0}`, `{"value":1,"startMs":0,"x":1}`, `7`, `{"value":"1","startMs":0}`} {
		if _, err := s.Latest(ctx, source.Offset(bad), source.ReadLimit{}); err == nil {
			t.Errorf("latest(%s): no error", bad)
		}
	}
}

func TestReadErrors(t *testing.T) {
	s := newSource(t, 1, &clock{})
	ctx := context.Background()
	for _, c := range []struct{ start, end, want string }{
		{`{"value":1,"startMs":0}`, `{"value":2,"startMs":1}`, "different start times"},
		{`{"value":3,"startMs":0}`, `{"value":2,"startMs":0}`, "end before start"},
		{`{"value":1,"startMs":0}`, `nope`, "offset"},
	} {
		_, err := s.Read(ctx, source.Offset(c.start), source.Offset(c.end), memory.DefaultAllocator)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("read (%s, %s]: %v, want %q", c.start, c.end, err, c.want)
		}
	}
}

func TestReaderCloseEarly(t *testing.T) {
	mem := checkedMem(t)
	s := newSource(t, 1, &clock{})
	r, err := s.Read(context.Background(), nil, source.Offset(`{"value":100,"startMs":0}`), mem)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := r.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	r.Close()
	if _, err := r.Next(context.Background()); err == nil {
		t.Fatal("Next after Close: no error")
	}
}

func TestDueRows(t *testing.T) {
	for _, c := range []struct{ elapsed, rate, want int64 }{
		{-1, 5, 0},
		{0, 1, 1},
		{999, 1, 1},
		{1000, 1, 2},
		{0, 1000, 1},
		{1, 1000, 2},
		{0, 3000, 3},
		{1000, 3, 4}, // rows 0..3 at 0, 333, 666, 1000
		{999, 3, 3},
		{math.MaxInt64, MaxRowsPerSecond, math.MaxInt64},
	} {
		if got := dueRows(c.elapsed, c.rate); got != c.want {
			t.Errorf("dueRows(%d, %d) = %d, want %d", c.elapsed, c.rate, got, c.want)
		}
	}
	// dueRows agrees with timestampMs: row n-1 is due, row n is not.
	for _, rate := range []int64{1, 3, 7, 1000, 1001, 123456} {
		for elapsed := int64(0); elapsed < 3000; elapsed += 37 {
			n := dueRows(elapsed, rate)
			if timestampMs(0, n-1, rate) > elapsed || timestampMs(0, n, rate) <= elapsed {
				t.Fatalf("rate %d elapsed %d: dueRows %d disagrees with timestamps", rate, elapsed, n)
			}
		}
	}
}

func TestFactory(t *testing.T) {
	ctx := context.Background()
	src, err := source.Open(ctx, Name, map[string]string{"rowspersecond": "10", "numPartitions": "4", "rampUpTime": "0s"})
	if err != nil {
		t.Fatal(err)
	}
	if got := src.(*Source).opts.RowsPerSecond; got != 10 {
		t.Fatalf("rowsPerSecond = %d", got)
	}
	if !src.Schema().Equal(Schema) {
		t.Fatal("schema")
	}
	for _, c := range []struct {
		opts map[string]string
		want string
	}{
		{map[string]string{"rowsPerSecond": "0"}, `option "rowsPerSecond": "0" is not a positive integer`},
		{map[string]string{"rowsPerSecond": "x"}, `option "rowsPerSecond"`},
		{map[string]string{"rampUpTime": "5s"}, `option "rampUpTime": "5s": ramping up is not supported`},
		{map[string]string{"numPartitions": "-1"}, `option "numPartitions"`},
		{map[string]string{"speed": "1"}, `unknown option "speed"`},
		{map[string]string{"rowsPerSecond": "1", "ROWSPERSECOND": "2"}, `option "rowsPerSecond" given twice`},
	} {
		if _, err := source.Open(ctx, Name, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("open %v: %v, want %q", c.opts, err, c.want)
		}
	}
	if _, err := New(Options{RowsPerSecond: -1}); err == nil {
		t.Error("negative rate: no error")
	}
}
