package storagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
)

// creators is how many goroutines race to Create one name.
const creators = 8

func testConcurrentCreate(t *testing.T, st checkpoint.Storage) {
	ctx := t.Context()
	for round := range 10 {
		p := fmt.Sprintf("offsets/%d", round)
		errs := make([]error, creators)
		var start, done sync.WaitGroup
		start.Add(1)
		for i := range creators {
			done.Go(func() {
				start.Wait()
				errs[i] = st.Create(ctx, p, fill(byte('A'+i), 64<<10+i))
			})
		}
		start.Done()
		done.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("%s: creators %d and %d both succeeded", p, winner, i)
			case err == nil:
				winner = i
			case !errors.Is(err, checkpoint.ErrExist):
				t.Fatalf("%s: creator %d: %v, want nil or ErrExist", p, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("%s: no creator succeeded", p)
		}
		mustRead(t, st, p, fill(byte('A'+winner), 64<<10+winner))
	}
	want := make([]string, 10)
	for i := range want {
		want[i] = fmt.Sprint(i)
	}
	mustList(t, st, "offsets", want...)
}

// testConcurrentCreateNewDir races Creates of different names into a
// directory that does not exist yet: all must succeed.
func testConcurrentCreateNewDir(t *testing.T, st checkpoint.Storage) {
	ctx := t.Context()
	errs := make([]error, creators)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range creators {
		done.Go(func() {
			start.Wait()
			errs[i] = st.Create(ctx, fmt.Sprintf("new/dir/%d", i), []byte{byte(i)})
		})
	}
	start.Done()
	done.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("creator %d: %v", i, err)
		}
		mustRead(t, st, fmt.Sprintf("new/dir/%d", i), []byte{byte(i)})
	}
}

func fill(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

// wholeSize is the size of the contents the partial-read tests write: big
// enough that a write takes many system calls or parts.
const wholeSize = 512 << 10

// checkWhole reports what is wrong with content read while a writer
// replaces it with fill(k, wholeSize) for changing k, or "".
func checkWhole(got []byte) string {
	if len(got) != wholeSize {
		return fmt.Sprintf("read %d bytes, want %d", len(got), wholeSize)
	}
	if bytes.Count(got, got[:1]) != len(got) {
		i := 0
		for got[i] == got[0] {
			i++
		}
		return fmt.Sprintf("content mixes fill bytes %#x and %#x (at %d)", got[0], got[i], i)
	}
	return ""
}

// raceReaders runs write(k) for k = 1..rounds while readers read p over and
// over with read; every read must return a whole content.
func raceReaders(t *testing.T, st checkpoint.Storage, p string, rounds int,
	write func(ctx context.Context, k byte) error, read func(ctx context.Context) ([]byte, error)) {
	ctx := t.Context()
	must(t, write(ctx, 0))
	var stop atomic.Bool
	var reads atomic.Int64
	problems := make(chan string, 4)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for !stop.Load() {
				got, err := read(ctx)
				if err != nil {
					problems <- err.Error()
					return
				}
				if msg := checkWhole(got); msg != "" {
					problems <- msg
					return
				}
				reads.Add(1)
			}
		})
	}
	var werr error
	for k := 1; k <= rounds && werr == nil && len(problems) == 0; k++ {
		werr = write(ctx, byte(k))
	}
	stop.Store(true)
	wg.Wait()
	close(problems)
	must(t, werr)
	for msg := range problems {
		t.Errorf("reader of %s: %s", p, msg)
	}
	t.Logf("%d whole reads during %d writes", reads.Load(), rounds)
}

func testNoPartialReads(t *testing.T, st checkpoint.Storage) {
	const p = "metadata"
	raceReaders(t, st, p, 20,
		func(ctx context.Context, k byte) error { return st.Write(ctx, p, fill(k, wholeSize)) },
		func(ctx context.Context) ([]byte, error) { return st.Read(ctx, p) })
}

func testNoPartialOpens(t *testing.T, st checkpoint.Storage) {
	const p = "state/0/0/1.snapshot"
	raceReaders(t, st, p, 20,
		func(ctx context.Context, k byte) error {
			return st.Put(ctx, p, &oddChunks{r: bytes.NewReader(fill(k, wholeSize))})
		},
		func(ctx context.Context) ([]byte, error) {
			rc, err := st.Open(ctx, p)
			if err != nil {
				return nil, err
			}
			defer rc.Close()
			return io.ReadAll(&oddChunks{r: rc})
		})
}
