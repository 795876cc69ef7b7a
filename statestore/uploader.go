package statestore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/sluicestream/sluice/checkpoint"
)

var (
	// ErrUploaderClosed: Submit after Close or Abort, or an upload that Abort
	// cancelled.
	ErrUploaderClosed = errors.New("state uploader closed")
	// ErrUploadTimeout: an upload attempt exceeded UploaderOptions.Timeout.
	ErrUploadTimeout = errors.New("state checkpoint exceeded its upload timeout")
)

// UploaderOptions configure an Uploader. Zero values mean the defaults.
type UploaderOptions struct {
	// QueueSize bounds the snapshots submitted and not yet done (queued or
	// uploading); Submit blocks while it is reached. 0: DefaultUploadQueueSize.
	QueueSize int
	// Retries is the number of retries after a failed attempt.
	// 0: DefaultUploadRetries; negative: no retries.
	Retries int
	// Backoff is the wait before the first retry; it doubles with every
	// retry, up to 30 s. 0: DefaultUploadBackoff.
	Backoff time.Duration
	// Timeout bounds one attempt. 0: DefaultUploadTimeout.
	Timeout time.Duration
	// Workers is the number of stores uploading at once. 0: DefaultUploadWorkers.
	Workers int
	// OnFailure, if set, is called after every failed attempt, retried or
	// not, on the uploading goroutine: the engine counts checkpoint
	// failures with it.
	OnFailure func(id StoreID, version int64, attempt int, err error)
}

// withDefaults validates o and fills in its defaults.
func (o UploaderOptions) withDefaults() (UploaderOptions, error) {
	switch {
	case o.QueueSize < 0:
		return o, fmt.Errorf("state uploader: negative QueueSize %d", o.QueueSize)
	case o.Backoff < 0:
		return o, fmt.Errorf("state uploader: negative Backoff %v", o.Backoff)
	case o.Timeout < 0:
		return o, fmt.Errorf("state uploader: negative Timeout %v", o.Timeout)
	case o.Workers < 0:
		return o, fmt.Errorf("state uploader: negative Workers %d", o.Workers)
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.QueueSize, DefaultUploadQueueSize)
	def(&o.Workers, DefaultUploadWorkers)
	switch {
	case o.Retries == 0:
		o.Retries = DefaultUploadRetries
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.Backoff == 0 {
		o.Backoff = DefaultUploadBackoff
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultUploadTimeout
	}
	return o, nil
}

// Uploader uploads committed snapshots to checkpoint storage in the
// background, a few stores at a time. One store's snapshots upload one at a
// time, in the order submitted, each given the manifest of the store's
// previous successful upload as prev. A failed attempt is retried with
// exponential backoff; every attempt is bounded by a timeout. The Uploader
// only reports: what a failure means is the engine's decision.
//
// prev is the last manifest uploaded (or set with SetManifest) for the
// store. After a failure it stays, so prev.Version can be below
// snap.Version()-1: the changelogs between are missing from storage. The
// providers then upload again the local changelogs they still hold since
// their last snapshot version; when a failed version was itself a snapshot
// version they cannot, and uploads fail until the next snapshot version.
// Either way the failure was reported: with the default of no tolerated
// checkpoint failures the engine stops the query at the first one, and a
// restart restores from the last commit. A snapshot older than prev (the
// store was restored to an earlier version) gets prev == nil.
//
// Submit, SetManifest, Close and Abort are safe for concurrent use.
type Uploader struct {
	dst     checkpoint.Storage
	opts    UploaderOptions
	slots   chan struct{} // one token per snapshot submitted and not done
	closing chan struct{} // closed by Close: Submit refuses
	ctx     context.Context
	cancel  context.CancelFunc // Abort
	once    sync.Once
	wg      sync.WaitGroup

	mu     sync.Mutex
	cond   *sync.Cond // queue, busy or closed changed
	queue  []*uploadJob
	busy   map[StoreID]bool      // stores with an upload running
	prev   map[StoreID]*Manifest // each store's last uploaded manifest
	closed bool
}

type uploadJob struct {
	id   StoreID
	snap Snapshot
	done func(*Manifest, error)
}

// NewUploader starts an Uploader writing to dst. The caller must Close (or
// Abort) it.
func NewUploader(dst checkpoint.Storage, opts UploaderOptions) (*Uploader, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	u := &Uploader{
		dst:     dst,
		opts:    opts,
		slots:   make(chan struct{}, opts.QueueSize),
		closing: make(chan struct{}),
		ctx:     ctx,
		cancel:  cancel,
		busy:    make(map[StoreID]bool),
		prev:    make(map[StoreID]*Manifest),
	}
	u.cond = sync.NewCond(&u.mu)
	u.wg.Add(opts.Workers)
	for range opts.Workers {
		go u.worker()
	}
	return u, nil
}

// SetManifest tells the Uploader the manifest now current for store id in
// storage, e.g. the one a restore started from (Version: the restored
// version). Without it, a store's first upload gets prev == nil and
// uploads everything.
func (u *Uploader) SetManifest(id StoreID, m *Manifest) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.prev[id] = m
}

// Submit queues snap, a snapshot of store id, for upload, blocking while
// the queue is full. Once the upload succeeded or failed for good, the
// Uploader releases snap and calls done exactly once, on one of its
// goroutines: m is the manifest now current for the store (nil on failure),
// err the failure of the upload or of Release (errors.Join). done should
// return quickly and must not call Close or Abort.
//
// Submit returns an error, without taking snap (the caller still releases
// it) and without ever calling done, if ctx is done first or the Uploader
// is closed (ErrUploaderClosed).
func (u *Uploader) Submit(ctx context.Context, id StoreID, snap Snapshot, done func(m *Manifest, err error)) error {
	select {
	case <-u.closing:
		return fmt.Errorf("submit state store %s version %d: %w", id, snap.Version(), ErrUploaderClosed)
	default:
	}
	select {
	case u.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("submit state store %s version %d: %w", id, snap.Version(), context.Cause(ctx))
	case <-u.closing:
		return fmt.Errorf("submit state store %s version %d: %w", id, snap.Version(), ErrUploaderClosed)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		<-u.slots
		return fmt.Errorf("submit state store %s version %d: %w", id, snap.Version(), ErrUploaderClosed)
	}
	if done == nil {
		done = func(*Manifest, error) {}
	}
	u.queue = append(u.queue, &uploadJob{id: id, snap: snap, done: done})
	u.cond.Broadcast()
	return nil
}

// Close stops accepting snapshots, waits until every one submitted is done
// (uploaded or failed, done called) and stops the Uploader's goroutines.
func (u *Uploader) Close() {
	u.once.Do(func() {
		u.mu.Lock()
		u.closed = true
		close(u.closing)
		u.cond.Broadcast()
		u.mu.Unlock()
	})
	u.wg.Wait()
	u.cancel()
}

// Abort is Close that cancels running uploads and fails queued ones with
// ErrUploaderClosed instead of waiting for them; done is still called once
// for each.
func (u *Uploader) Abort() {
	u.cancel()
	u.Close()
}

func (u *Uploader) worker() {
	defer u.wg.Done()
	for {
		j := u.take()
		if j == nil {
			return
		}
		u.run(j)
	}
}

// take waits for a queued snapshot whose store is not uploading, and marks
// the store busy; nil once closed and the queue is empty.
func (u *Uploader) take() *uploadJob {
	u.mu.Lock()
	defer u.mu.Unlock()
	for {
		for i, j := range u.queue {
			if !u.busy[j.id] {
				u.queue = slices.Delete(u.queue, i, i+1)
				u.busy[j.id] = true
				return j
			}
		}
		if u.closed && len(u.queue) == 0 {
			return nil
		}
		u.cond.Wait()
	}
}

// run uploads one snapshot, releases it, and reports.
func (u *Uploader) run(j *uploadJob) {
	version := j.snap.Version()
	u.mu.Lock()
	prev := u.prev[j.id]
	u.mu.Unlock()
	if prev != nil && prev.Version >= version {
		prev = nil // an older version again (a restore happened): start over
	}
	m, err := u.upload(j, prev)
	if rerr := j.snap.Release(); rerr != nil {
		err = errors.Join(err, fmt.Errorf("release state store %s version %d: %w", j.id, version, rerr))
	}
	if m != nil {
		u.mu.Lock()
		u.prev[j.id] = m
		u.mu.Unlock()
	}
	<-u.slots
	j.done(m, err)
	u.mu.Lock()
	delete(u.busy, j.id)
	u.cond.Broadcast()
	u.mu.Unlock()
}

// upload tries up to 1+Retries times.
func (u *Uploader) upload(j *uploadJob, prev *Manifest) (*Manifest, error) {
	backoff := u.opts.Backoff
	for attempt := 1; ; attempt++ {
		if u.ctx.Err() != nil {
			return nil, fmt.Errorf("upload state store %s version %d: %w", j.id, j.snap.Version(), ErrUploaderClosed)
		}
		m, err := u.attempt(j, prev)
		if err == nil {
			return m, nil
		}
		if u.opts.OnFailure != nil {
			u.opts.OnFailure(j.id, j.snap.Version(), attempt, err)
		}
		if attempt > u.opts.Retries || u.ctx.Err() != nil {
			return nil, fmt.Errorf("upload state store %s version %d (attempt %d of %d): %w",
				j.id, j.snap.Version(), attempt, u.opts.Retries+1, err)
		}
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-u.ctx.Done():
			t.Stop()
		}
		backoff = min(2*backoff, maxUploadBackoff)
	}
}

// attempt runs one Upload bounded by the timeout.
func (u *Uploader) attempt(j *uploadJob, prev *Manifest) (*Manifest, error) {
	ctx, cancel := context.WithTimeoutCause(u.ctx, u.opts.Timeout, ErrUploadTimeout)
	defer cancel()
	m, err := j.snap.Upload(ctx, u.dst, prev)
	switch {
	case err != nil && errors.Is(context.Cause(ctx), ErrUploadTimeout) && !errors.Is(err, ErrUploadTimeout):
		return nil, fmt.Errorf("%w (%v): %w", ErrUploadTimeout, u.opts.Timeout, err)
	case err != nil:
		return nil, err
	case m == nil:
		return nil, errors.New("snapshot Upload returned no manifest")
	}
	return m, nil
}
