package storagetest

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
)

func testCanceledContext(t *testing.T, st checkpoint.Storage) {
	mustCreate(t, st, "present", []byte("x"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	canceled := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context: %v, want an error wrapping context.Canceled", op, err)
		}
	}
	_, err := st.Read(ctx, "present")
	canceled("Read", err)
	rc, err := st.Open(ctx, "present")
	if err == nil {
		rc.Close()
	}
	canceled("Open", err)
	canceled("Create", st.Create(ctx, "created", []byte("x")))
	canceled("Write", st.Write(ctx, "written", []byte("x")))
	canceled("Put", st.Put(ctx, "put", strings.NewReader("x")))
	_, err = st.List(ctx, "")
	canceled("List", err)
	canceled("Delete", st.Delete(ctx, "present"))
	// Nothing changed.
	mustList(t, st, "", "present")
	mustRead(t, st, "present", []byte("x"))
}

// cancelingReader cancels its context after handing out after bytes, and
// ends 64 MiB later, so a Put that ignores the context fails the test
// instead of hanging it.
type cancelingReader struct {
	cancel context.CancelFunc
	after  int
}

func (c *cancelingReader) Read(p []byte) (int, error) {
	if c.after <= 0 {
		c.cancel()
	}
	if c.after < -64<<20 {
		return 0, io.EOF
	}
	n := min(len(p), 32<<10)
	for i := range p[:n] {
		p[i] = 'c'
	}
	c.after -= n
	return n, nil
}

func testPutCanceledMidway(t *testing.T, st checkpoint.Storage) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	err := st.Put(ctx, "big.sst", &cancelingReader{cancel: cancel, after: 1 << 20})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Put canceled midway: %v, want an error wrapping context.Canceled", err)
	}
	_, err = st.Read(t.Context(), "big.sst")
	wantErr(t, err, checkpoint.ErrNotExist, "big.sst")
	mustList(t, st, "")
}
