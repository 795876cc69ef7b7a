package engine

import (
	"fmt"
	"time"
)

// idlePoll is how often an idle query with a zero processing-time interval
// checks its sources: soon enough for low latency, rare enough not to spin.
const idlePoll = 10 * time.Millisecond

type triggerKind int

const (
	processingTime triggerKind = iota
	once
	availableNow
)

// Trigger says when batches run.
type Trigger struct {
	kind     triggerKind
	interval time.Duration
}

// ProcessingTime runs a batch every d when there is new data (the zero
// Trigger is ProcessingTime(0): as soon as data arrives).
func ProcessingTime(d time.Duration) Trigger { return Trigger{kind: processingTime, interval: d} }

// Once runs the re-runs recovery asks for, then at most one batch with
// everything available, and stops.
func Once() Trigger { return Trigger{kind: once} }

// AvailableNow processes what is available at start, in as many batches as
// Options.ReadLimit needs, and stops when nothing is new. A source's
// batches stop at the offset it had at start once they reach it exactly;
// data added meanwhile may still be taken when a batch overshoots it.
func AvailableNow() Trigger { return Trigger{kind: availableNow} }

func (t Trigger) String() string {
	switch t.kind {
	case once:
		return "Once"
	case availableNow:
		return "AvailableNow"
	}
	return fmt.Sprintf("ProcessingTime(%v)", t.interval)
}
