// Package engine runs streaming queries: the micro-batch loop of DESIGN.md
// §4 over the offset and commit logs, deciding restarts with package
// engine/protocol and which commits may be written with protocol.Next.
//
// It runs stateless queries (projections, filters, explodes and unions over
// one or more streams, i.e. StreamTable scans) and streaming aggregations: a
// plan.Aggregate over such a stateless plan, under any chain of projections,
// filters (HAVING) and, in Complete mode only, sorts and limits. An
// aggregation runs in Update or Complete output mode (Append needs
// watermarks and is refused), with its state in Options.StateProvider: P
// stores (operator "0", partitions 0 to P-1; see aggregate.go for the key
// and value encoding). Joins and other stateful operators are refused at
// Start.
//
//	events := engine.NewStreamTable("events", src.Schema())
//	p, _ := plan.NewFilter(plan.NewScan(events), expr.Gt(expr.Col("v"), expr.Lit(int64(0))))
//	q, err := engine.Start(ctx, engine.Options{Plan: p,
//		Sources: map[string]source.Source{"events": src}, Sink: snk, Mode: sink.Append,
//		Checkpoint: st, Trigger: engine.ProcessingTime(time.Second)})
//	err = q.ProcessAllAvailable(ctx)
//	q.Stop()
//
// # One batch
//
// Batch N: ask every source for its latest offset (nothing new: commit
// what is done and wait for the trigger); write offsets/N (watermark,
// timestamp, and the conf that must not change: "sluice.stateful",
// "sluice.numSources", and for an aggregation the number of state
// partitions, the provider and the state format); read (end N-1, end N] of
// every source and run the plan — an aggregation aggregates its input
// partially on every core, splits the groups by partition and merges each
// partition into its store at version N on its own goroutine; write the
// sink; commit every store's version N+1 locally; submit the snapshots to
// the uploader. Batch N+1 may then run while N uploads (Options.SyncCheckpoint:
// it may not); commits/N is written once N's uploads are done, in batch
// order, then a two-phase sink is told Commit(N) and every source
// Commit(end N), and every purgeEvery commits the logs and the state beyond
// Options.MinBatchesToRetain are purged. A failed upload is retried
// Options.TolerableCheckpointFailures times, each attempt bounded by
// Options.CheckpointTimeout, then stops the query.
//
// # Restart
//
// Start reads the checkpoint's metadata (creating it on a new checkpoint),
// locks the checkpoint (a second run of the query is refused), checks the
// state schema (state/0/_metadata/schema) and partition count against the
// query, and asks protocol.Recover what to do: logged batches without a
// commit — at most two — run again first, with their logged offsets and
// timestamps, so an idempotent sink sees each batch exactly once; state
// restores as of the last commit. After a clean resume the last committed
// batch is committed again on a two-phase sink (a no-op if it was
// published) and on the sources.
//
// # Ownership
//
// The query does not close its sources, its sink or its state provider: the
// caller does, after the query has terminated.
package engine
