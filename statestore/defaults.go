package statestore

import "time"

// Defaults the engine uses when the query does not say otherwise.
const (
	// DefaultSnapshotInterval is K, the number of versions between snapshot
	// uploads. Restoring replays at most K-1 changelogs after a snapshot, and
	// a snapshot's data files (often most of the upload volume) are sent once
	// per K batches; 10 is Spark's minDeltasForSnapshot default.
	DefaultSnapshotInterval = 10

	// DefaultMinVersionsToRetain is how many of the newest versions Purge
	// keeps restorable: Spark's spark.sql.streaming.minBatchesToRetain
	// default, enough to restart from any recent commit and to inspect a
	// few batches back.
	DefaultMinVersionsToRetain = 100

	// DefaultUploadTimeout bounds one attempt of one store's upload. A
	// changelog is typically kilobytes and a snapshot's new files megabytes,
	// so an attempt that takes a minute is stuck (a hung connection), and
	// failing it lets the retry or the query's failure policy act.
	DefaultUploadTimeout = time.Minute

	// DefaultUploadRetries is the number of retries after a failed upload
	// attempt: enough to ride out a throttled or briefly unreachable object
	// store (with DefaultUploadBackoff: 0.2 s, 0.4 s, 0.8 s) without hiding
	// a storage outage for long.
	DefaultUploadRetries = 3

	// DefaultUploadBackoff is the wait before the first retry; it doubles
	// with every retry, up to maxUploadBackoff.
	DefaultUploadBackoff = 200 * time.Millisecond

	// DefaultUploadQueueSize bounds the snapshots submitted but not yet
	// done. A batch submits one snapshot per store (operators × partitions)
	// and at most two batches are uncommitted, so 256 lets two batches of a
	// 2-operator, 64-partition query queue without blocking; a queued
	// snapshot holds only hard links.
	DefaultUploadQueueSize = 256

	// DefaultUploadWorkers is the number of stores uploading at once.
	// Uploads are bound by storage latency (tens of ms per object on S3),
	// not CPU, so a few in parallel pay off; more mostly adds throttling.
	DefaultUploadWorkers = 4

	// maxUploadBackoff caps the doubling retry wait.
	maxUploadBackoff = 30 * time.Second
)
