// Package memory is the memory sink: it keeps a streaming query's output in
// memory as a table named after the query, for tests and interactive use,
// as Spark's memory sink does.
//
//	s, err := memory.New("counts")       // or sink.Open(ctx, "memory", {"queryName": "counts"})
//	err = s.Write(ctx, 0, sink.Complete, r)
//	schema, recs, ok := memory.Table("counts") // retained copies
//	defer batch.Release(recs)
//	err = memory.Drop("counts")          // after s.Close()
//
// # Output modes (Spark's MemorySink)
//
// Append and Update add the batch's rows to the table: in Update mode the
// table is therefore the log of changed rows, batch after batch, not the
// latest value per key (Spark's memory sink does the same). Complete
// replaces the table with the batch's rows. Records without rows are not
// kept; the schema is that of the first batch written, and a batch of
// another schema is an error.
//
// # Idempotence
//
// The table remembers the last batch id applied. Writing an id at or below
// it is a replay and is skipped (its rows are read and released): exactly
// once for the engine's replays after a restart, as Spark's memory sink
// skips "already committed" batches. The table outlives its sink: Close
// keeps it readable, and a sink opened later under the same name continues
// it — a query restarted in the same process skips the batches the table
// already holds. A new query that reuses a name with ids starting again at
// 0 would have its batches skipped: Drop the table first. Nothing is kept
// across processes.
//
// # Memory
//
// The table holds the records the sink was given (one reference each, no
// copy), so their allocator's memory stays in use until Complete replaces
// them or Drop releases them. Table returns the records retained once more:
// the caller releases each, and may keep them after Drop or a replacing
// batch. A record that is a slice of a larger buffer keeps that buffer
// alive.
//
// # Concurrency
//
// Table, Drop and New are safe for concurrent use with each other and with
// Write: readers see the table before or after a batch, never part of one.
// A Sink itself is used by one goroutine at a time (the sink.Sink
// contract); only one open Sink may hold a name.
package memory
