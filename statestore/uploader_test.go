package statestore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sluicestream/sluice/checkpoint"
)

// fakeSnap is a Snapshot whose Upload runs a test function.
type fakeSnap struct {
	v        int64
	upload   func(ctx context.Context, prev *Manifest) (*Manifest, error)
	attempts atomic.Int32
	released atomic.Int32
	relErr   error
}

func (s *fakeSnap) Version() int64 { return s.v }

func (s *fakeSnap) Upload(ctx context.Context, dst checkpoint.Storage, prev *Manifest) (*Manifest, error) {
	s.attempts.Add(1)
	if s.upload == nil {
		return manifestAfter(s.v, prev), nil
	}
	return s.upload(ctx, prev)
}

func (s *fakeSnap) Release() error {
	s.released.Add(1)
	return s.relErr
}

func manifestAfter(v int64, prev *Manifest) *Manifest {
	m := &Manifest{Version: v}
	if prev != nil {
		m.SnapshotVersion = prev.SnapshotVersion
	}
	return m
}

// result collects done calls.
type result struct {
	mu    sync.Mutex
	calls int
	m     *Manifest
	err   error
	ch    chan struct{}
}

func newResult() *result { return &result{ch: make(chan struct{}, 1)} }

func (r *result) done(m *Manifest, err error) {
	r.mu.Lock()
	r.calls++
	r.m, r.err = m, err
	r.mu.Unlock()
	r.ch <- struct{}{}
}

func (r *result) wait(t *testing.T) (*Manifest, error) {
	t.Helper()
	select {
	case <-r.ch:
	case <-time.After(10 * time.Second):
		t.Fatal("done not called")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m, r.err
}

func newTestUploader(t *testing.T, opts UploaderOptions) *Uploader {
	t.Helper()
	u, err := NewUploader(checkpoint.NewMem(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUploaderOrderPerStore(t *testing.T) {
	defer goleak.VerifyNone(t)
	u := newTestUploader(t, UploaderOptions{Workers: 3, QueueSize: 5})
	const stores, versions = 4, 25
	var mu sync.Mutex
	seen := make(map[StoreID][]int64)
	var dones atomic.Int32
	var snaps []*fakeSnap
	for v := int64(1); v <= versions; v++ {
		for p := range stores {
			id := StoreID{Operator: "op", Partition: p}
			s := &fakeSnap{v: v}
			s.upload = func(ctx context.Context, prev *Manifest) (*Manifest, error) {
				if (v == 1) != (prev == nil) || (prev != nil && prev.Version != v-1) {
					return nil, fmt.Errorf("store %s version %d got prev %+v", id, v, prev)
				}
				time.Sleep(time.Duration(v%3) * 100 * time.Microsecond)
				mu.Lock()
				seen[id] = append(seen[id], v)
				mu.Unlock()
				return &Manifest{Version: v}, nil
			}
			snaps = append(snaps, s)
			err := u.Submit(context.Background(), id, s, func(m *Manifest, err error) {
				if err != nil || m.Version != v {
					t.Errorf("store %s version %d: %v, %+v", id, v, err, m)
				}
				dones.Add(1)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	u.Close()
	if dones.Load() != stores*versions {
		t.Fatalf("%d done calls, want %d", dones.Load(), stores*versions)
	}
	for id, got := range seen {
		for i, v := range got {
			if v != int64(i+1) {
				t.Fatalf("store %s uploaded versions %v, out of order", id, got)
			}
		}
	}
	for _, s := range snaps {
		if s.released.Load() != 1 {
			t.Fatalf("version %d released %d times", s.v, s.released.Load())
		}
	}
}

func TestUploaderRetries(t *testing.T) {
	u := newTestUploader(t, UploaderOptions{Retries: 3, Backoff: time.Millisecond})
	defer u.Close()
	id := StoreID{Operator: "a"}
	s := &fakeSnap{v: 1}
	s.upload = func(ctx context.Context, prev *Manifest) (*Manifest, error) {
		if s.attempts.Load() <= 2 {
			return nil, errors.New("throttled")
		}
		return &Manifest{Version: 1}, nil
	}
	r := newResult()
	if err := u.Submit(context.Background(), id, s, r.done); err != nil {
		t.Fatal(err)
	}
	if m, err := r.wait(t); err != nil || m == nil || s.attempts.Load() != 3 {
		t.Fatalf("got %+v, %v after %d attempts", m, err, s.attempts.Load())
	}
}

func TestUploaderRetriesExhausted(t *testing.T) {
	u := newTestUploader(t, UploaderOptions{Retries: 2, Backoff: time.Millisecond})
	defer u.Close()
	errStorage := errors.New("bucket unreachable")
	s := &fakeSnap{v: 5, upload: func(ctx context.Context, prev *Manifest) (*Manifest, error) { return nil, errStorage }}
	r := newResult()
	start := time.Now()
	u.Submit(context.Background(), StoreID{Operator: "a", Partition: 1}, s, r.done)
	m, err := r.wait(t)
	if m != nil || !errors.Is(err, errStorage) || s.attempts.Load() != 3 {
		t.Fatalf("got %+v, %v after %d attempts", m, err, s.attempts.Load())
	}
	if msg := err.Error(); !strings.Contains(msg, "state store a/1 version 5") || !strings.Contains(msg, "attempt 3 of 3") {
		t.Fatalf("error %q", msg)
	}
	if d := time.Since(start); d < 3*time.Millisecond {
		t.Fatalf("retried without backing off (%v)", d)
	}
	if s.released.Load() != 1 {
		t.Fatal("a failed snapshot was not released")
	}
}

func TestUploaderTimeout(t *testing.T) {
	u := newTestUploader(t, UploaderOptions{Retries: -1, Timeout: 20 * time.Millisecond})
	defer u.Close()
	s := &fakeSnap{v: 1, upload: func(ctx context.Context, prev *Manifest) (*Manifest, error) {
		<-ctx.Done()
		return nil, fmt.Errorf("put: %w", ctx.Err())
	}}
	r := newResult()
	u.Submit(context.Background(), StoreID{}, s, r.done)
	_, err := r.wait(t)
	if !errors.Is(err, ErrUploadTimeout) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "exceeded its upload timeout (20ms)") {
		t.Fatalf("got %v", err)
	}
	if s.attempts.Load() != 1 {
		t.Fatalf("%d attempts with retries off", s.attempts.Load())
	}
}

func TestUploaderBackpressure(t *testing.T) {
	u := newTestUploader(t, UploaderOptions{QueueSize: 2, Workers: 1})
	defer u.Close()
	release := make(chan struct{})
	blocked := func(v int64) *fakeSnap {
		return &fakeSnap{v: v, upload: func(ctx context.Context, prev *Manifest) (*Manifest, error) {
			<-release
			return &Manifest{Version: v}, nil
		}}
	}
	id := StoreID{}
	ctx := context.Background()
	for v := int64(1); v <= 2; v++ {
		if err := u.Submit(ctx, id, blocked(v), nil); err != nil {
			t.Fatal(err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if err := u.Submit(short, id, blocked(3), nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Submit to a full queue: %v", err)
	}
	submitted := make(chan error)
	go func() { submitted <- u.Submit(ctx, id, blocked(3), nil) }()
	select {
	case err := <-submitted:
		t.Fatalf("Submit to a full queue returned %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	if err := <-submitted; err != nil {
		t.Fatal(err)
	}
}

func TestUploaderStoresIndependent(t *testing.T) {
	u := newTestUploader(t, UploaderOptions{Workers: 2})
	defer u.Close()
	stuck := make(chan struct{})
	u.Submit(context.Background(), StoreID{Partition: 0}, &fakeSnap{v: 1, upload: func(ctx context.Context, prev *Manifest) (*Manifest, error) {
		<-stuck
		return &Manifest{Version: 1}, nil
	}}, nil)
	r := newResult()
	u.Submit(context.Background(), StoreID{Partition: 0}, &fakeSnap{v: 2}, nil)
	u.Submit(context.Background(), StoreID{Partition: 1}, &fakeSnap{v: 1}, r.done)
	if _, err := r.wait(t); err != nil {
		t.Fatal(err)
	}
	close(stuck)
}

func TestUploaderCloseWaits(t *testing.T) {
	defer goleak.VerifyNone(t)
	u := newTestUploader(t, UploaderOptions{})
	var dones atomic.Int32
	for v := int64(1); v <= 5; v++ {
		s := &fakeSnap{v: v, upload: func(ctx context.Context, prev *Manifest) (*Manifest, error) {
			time.Sleep(2 * time.Millisecond)
			return &Manifest{Version: v}, nil
		}}
		u.Submit(context.Background(), StoreID{}, s, func(*Manifest, error) { dones.Add(1) })
	}
	u.Close()
	if dones.Load() != 5 {
		t.Fatalf("Close returned after %d of 5 done calls", dones.Load())
	}
	s := &fakeSnap{v: 6}
	if err := u.Submit(context.Background(), StoreID{}, s, nil); !errors.Is(err, ErrUploaderClosed) {
		t.Fatalf("Submit after Close: %v", err)
	}
	if s.released.Load() != 0 {
		t.Fatal("a refused snapshot was released")
	}
	u.Close() // again: a no-op
}

func TestUploaderAbort(t *testing.T) {
	defer goleak.VerifyNone(t)
	u := newTestUploader(t, UploaderOptions{Workers: 1, Timeout: time.Hour})
	started := make(chan struct{})
	running := &fakeSnap{v: 1, upload: func(ctx context.Context, prev *Manifest) (*Manifest, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	r1, r2 := newResult(), newResult()
	u.Submit(context.Background(), StoreID{}, running, r1.done)
	queued := &fakeSnap{v: 2}
	u.Submit(context.Background(), StoreID{}, queued, r2.done)
	<-started
	u.Abort()
	if _, err := r1.wait(t); !errors.Is(err, context.Canceled) {
		t.Fatalf("running upload: %v", err)
	}
	if _, err := r2.wait(t); !errors.Is(err, ErrUploaderClosed) || queued.attempts.Load() != 0 {
		t.Fatalf("queued upload: %v after %d attempts", err, queued.attempts.Load())
	}
	if running.attempts.Load() != 1 {
		t.Fatalf("an aborted upload was retried %d times", running.attempts.Load()-1)
	}
	if running.released.Load() != 1 || queued.released.Load() != 1 {
		t.Fatal("aborted snapshots were not released")
	}
}

func TestUploaderAbortUnblocksSubmit(t *testing.T) {
	defer goleak.VerifyNone(t)
	u := newTestUploader(t, UploaderOptions{QueueSize: 1, Workers: 1})
	u.Submit(context.Background(), StoreID{}, &fakeSnap{v: 1, upload: func(ctx context.Context, prev *Manifest) (*Manifest, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}, nil)
	submitted := make(chan error)
	go func() { submitted <- u.Submit(context.Background(), StoreID{}, &fakeSnap{v: 2}, nil) }()
	time.Sleep(10 * time.Millisecond)
	u.Abort()
	if err := <-submitted; !errors.Is(err, ErrUploaderClosed) {
		t.Fatalf("blocked Submit: %v", err)
	}
}

func TestUploaderPrevManifest(t *testing.T) {
	u := newTestUploader(t, UploaderOptions{Retries: -1})
	defer u.Close()
	id := StoreID{Operator: "x"}
	var prevs []*Manifest
	snap := func(v int64, fail bool) *fakeSnap {
		return &fakeSnap{v: v, upload: func(ctx context.Context, prev *Manifest) (*Manifest, error) {
			prevs = append(prevs, prev)
			if fail {
				return nil, errors.New("fail")
			}
			return &Manifest{Version: v, SnapshotVersion: 20}, nil
		}}
	}
	u.SetManifest(id, &Manifest{Version: 20, SnapshotVersion: 20})
	for _, s := range []*fakeSnap{snap(21, false), snap(22, true), snap(23, false), snap(5, false)} {
		r := newResult()
		u.Submit(context.Background(), id, s, r.done)
		r.wait(t)
	}
	want := []int64{20, 21, 21, -1} // after a failure prev stays; an older version gets nil
	for i, p := range prevs {
		got := int64(-1)
		if p != nil {
			got = p.Version
		}
		if got != want[i] {
			t.Fatalf("upload %d got prev version %d, want %d", i, got, want[i])
		}
	}
}

func TestUploaderReleaseError(t *testing.T) {
	u := newTestUploader(t, UploaderOptions{})
	defer u.Close()
	errRel := errors.New("unlink failed")
	r := newResult()
	u.Submit(context.Background(), StoreID{}, &fakeSnap{v: 1, relErr: errRel}, r.done)
	if m, err := r.wait(t); m == nil || !errors.Is(err, errRel) {
		t.Fatalf("got %+v, %v", m, err)
	}
}

// TestUploaderOnFailure checks every failed attempt is reported, retried
// ones too, and a success is not.
func TestUploaderOnFailure(t *testing.T) {
	var mu sync.Mutex
	var attempts []int
	u := newTestUploader(t, UploaderOptions{Retries: 2, Backoff: time.Millisecond,
		OnFailure: func(id StoreID, v int64, attempt int, err error) {
			mu.Lock()
			attempts = append(attempts, attempt)
			mu.Unlock()
		}})
	defer u.Close()
	snap := &fakeSnap{v: 1}
	snap.upload = func(ctx context.Context, prev *Manifest) (*Manifest, error) {
		if snap.attempts.Load() <= 2 {
			return nil, errors.New("injected")
		}
		return manifestAfter(1, prev), nil
	}
	r := newResult()
	if err := u.Submit(t.Context(), StoreID{Operator: "0"}, snap, r.done); err != nil {
		t.Fatal(err)
	}
	if _, err := r.wait(t); err != nil {
		t.Fatalf("upload after 2 failures and 2 retries: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(attempts, []int{1, 2}) {
		t.Fatalf("OnFailure attempts %v, want [1 2]", attempts)
	}
}

func TestUploaderOptions(t *testing.T) {
	for _, o := range []UploaderOptions{{QueueSize: -1}, {Workers: -1}, {Timeout: -1}, {Backoff: -1}} {
		if _, err := NewUploader(checkpoint.NewMem(), o); err == nil {
			t.Fatalf("%+v accepted", o)
		}
	}
	o, _ := UploaderOptions{}.withDefaults()
	want := UploaderOptions{QueueSize: DefaultUploadQueueSize, Retries: DefaultUploadRetries, Backoff: DefaultUploadBackoff, Timeout: DefaultUploadTimeout, Workers: DefaultUploadWorkers}
	if o.OnFailure != nil || o.QueueSize != want.QueueSize || o.Retries != want.Retries || o.Backoff != want.Backoff || o.Timeout != want.Timeout || o.Workers != want.Workers {
		t.Fatalf("defaults %+v", o)
	}
	if o, _ := (UploaderOptions{Retries: -1}).withDefaults(); o.Retries != 0 {
		t.Fatal("negative Retries is not 'none'")
	}
}
