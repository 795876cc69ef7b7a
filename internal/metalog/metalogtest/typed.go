package metalogtest

import (
	"bytes"
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/metalog"
)

// RaceAdds calls add(i) for writers goroutines i at once, as racing writers
// of one entry, and fails t unless exactly one of them succeeds and every
// other fails with *metalog.AlreadyLoggedError. It returns the winner.
func RaceAdds(t *testing.T, writers int, add func(writer int) error) int {
	t.Helper()
	errs := make([]error, writers)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range writers {
		done.Go(func() {
			start.Wait()
			errs[i] = add(i)
		})
	}
	start.Done()
	done.Wait()
	winner := -1
	for i, err := range errs {
		var ale *metalog.AlreadyLoggedError
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("writers %d and %d both won", winner, i)
		case err == nil:
			winner = i
		case !errors.As(err, &ale):
			t.Fatalf("writer %d: %v, want *AlreadyLoggedError", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer won")
	}
	return winner
}

// ConcurrentAdd races 8 writers adding entry(i) as batch 0 of the empty log
// l, and checks that one won and that its entry is the one Get reads.
func ConcurrentAdd[E any](t *testing.T, l *metalog.Typed[E], entry func(writer int) E) {
	t.Helper()
	ctx := t.Context()
	winner := RaceAdds(t, 8, func(i int) error { return l.Add(ctx, 0, entry(i)) })
	e, err := l.Get(ctx, 0)
	if err != nil || !reflect.DeepEqual(e, entry(winner)) {
		t.Fatalf("winner %d, entry %+v, %v; want %+v", winner, e, err, entry(winner))
	}
}

// AddExisting adds first as batch 4 of the empty log l, then second, and
// checks that the second Add is an *metalog.AlreadyLoggedError for the
// entry, wrapping checkpoint.ErrExist, and left first in place.
func AddExisting[E any](t *testing.T, l *metalog.Typed[E], first, second E) {
	t.Helper()
	ctx := t.Context()
	if err := l.Add(ctx, 4, first); err != nil {
		t.Fatal(err)
	}
	err := l.Add(ctx, 4, second)
	var ale *metalog.AlreadyLoggedError
	if !errors.As(err, &ale) || ale.ID != 4 || ale.Path != l.Path(4) || !errors.Is(err, checkpoint.ErrExist) {
		t.Fatalf("Add of a logged batch: %v, want *AlreadyLoggedError for %s wrapping ErrExist", err, l.Path(4))
	}
	if e, err := l.Get(ctx, 4); err != nil || !reflect.DeepEqual(e, first) {
		t.Fatalf("entry rewritten: %+v, %v; want %+v", e, err, first)
	}
}

// IOErrors checks that a Storage error reaches the caller of every method
// of the typed log open returns as that error, never as corruption (nor, from
// Add, as *metalog.AlreadyLoggedError). e is any entry the log can write.
func IOErrors[E any](t *testing.T, open func(checkpoint.Storage) *metalog.Typed[E], e E) {
	ctx := t.Context()
	mem := checkpoint.NewMem()
	l := open(mem)
	if err := errors.Join(l.Add(ctx, 0, e), l.Add(ctx, 1, e)); err != nil {
		t.Fatal(err)
	}
	failing := func(op string) *metalog.Typed[E] { return open(Failing(mem, op)) }
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"Read/Get", func() error { _, err := failing("Read").Get(ctx, 0); return err }},
		{"Read/Latest", func() error { _, _, err := failing("Read").Latest(ctx); return err }},
		{"List/Latest", func() error { _, _, err := failing("List").Latest(ctx); return err }},
		{"List/ListDense", func() error { _, err := failing("List").ListDense(ctx); return err }},
		{"Create/Add", func() error { return failing("Create").Add(ctx, 2, e) }},
		{"Delete/Purge", func() error { return failing("Delete").Purge(ctx, 1) }},
		{"Delete/PurgeBefore", func() error { return failing("Delete").PurgeBefore(ctx, 1) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			WantIOError(t, err)
			if errors.As(err, new(*metalog.AlreadyLoggedError)) {
				t.Errorf("I/O error reported as already logged: %v", err)
			}
		})
	}
}

// GetFile stores data as the entry of batch 5 of a fresh log made by open,
// reads it back through the log, and returns the error.
func GetFile[E any](t *testing.T, open func(checkpoint.Storage) *metalog.Typed[E], data string) error {
	t.Helper()
	st := checkpoint.NewMem()
	l := open(st)
	if err := st.Create(t.Context(), l.Path(5), []byte(data)); err != nil {
		t.Fatal(err)
	}
	_, err := l.Get(t.Context(), 5)
	return err
}

// RoundTrip is the body of a typed log's parser fuzz target: parse of the
// file data at path either fails with a *checkpoint.CorruptionError naming
// path, or its entry encodes, parses back to the same entry, and encodes to
// the same bytes again.
func RoundTrip[E any](t *testing.T, path string, data []byte, parse func(string, []byte) (E, error), encode func(E) ([]byte, error)) {
	t.Helper()
	e, err := parse(path, data)
	if err != nil {
		var ce *checkpoint.CorruptionError
		if !errors.As(err, &ce) || ce.Path != path {
			t.Fatalf("Parse error %v (%T), want a CorruptionError naming the file", err, err)
		}
		return
	}
	enc, err := encode(e)
	if err != nil {
		t.Fatalf("accepted entry %+v does not encode: %v", e, err)
	}
	back, err := parse(path, enc)
	if err != nil {
		t.Fatalf("encoded entry %q does not parse: %v", enc, err)
	}
	if !reflect.DeepEqual(back, e) {
		t.Fatalf("round trip changed the entry:\n got %+v\nwant %+v", back, e)
	}
	enc2, err := encode(back)
	if err != nil || !bytes.Equal(enc2, enc) {
		t.Fatalf("second encoding differs: %q, %v; first %q", enc2, err, enc)
	}
}
