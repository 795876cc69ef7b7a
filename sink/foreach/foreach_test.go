package foreach_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/sink/foreach"
)

var schema = arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)

// closeTracker records whether the sink closed the reader.
type closeTracker struct {
	batch.Reader
	closed bool
}

func (c *closeTracker) Close() error { c.closed = true; return c.Reader.Close() }

func reader(a memory.Allocator, vals ...int64) *closeTracker {
	b := array.NewInt64Builder(a)
	defer b.Release()
	b.AppendValues(vals, nil)
	col := b.NewArray()
	defer col.Release()
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, int64(len(vals)))
	return &closeTracker{Reader: batch.NewSliceReader(schema, rec)}
}

func TestPassesIDsAndRows(t *testing.T) {
	a := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer a.AssertSize(t, 0)
	applied := map[batch.ID][]int64{}
	var calls []batch.ID
	s := foreach.New(func(ctx context.Context, id batch.ID, r batch.Reader) error {
		calls = append(calls, id)
		if _, done := applied[id]; done {
			return nil // the function's own dedupe, as Spark's contract asks
		}
		rec, err := r.Next(ctx) // read one record only: the sink closes r
		if err != nil {
			return err
		}
		defer rec.Release()
		applied[id] = slices.Clone(rec.Column(0).(*array.Int64).Int64Values())
		return nil
	})
	ctx := context.Background()
	for _, w := range []struct {
		id   batch.ID
		vals []int64
	}{{0, []int64{1, 2}}, {1, []int64{3}}, {1, []int64{3}}, {2, nil}} {
		r := reader(a, w.vals...)
		if err := s.Write(ctx, w.id, sink.Update, r); err != nil {
			t.Fatal(err)
		}
		if !r.closed {
			t.Fatalf("batch %d: reader not closed", w.id)
		}
	}
	if want := []batch.ID{0, 1, 1, 2}; !slices.Equal(calls, want) {
		t.Fatalf("calls %v, want %v", calls, want)
	}
	if len(applied) != 3 || !slices.Equal(applied[0], []int64{1, 2}) || !slices.Equal(applied[1], []int64{3}) {
		t.Fatalf("applied %v", applied)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestErrorFailsWrite(t *testing.T) {
	a := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer a.AssertSize(t, 0)
	boom := errors.New("database down")
	s := foreach.New(func(context.Context, batch.ID, batch.Reader) error { return boom })
	r := reader(a, 1)
	err := s.Write(context.Background(), 7, sink.Append, r)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "batch 7") {
		t.Fatalf("Write = %v, want the function's error naming batch 7", err)
	}
	if !r.closed {
		t.Fatal("reader not closed after an error")
	}
}

// got records the ids the registered function "test-collect" saw.
var got []batch.ID

func init() {
	foreach.Register("test-collect", func(ctx context.Context, id batch.ID, r batch.Reader) error {
		got = append(got, id)
		for {
			rec, err := r.Next(ctx)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			rec.Release()
		}
	})
}

func TestRegistry(t *testing.T) {
	a := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer a.AssertSize(t, 0)
	got = nil
	ctx := context.Background()
	s, err := sink.Open(ctx, "foreachBatch", map[string]string{"function": "test-collect"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, 3, sink.Append, reader(a, 1)); err != nil || !slices.Equal(got, []batch.ID{3}) {
		t.Fatalf("Write = %v, calls %v", err, got)
	}
	for _, c := range []struct {
		opts map[string]string
		err  string
	}{
		{map[string]string{}, "option function is required"},
		{map[string]string{"function": "nope"}, `no function registered as "nope"; registered: [test-collect]`},
		{map[string]string{"function": "test-collect", "x": "1"}, `unknown option "x"`},
	} {
		if _, err := sink.Open(ctx, "foreachBatch", c.opts); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("Open(%v) = %v, want %q", c.opts, err, c.err)
		}
	}
}
