package engine

import (
	"runtime"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/source"
	"github.com/sluicestream/sluice/statestore"
)

// Defaults of Options.
const (
	// MaxDefaultStatePartitions caps DefaultStatePartitions.
	MaxDefaultStatePartitions = 8
	// DefaultCheckpointTimeout bounds one attempt of a state upload
	// (Flink's execution.checkpointing.timeout is 10 minutes; a micro-batch
	// that waits that long is stuck).
	DefaultCheckpointTimeout = time.Minute
	// DefaultMinBatchesToRetain is how many batches of offsets, commits and
	// state versions are kept (Spark's spark.sql.streaming.minBatchesToRetain).
	DefaultMinBatchesToRetain = 100
)

// DefaultStatePartitions is P for a new checkpoint whose query does not
// say: the number of cores (GOMAXPROCS), at most MaxDefaultStatePartitions.
// Each partition is a RocksDB instance with its own commit and upload per
// batch; more partitions than cores only add that fixed cost (measured on 2
// cores: 4 partitions ran the streaming word count at 0.6× the speed of
// 2). P is recorded in the checkpoint, so a restart on another machine keeps
// the P the checkpoint began with.
func DefaultStatePartitions() int {
	return min(max(runtime.GOMAXPROCS(0), 1), MaxDefaultStatePartitions)
}

// Options configure a query.
type Options struct {
	// Plan is the query over StreamTables; it is optimized and built once.
	Plan plan.Node
	// Sources maps every StreamTable name in Plan to its source.
	Sources map[string]source.Source
	Sink    sink.Sink
	// Mode is the output mode: Append or Update (the same for a stateless
	// query); Complete needs an aggregation. A streaming aggregation runs in
	// Update or Complete mode; Append needs a watermark and is refused.
	Mode       sink.OutputMode
	Checkpoint checkpoint.Storage
	Trigger    Trigger
	// ReadLimit bounds what each source gives one batch; zero: no limit.
	ReadLimit source.ReadLimit
	// Mem allocates every array the batches build; nil: the Go allocator.
	Mem memory.Allocator
	// Name is the query's name, reported in Progress.
	Name string
	// Now is the clock for batch timestamps; nil: time.Now.
	Now func() time.Time
	// StateProvider keeps the state of a stateful query (a streaming
	// aggregation); its stores restore from Checkpoint. A stateful plan
	// without one is refused. The caller closes it after the query ends.
	StateProvider statestore.Provider

	// StatePartitions is P: a stateful operator hashes its keys into P
	// partitions, each its own store, run in parallel. Recorded in the
	// offset log; a restart with another P is refused. 0:
	// DefaultStatePartitions(), or the checkpoint's P when it has one.
	StatePartitions int
	// SyncCheckpoint waits for batch N's state upload before batch N+1
	// starts, so a restart re-runs at most one batch. By default uploads
	// overlap the next batch and a restart re-runs at most two.
	SyncCheckpoint bool
	// CheckpointTimeout bounds one attempt of a state upload; 0:
	// DefaultCheckpointTimeout. An attempt past it has failed.
	CheckpointTimeout time.Duration
	// TolerableCheckpointFailures is how many failed upload attempts of one
	// batch's state are retried (and counted in Progress) before the query
	// stops with the failure; 0 (Flink's default): the first failure stops
	// it. The next start recovers from the last commit.
	TolerableCheckpointFailures int
	// MinBatchesToRetain is how many of the newest batches' offsets,
	// commits and state versions are kept when older ones are purged; 0:
	// DefaultMinBatchesToRetain.
	MinBatchesToRetain int
	// Listener hears about the query's start, every batch's progress and
	// its end; nil: nobody.
	Listener Listener
	// OnPhase, if set, is called as each batch passes each Phase, on the
	// goroutine doing the work (an upload's on the uploader's). It must
	// return quickly; the kill-and-restart tests use it to report where a
	// process was killed.
	OnPhase func(id batch.ID, p Phase)
}

// Phase is a step of a micro-batch (DESIGN.md §4), as reported to
// Options.OnPhase.
type Phase string

// The phases of a batch, in the order one batch passes them. Between
// PhaseStateCommitted and PhaseCommitWritten the next batch may already
// run (asynchronous checkpoints).
const (
	PhaseOffsetsWritten Phase = "offsets-written" // offsets/N is durable
	PhaseSinkWritten    Phase = "sink-written"    // the sink has batch N
	PhaseStateCommitted Phase = "state-committed" // every store committed N+1 locally
	PhaseUploadStarted  Phase = "upload-started"  // state uploads of N submitted
	PhaseUploadDone     Phase = "upload-done"     // every upload of N finished
	PhaseCommitWritten  Phase = "commit-written"  // commits/N is durable
	PhaseDownstreamDone Phase = "downstream-done" // sink published, sources told
)

// Listener hears about a query, as Spark's StreamingQueryListener. Its
// methods are called on the query's goroutine, in order; a slow listener
// slows the query.
type Listener interface {
	QueryStarted(e StartedEvent)
	QueryProgress(p *Progress)
	QueryTerminated(e TerminatedEvent)
}

// StartedEvent is Spark's QueryStartedEvent.
type StartedEvent struct {
	ID        string `json:"id"`
	RunID     string `json:"runId"`
	Name      string `json:"name"`
	Timestamp string `json:"timestamp"`
}

// TerminatedEvent is Spark's QueryTerminatedEvent; Exception is the
// error's text, empty if the query ended without one.
type TerminatedEvent struct {
	ID        string `json:"id"`
	RunID     string `json:"runId"`
	Exception string `json:"exception,omitempty"`
	Err       error  `json:"-"`
}
