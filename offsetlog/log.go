package offsetlog

import (
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/metalog"
)

// Dir is the log's directory under the checkpoint root.
const Dir = "offsets"

// DefaultMinBatchesToRetain is how many entries the engine keeps by default
// (Spark's spark.sql.streaming.minBatchesToRetain).
const DefaultMinBatchesToRetain = metalog.DefaultMinBatchesToRetain

// ErrEmpty: Latest found no entry.
var ErrEmpty = metalog.ErrEmpty

// AlreadyLoggedError is returned by Add when the batch's entry exists; it
// wraps checkpoint.ErrExist.
type AlreadyLoggedError = metalog.AlreadyLoggedError

// Log is the offset log of one checkpoint. Its methods (Add, Get, Latest,
// List, ListDense, Purge, PurgeBefore, Path) are metalog.Typed's; entry
// paths are "offsets/<id>".
type Log = metalog.Typed[Entry]

// New returns the offset log of the checkpoint st.
func New(st checkpoint.Storage) *Log { return metalog.NewTyped(st, Dir, codec) }
