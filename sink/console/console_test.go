package console_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/sink/console"
)

var _ batch.Reader = (*errReader)(nil)

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// errReader fails its first Next and records Close.
type errReader struct{ closed bool }

func (r *errReader) Schema() *arrow.Schema { return arrow.NewSchema(nil, nil) }
func (r *errReader) Next(context.Context) (arrow.RecordBatch, error) {
	return nil, errors.New("source broke")
}
func (r *errReader) Close() error { r.closed = true; return nil }

func TestErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()

	s, err := console.New(console.Options{Out: failWriter{}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := parseBatch(mem, "schema: a:int64\n{\"a\":1}")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Write(ctx, 4, sink.Append, r)
	if err == nil || !strings.Contains(err.Error(), "batch 4: disk full") {
		t.Fatalf("Write to a failing writer: %v", err)
	}

	var out strings.Builder
	s, _ = console.New(console.Options{Out: &out})
	er := &errReader{}
	err = s.Write(ctx, 5, sink.Append, er)
	if err == nil || !strings.Contains(err.Error(), "batch 5: source broke") {
		t.Fatalf("Write of a failing reader: %v", err)
	}
	if !er.closed || out.Len() != 0 {
		t.Fatalf("reader closed %v, printed %q; want closed, nothing printed", er.closed, out.String())
	}
	if _, err := console.New(console.Options{NumRows: -1}); err == nil {
		t.Fatal("New with NumRows -1 succeeded")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// A replayed batch prints again (best effort, as Spark's console sink).
func TestReplayPrintsAgain(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var out strings.Builder
	s, _ := console.New(console.Options{Out: &out})
	for range 2 {
		r, err := parseBatch(mem, "schema: a:int64\n{\"a\":1}")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Write(context.Background(), 3, sink.Append, r); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(out.String(), "Batch: 3\n"); n != 2 {
		t.Fatalf("batch 3 printed %d times, want 2:\n%s", n, out.String())
	}
}
