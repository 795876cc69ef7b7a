package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sluicestream/sluice/engine/protocol"
	"github.com/sluicestream/sluice/source"
)

// update changes the shared state and wakes the waiters.
func (q *Query) update(f func()) {
	q.mu.Lock()
	f()
	close(q.changed)
	q.changed = make(chan struct{})
	q.mu.Unlock()
}

func (q *Query) loop(ctx context.Context) {
	defer close(q.done)
	err := q.run(ctx)
	if err == nil {
		err = q.commitReady(ctx, true) // the last batches' uploads and commits
	}
	q.abandon()
	if q.uploader != nil {
		if err != nil {
			q.uploader.Abort()
		} else {
			q.uploader.Close()
		}
	}
	for _, s := range q.sources {
		s.table.unbind(q)
	}
	q.unlock()
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		err = nil // Stop
	}
	if err != nil {
		err = fmt.Errorf("query %s (run %s): %w", q.id, q.runID, err)
	}
	q.update(func() {
		q.finished, q.err = true, err
		q.status = Status{Message: "Stopped"}
	})
	if q.opts.Listener != nil {
		e := TerminatedEvent{ID: q.id, RunID: q.runID, Err: err}
		if err != nil {
			e.Exception = err.Error()
		}
		q.opts.Listener.QueryTerminated(e)
	}
}

// setStatus says what the query is doing.
func (q *Query) setStatus(msg string, data, active bool) {
	q.update(func() { q.status = Status{Message: msg, IsDataAvailable: data, IsTriggerActive: active} })
}

func (q *Query) run(ctx context.Context) error {
	if q.resumed != protocol.NoBatch {
		if err := q.commitDownstream(ctx, q.resumed, q.ends); err != nil {
			return err
		}
	}
	for _, r := range q.replays {
		if err := q.runBatch(ctx, r.id, r.starts, r.ends, r.timestampMs, r.watermarkMs, false); err != nil {
			return err
		}
		q.ends, q.next = r.ends, r.id+1
	}
	if q.opts.Trigger.kind == once && len(q.replays) > 0 {
		return nil
	}
	var target []source.Offset
	if q.opts.Trigger.kind == availableNow {
		var err error
		if target, _, err = q.latest(ctx, source.ReadLimit{AllAvailable: true}, nil); err != nil {
			return err
		}
	}
	for {
		var round int64
		q.update(func() { q.rounds++; round = q.rounds })
		tick := q.opts.Now()
		q.setStatus("Getting offsets from sources", false, true)
		// Asked before Latest, so that data added after it still wakes
		// the wait below.
		arrived, stop := q.arrivals()
		ends, isNew, err := q.latest(ctx, q.opts.ReadLimit, target)
		if err != nil || isNew {
			stop()
		}
		if err != nil {
			return err
		}
		if !isNew {
			// Idle: the uploads of the last batches can be committed now
			// rather than at the next batch.
			if err := q.commitReady(ctx, true); err != nil {
				return err
			}
			q.update(func() {
				q.idleRound = round
				q.status = Status{Message: "Waiting for data to arrive"}
			})
			if q.opts.Trigger.kind != processingTime {
				stop()
				return nil
			}
			err := q.wait(ctx, tick, true, arrived)
			stop()
			if err != nil {
				return err
			}
			continue
		}
		id := q.next
		q.setStatus("Processing new data", true, true)
		if err := q.runBatch(ctx, id, q.ends, ends, tick.UnixMilli(), q.watermarkMs, true); err != nil {
			return err
		}
		q.ends, q.next = ends, id+1
		if q.opts.Trigger.kind == once {
			return nil
		}
		if q.opts.Trigger.kind == processingTime {
			if err := q.wait(ctx, tick, false, nil); err != nil {
				return err
			}
		}
	}
}

// wait sleeps until the next trigger time after tick; a ProcessAllAvailable
// call cuts an idle wait short, and so does arrived (data arriving at a
// source that notifies) when the trigger interval is zero.
func (q *Query) wait(ctx context.Context, tick time.Time, idle bool, arrived <-chan struct{}) error {
	d := q.opts.Trigger.interval
	if d <= 0 {
		if !idle {
			return ctx.Err()
		}
		d = idlePoll
	} else {
		arrived = nil // a batch every interval, however soon data comes
	}
	d -= time.Since(tick)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	case <-q.wake:
	case <-arrived:
	}
	return nil
}

// arrivals returns a channel closed when data arrives at any source that
// notifies (source.Notifier), nil if none does, and a func to call once the
// channel is no longer wanted.
func (q *Query) arrivals() (<-chan struct{}, func()) {
	var chans []<-chan struct{}
	for _, s := range q.sources {
		if n, ok := s.src.(source.Notifier); ok {
			chans = append(chans, n.Changed())
		}
	}
	switch len(chans) {
	case 0:
		return nil, func() {}
	case 1:
		return chans[0], func() {}
	}
	out, done := make(chan struct{}), make(chan struct{})
	var once sync.Once
	for _, c := range chans {
		go func() {
			select {
			case <-c:
				once.Do(func() { close(out) })
			case <-done:
			}
		}()
	}
	return out, func() { close(done) }
}

// latest asks every source for its latest offset after the committed end;
// a source at its target (AvailableNow) is not asked.
func (q *Query) latest(ctx context.Context, limit source.ReadLimit, target []source.Offset) ([]source.Offset, bool, error) {
	ends := make([]source.Offset, len(q.sources))
	isNew := false
	for i, s := range q.sources {
		start := q.ends[i]
		if target != nil && source.Equal(start, target[i]) {
			ends[i] = start
			continue
		}
		end, err := s.src.Latest(ctx, start, limit)
		if err != nil {
			return nil, false, fmt.Errorf("source %s: latest offset: %w", s.name, err)
		}
		ends[i] = end
		if !source.Equal(start, end) {
			isNew = true
		}
	}
	return ends, isNew, nil
}
