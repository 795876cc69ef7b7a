package memory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/source"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var schema = arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)

func checkedMem(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// ints builds a record of the values vs; the caller releases it.
func ints(mem memory.Allocator, vs ...int64) arrow.RecordBatch {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.AppendValues(vs, nil)
	col := b.NewArray()
	defer col.Release()
	return array.NewRecordBatch(schema, []arrow.Array{col}, int64(len(vs)))
}

// add builds one record per group of values, adds them, and releases the
// test's references.
func add(t *testing.T, s *Stream, mem memory.Allocator, groups ...[]int64) source.Offset {
	t.Helper()
	recs := make([]arrow.RecordBatch, len(groups))
	for i, g := range groups {
		recs[i] = ints(mem, g...)
	}
	defer batch.Release(recs)
	end, err := s.AddData(recs...)
	if err != nil {
		t.Fatal(err)
	}
	return end
}

// read renders (start, end] as "[1 2] [3]".
func read(t *testing.T, s *Stream, start, end source.Offset) string {
	t.Helper()
	out, err := readErr(s, start, end)
	if err != nil {
		t.Fatalf("read (%s, %s]: %v", start, end, err)
	}
	return out
}

func readErr(s *Stream, start, end source.Offset) (string, error) {
	r, err := s.Read(context.Background(), start, end, memory.DefaultAllocator)
	if err != nil {
		return "", err
	}
	recs, err := batch.ReadAll(context.Background(), r)
	if err != nil {
		return "", err
	}
	defer batch.Release(recs)
	var parts []string
	for _, rec := range recs {
		parts = append(parts, fmt.Sprint(rec.Column(0).(*array.Int64).Int64Values()))
	}
	return strings.Join(parts, " "), nil
}

func latest(t *testing.T, s *Stream, start source.Offset, maxRows int64) string {
	t.Helper()
	end, err := s.Latest(context.Background(), start, source.ReadLimit{MaxRows: maxRows})
	if err != nil {
		t.Fatal(err)
	}
	if end == nil {
		return "nil"
	}
	return string(end)
}

func TestOffsetsAndReplay(t *testing.T) {
	mem := checkedMem(t)
	s := New(schema)
	defer s.Release()
	if got := latest(t, s, nil, 0); got != "nil" {
		t.Fatalf("latest of an empty stream = %s, want nil (the start)", got)
	}
	if got := add(t, s, mem, []int64{1, 2}, []int64{3}); string(got) != "2" {
		t.Fatalf("AddData = %s, want 2", got)
	}
	if got := add(t, s, mem, []int64{}); string(got) != "3" {
		t.Fatalf("AddData(empty record) = %s, want 3", got)
	}
	if got := latest(t, s, nil, 0); got != "3" {
		t.Fatalf("latest = %s", got)
	}
	if got := latest(t, s, source.Offset("3"), 0); got != "3" {
		t.Fatalf("latest at the end = %s, want the start", got)
	}
	for i := 0; i < 2; i++ { // the same range twice: the same records
		if got := read(t, s, nil, source.Offset("2")); got != "[1 2] [3]" {
			t.Fatalf("read (nil, 2] = %q", got)
		}
		if got := read(t, s, source.Offset("1"), source.Offset("3")); got != "[3] []" {
			t.Fatalf("read (1, 3] = %q", got)
		}
		if got := read(t, s, source.Offset("3"), source.Offset("3")); got != "" {
			t.Fatalf("read (3, 3] = %q", got)
		}
	}
}

func TestMaxRows(t *testing.T) {
	mem := checkedMem(t)
	s := New(schema)
	defer s.Release()
	add(t, s, mem, []int64{1, 2}, []int64{3, 4, 5}, []int64{6}, []int64{7, 8, 9, 10})
	for _, c := range []struct {
		start   source.Offset
		maxRows int64
		want    string
	}{
		{nil, 0, "4"},
		{nil, 1, "1"}, // a record larger than the limit is taken whole
		{nil, 2, "1"},
		{nil, 5, "2"},
		{nil, 6, "3"},
		{source.Offset("1"), 3, "2"},
		{source.Offset("1"), 4, "3"},
		{source.Offset("3"), 1, "4"},
		{source.Offset("4"), 1, "4"},
	} {
		if got := latest(t, s, c.start, c.maxRows); got != c.want {
			t.Errorf("latest(%s, maxRows %d) = %s, want %s", c.start, c.maxRows, got, c.want)
		}
	}
}

func TestCommitDrops(t *testing.T) {
	mem := checkedMem(t)
	s := New(schema)
	defer s.Release()
	add(t, s, mem, []int64{1}, []int64{2}, []int64{3})
	ctx := context.Background()
	if err := s.Commit(ctx, source.Offset("2")); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, source.Offset("1")); err != nil { // older: no-op
		t.Fatal(err)
	}
	if got := read(t, s, source.Offset("2"), source.Offset("3")); got != "[3]" {
		t.Fatalf("read after commit = %q", got)
	}
	_, err := readErr(s, source.Offset("1"), source.Offset("3"))
	if !errors.Is(err, ErrCommitted) || !strings.Contains(err.Error(), "committed") {
		t.Fatalf("read of a committed range: %v, want ErrCommitted", err)
	}
	if _, err := s.Latest(ctx, nil, source.ReadLimit{}); !errors.Is(err, ErrCommitted) {
		t.Fatalf("latest from a committed offset: %v", err)
	}
	if err := s.Commit(ctx, source.Offset("9")); err == nil {
		t.Fatal("commit beyond the end: no error")
	}
	if got := add(t, s, mem, []int64{4}); string(got) != "4" {
		t.Fatalf("AddData after commit = %s, want 4", got)
	}
	if got := latest(t, s, source.Offset("2"), 0); got != "4" {
		t.Fatalf("latest = %s", got)
	}
}

func TestBadInput(t *testing.T) {
	mem := checkedMem(t)
	s := New(schema)
	defer s.Release()
	add(t, s, mem, []int64{1})
	ctx := context.Background()
	for _, o := range []string{"-1", "01", " 1", "1.0", `"1"`, "{}", ""} {
		if _, err := s.Latest(ctx, source.Offset(o), source.ReadLimit{}); err == nil {
			t.Errorf("latest(%q): no error", o)
		}
	}
	if _, err := readErr(s, nil, source.Offset("2")); err == nil || !strings.Contains(err.Error(), "beyond") {
		t.Errorf("read beyond the end: %v", err)
	}
	if _, err := readErr(s, source.Offset("1"), nil); err == nil {
		t.Errorf("read with end before start: no error")
	}
	other := arrow.NewSchema([]arrow.Field{{Name: "w", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewInt64Builder(mem)
	defer b.Release()
	col := b.NewArray()
	defer col.Release()
	rec := array.NewRecordBatch(other, []arrow.Array{col}, 0)
	defer rec.Release()
	if _, err := s.AddData(rec); err == nil || !strings.Contains(err.Error(), "column 0") {
		t.Errorf("AddData of another schema: %v", err)
	}
	if _, err := s.AddData(nil); err == nil {
		t.Errorf("AddData(nil): no error")
	}
	if got := latest(t, s, nil, 0); got != "1" {
		t.Errorf("a failed AddData added something: latest = %s", got)
	}
}

func TestReleaseAndClose(t *testing.T) {
	mem := checkedMem(t)
	s := New(schema)
	add(t, s, mem, []int64{1})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, s, nil, source.Offset("1")); got != "[1]" { // Close keeps the data
		t.Fatalf("read after Close = %q", got)
	}
	s.Release()
	s.Release()
	if _, err := readErr(s, nil, source.Offset("1")); !errors.Is(err, ErrReleased) {
		t.Fatalf("read after Release: %v", err)
	}
	rec := ints(mem, 2)
	defer rec.Release()
	if _, err := s.AddData(rec); !errors.Is(err, ErrReleased) {
		t.Fatalf("AddData after Release: %v", err)
	}
}

// TestConcurrent runs one writer against a reader that plays the engine:
// every batch it reads is exactly the records between its offsets.
func TestConcurrent(t *testing.T) {
	mem := checkedMem(t)
	s := New(schema)
	defer s.Release()
	const n = 200
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := int64(0); i < n; i++ {
			rec := ints(mem, i)
			if _, err := s.AddData(rec); err != nil {
				t.Error(err)
			}
			rec.Release()
		}
	}()
	ctx := context.Background()
	var start source.Offset
	next := int64(0)
	for next < n {
		end, err := s.Latest(ctx, start, source.ReadLimit{MaxRows: 7})
		if err != nil {
			t.Fatal(err)
		}
		if source.Equal(end, start) {
			continue
		}
		r, err := s.Read(ctx, start, end, mem)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := batch.ReadAll(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			if v := rec.Column(0).(*array.Int64).Value(0); v != next {
				t.Fatalf("got %d, want %d", v, next)
			}
			next++
		}
		batch.Release(recs)
		if err := s.Commit(ctx, end); err != nil {
			t.Fatal(err)
		}
		start = end
	}
	wg.Wait()
}

// TestChanged checks AddData closes the channel Changed returned before it,
// and only that one.
func TestChanged(t *testing.T) {
	mem := checkedMem(t)
	s := New(schema)
	defer s.Release()
	ch := s.Changed()
	select {
	case <-ch:
		t.Fatal("closed before any data")
	default:
	}
	rec := ints(mem, 1, 2)
	defer rec.Release()
	if _, err := s.AddData(rec); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	default:
		t.Fatal("not closed by AddData")
	}
	select {
	case <-s.Changed():
		t.Fatal("the next channel is closed before more data")
	default:
	}
}
