// Package engine runs streaming queries: the micro-batch loop of DESIGN.md
// §4 over the offset and commit logs, deciding restarts with package
// engine/protocol.
//
// It runs stateless queries (projections, filters, explodes and unions over
// one or more streams, i.e. StreamTable scans) and streaming aggregations: a
// plan.Aggregate at the top of such a stateless plan, in Update or Complete
// output mode (Append needs watermarks and is refused), with its state in
// Options.StateProvider (one store, operator "0" partition 0; see
// aggregate.go for the key and value encoding). Batch N aggregates its input
// partially in memory, merges it into state version N, writes the updated
// (Update) or all (Complete) groups to the sink, then commits state version
// N+1 and uploads it to the checkpoint storage before writing commits/N. Any
// other aggregation, join, sort or limit is refused at Start.
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
// Batch N: ask every source for its latest offset (nothing new: wait for the
// trigger); write offsets/N (batchWatermarkMs 0, batchTimestampMs now, conf
// "sluice.stateful" ("true" with "sluice.statePartitions" = "1" for an
// aggregation) and "sluice.numSources") before reading; read
// (end N-1, end N] of every source and run the plan; sink.Write(N); write
// commits/N; if the sink is a sink.Committer, Commit(N); then Commit(end N)
// on every source. Sources are ordered by name: that is their order in the
// offset log.
//
// # Restart
//
// Start reads the checkpoint's metadata (creating it on a new checkpoint)
// and both logs, and asks protocol.Recover what to do: logged batches
// without a commit run again first, with their logged offsets and
// timestamps, so an idempotent sink sees each batch exactly once. After a
// clean resume the last committed batch is committed again on a two-phase
// sink (a no-op if it was published) and on the sources.
//
// # Ownership
//
// The query does not close its sources or its sink: the caller does, after
// the query has terminated.
package engine
