// Package sink holds the contract of streaming sinks and their registry.
//
// Writing batch id twice never duplicates output: the engine re-runs logged
// batches after a restart, so a sink either skips an id it already has or
// overwrites it. A two-phase sink also implements Committer: Write stages
// the batch, and Commit publishes it once commits/N is durable.
//
//	err := s.Write(ctx, id, sink.Update, r) // r: the batch's rows
//	if c, ok := s.(sink.Committer); ok { err = c.Commit(ctx, id) }
//
// Implementations live in sink/* subpackages (console, memory, file,
// foreachBatch) and register a factory by name. A Sink is used by one
// goroutine at a time.
package sink
