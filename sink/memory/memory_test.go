package memory_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/sink"
	mem "github.com/sluicestream/sluice/sink/memory"
)

var schema = arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)

func checked(t *testing.T) *memory.CheckedAllocator {
	a := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { a.AssertSize(t, 0) })
	return a
}

// rows returns a reader of one record per group of values (an empty group
// is a record without rows).
func rows(a memory.Allocator, groups ...[]int64) batch.Reader {
	var recs []arrow.RecordBatch
	for _, g := range groups {
		b := array.NewInt64Builder(a)
		b.AppendValues(g, nil)
		col := b.NewArray()
		b.Release()
		recs = append(recs, array.NewRecordBatch(schema, []arrow.Array{col}, int64(len(g))))
		col.Release()
	}
	return batch.NewSliceReader(schema, recs...)
}

// contents returns the values of the table, or "absent".
func contents(t *testing.T, name string) string {
	t.Helper()
	s, recs, ok := mem.Table(name)
	if !ok {
		return "absent"
	}
	defer batch.Release(recs)
	if s == nil {
		return "no schema"
	}
	var vals []string
	for _, r := range recs {
		for _, v := range r.Column(0).(*array.Int64).Int64Values() {
			vals = append(vals, fmt.Sprint(v))
		}
	}
	return "[" + strings.Join(vals, " ") + "]"
}

func open(t *testing.T, name string) *mem.Sink {
	t.Helper()
	s, err := mem.New(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		if err := mem.Drop(name); err != nil {
			t.Error(err)
		}
	})
	return s
}

func write(t *testing.T, s sink.Sink, id batch.ID, mode sink.OutputMode, r batch.Reader) {
	t.Helper()
	if err := s.Write(context.Background(), id, mode, r); err != nil {
		t.Fatalf("Write(%d): %v", id, err)
	}
}

func TestModes(t *testing.T) {
	for _, c := range []struct {
		mode sink.OutputMode
		want []string // after batches 0, 1, replayed 1, 2
	}{
		{sink.Append, []string{"[1 2]", "[1 2 3]", "[1 2 3]", "[1 2 3 4 5]"}},
		{sink.Update, []string{"[1 2]", "[1 2 3]", "[1 2 3]", "[1 2 3 4 5]"}},
		{sink.Complete, []string{"[1 2]", "[3]", "[3]", "[4 5]"}},
	} {
		t.Run(c.mode.String(), func(t *testing.T) {
			a := checked(t)
			name := "modes-" + c.mode.String()
			s := open(t, name)
			if got := contents(t, name); got != "no schema" {
				t.Fatalf("before the first batch: %s", got)
			}
			var got []string
			write(t, s, 0, c.mode, rows(a, []int64{1}, nil, []int64{2}))
			got = append(got, contents(t, name))
			write(t, s, 1, c.mode, rows(a, []int64{3}))
			got = append(got, contents(t, name))
			write(t, s, 1, c.mode, rows(a, []int64{99})) // replay: skipped
			got = append(got, contents(t, name))
			write(t, s, 2, c.mode, rows(a, []int64{4, 5}))
			got = append(got, contents(t, name))
			if !slices.Equal(got, c.want) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
			if id, ok := mem.LastBatch(name); id != 2 || !ok {
				t.Fatalf("LastBatch = %d, %v", id, ok)
			}
		})
	}
}

// A sink opened again under a name continues the table: replays skip.
func TestRestartContinues(t *testing.T) {
	a := checked(t)
	s := open(t, "restart")
	write(t, s, 0, sink.Append, rows(a, []int64{1}))
	write(t, s, 1, sink.Append, rows(a, []int64{2}))

	if _, err := mem.New("restart"); !errors.Is(err, mem.ErrInUse) {
		t.Fatalf("second New of an open name: %v", err)
	}
	if err := mem.Drop("restart"); !errors.Is(err, mem.ErrInUse) {
		t.Fatalf("Drop of an open table: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := contents(t, "restart"); got != "[1 2]" {
		t.Fatalf("after Close: %s", got)
	}
	s2 := open(t, "restart")
	write(t, s2, 1, sink.Append, rows(a, []int64{2})) // replayed after the restart
	write(t, s2, 2, sink.Append, rows(a, []int64{3}))
	if got := contents(t, "restart"); got != "[1 2 3]" {
		t.Fatalf("after restart: %s", got)
	}
	s2.Close()
	if err := mem.Drop("restart"); err != nil {
		t.Fatal(err)
	}
	if got := contents(t, "restart"); got != "absent" {
		t.Fatalf("after Drop: %s", got)
	}
	s3 := open(t, "restart")
	write(t, s3, 0, sink.Append, rows(a, []int64{7}))
	if got := contents(t, "restart"); got != "[7]" {
		t.Fatalf("after Drop and a new query: %s", got)
	}
}

// Records a reader holds survive Complete replacing them and Drop.
func TestTableRecordsOutliveTable(t *testing.T) {
	a := checked(t)
	s := open(t, "outlive")
	write(t, s, 0, sink.Complete, rows(a, []int64{1, 2}))
	_, recs, _ := mem.Table("outlive")
	write(t, s, 1, sink.Complete, rows(a, []int64{3}))
	s.Close()
	mem.Drop("outlive")
	if got := recs[0].Column(0).(*array.Int64).Int64Values(); !slices.Equal(got, []int64{1, 2}) {
		t.Fatalf("held record: %v", got)
	}
	batch.Release(recs)
}

func TestErrors(t *testing.T) {
	a := checked(t)
	ctx := context.Background()
	s := open(t, "errors")
	write(t, s, 0, sink.Append, rows(a, []int64{1}))

	other := arrow.NewSchema([]arrow.Field{{Name: "w", Type: arrow.PrimitiveTypes.Int64}}, nil)
	err := s.Write(ctx, 1, sink.Append, batch.NewSliceReader(other))
	if err == nil || !strings.Contains(err.Error(), "schema") {
		t.Fatalf("Write of another schema: %v", err)
	}
	if err := s.Write(ctx, 1, sink.OutputMode(9), rows(a, []int64{1})); err == nil {
		t.Fatal("Write with an invalid mode succeeded")
	}
	s.Close()
	if err := s.Write(ctx, 1, sink.Append, rows(a, []int64{1})); err == nil {
		t.Fatal("Write after Close succeeded")
	}
	if _, err := mem.New(""); err == nil {
		t.Fatal("New with an empty name succeeded")
	}
	if got := contents(t, "errors"); got != "[1]" {
		t.Fatalf("failed writes changed the table: %s", got)
	}
}

func TestFactory(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		opts map[string]string
		err  string
	}{
		{map[string]string{}, "option queryName is required"},
		{map[string]string{"queryName": ""}, "option queryName is required"},
		{map[string]string{"queryName": "q", "path": "/x"}, `unknown option "path"`},
	} {
		if _, err := sink.Open(ctx, "memory", c.opts); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("Open(%v) = %v, want %q", c.opts, err, c.err)
		}
	}
	s, err := sink.Open(ctx, "memory", map[string]string{"queryName": "factory"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := mem.Drop("factory"); err != nil {
		t.Fatal(err)
	}
}

// Readers see whole batches while the writer replaces them.
func TestConcurrentReaders(t *testing.T) {
	a := checked(t)
	s := open(t, "concurrent")
	ctx := context.Background()
	const batches = 200
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for {
				_, recs, _ := mem.Table("concurrent")
				var vals []int64
				for _, r := range recs {
					vals = append(vals, r.Column(0).(*array.Int64).Int64Values()...)
				}
				batch.Release(recs)
				if len(vals) > 0 && (len(vals) != 3 || vals[0] != vals[1] || vals[1] != vals[2]) {
					errs <- fmt.Errorf("torn table %v", vals)
					return
				}
				if len(vals) > 0 && vals[0] == batches-1 {
					return
				}
			}
		})
	}
	for id := range int64(batches) {
		if err := s.Write(ctx, batch.ID(id), sink.Complete, rows(a, []int64{id}, []int64{id, id})); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
