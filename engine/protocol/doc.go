// Package protocol holds the pure decisions of Sluice's micro-batch protocol
// (DESIGN.md §4): what to do on restart, given what the offset and commit logs
// say, and what the running loop may do next. It does no I/O; the engine lists
// and reads the logs, asks, and acts.
//
//	d, err := protocol.Recover(protocol.LogState{Offsets: offs, Commits: commits})
//	if err != nil {
//		return fmt.Errorf("recover %s: %w", dir, err) // errors.Is(err, protocol.ErrInconsistent)
//	}
//	// restore state as of d.Committed, then:
//	for _, r := range d.Rerun { /* run r.ID over (end of r.From, end of r.ID] */ }
//	// ... then new batches from d.FirstBatch (Resume, Fresh) or the last re-run + 1.
//
//	s, err := protocol.Next(protocol.Progress{Committed: 7, Started: []batch.ID{8, 9},
//		Done: []batch.ID{8}, MaxUncommitted: protocol.Async})
//	// s.Commit == [8]: write commits/8; s.Start == false: batch 10 waits for commit 8.
//
// # Recovery
//
// Let L be the newest offset entry, C the newest commit, O the oldest offset
// entry. A batch's offsets are logged before it runs and its commit after it
// is done, commits in batch order; so in a checkpoint Sluice wrote,
// C <= L <= C+2 and every id from O to L is logged. Recover checks, in order:
//
//	logs                                         decision
//	-------------------------------------------  -------------------------------------------------
//	a negative or repeated id in either log      refuse: NegativeID, DuplicateID
//	no offsets, no commits                       Fresh: batch 0 from the initial offsets, watermark 0
//	no offsets, some commits                     refuse: CommitAhead
//	offsets, no commits, O == 0                  Rerun every logged batch, the first from the
//	                                             initial offsets
//	offsets, no commits, O > 0                   refuse: StartUnknown (batch O's start was purged)
//	C > L                                        refuse: CommitAhead
//	offsets/C missing                            refuse: CommitWithoutOffsets (the start offsets
//	                                             of what follows C are unknown)
//	a commit N < C, O < N, offsets/N missing     refuse: CommitWithoutOffsets
//	a commit N < C, N < O, offsets/N missing     accept; N is in StaleCommits (a purge that
//	                                             stopped between the two logs)
//	C == L                                       Resume: batch C+1 from offsets/C, watermark
//	                                             max(commits/C.nextBatchWatermarkMs,
//	                                                 offsets/C.batchWatermarkMs)
//	C < L                                        Rerun each logged id in (C, L], ascending, with its
//	                                             logged offsets, watermark and timestamp; the first
//	                                             starts from offsets/C, each next from the one before
//
// Irregularities that do not change the decision are reported in the
// Decision for the engine to log:
//
//   - TooManyUncommitted: more than MaxUncommitted (2) batches to re-run.
//     Sluice never leaves more; a Spark-written checkpoint may.
//   - Gaps: ids in (StartFrom, L] without an offset entry. Spark's async
//     progress tracking logs only some batches; a logged batch then covers
//     every unlogged one before it, since its start is the previous logged
//     entry. The fixture checkpoint-test-offsetId-commitId-inconsistent has
//     offsets 1, 2, 4: with C = 2, batch 4 re-runs from offsets/2 (gap 3).
//   - MissingCommits: logged ids below C without a commit. Spark decides on
//     the latest commit alone and so does Recover: commits are written in
//     batch order, so commit C proves every earlier batch done. Partial
//     copies of Spark checkpoints show this (offsets 0-2, commits 1-2).
//   - StaleCommits: see the table.
//
// So the engine purges offsets/ before commits/, as Spark does: a purge
// interrupted between the two then leaves only stale commits, never a
// commit missing beside its offset entry.
//
// Recover differs from Spark's MicroBatchExecution in two ways. Spark re-runs
// only the latest logged batch, from the entry just before it; Recover re-runs
// every logged batch after C, each from its predecessor, because Sluice may
// have two in flight. And Spark's synchronous mode requires offsets/(L-1),
// failing on a gap; Recover accepts gaps, as Spark's async progress tracking
// does, and reports them.
//
// The watermark and timestamp values are passed through, except that Resume
// takes the larger of two watermarks: the watermark never goes back, and a
// commit whose writer did not record nextBatchWatermarkMs reads as 0.
//
// # The running loop
//
// Next decides from the latest durable commit, the started but uncommitted
// batches and which of those are done (sink written, state uploaded):
//
//   - a new batch, numbered one past the last started, may start while fewer
//     than MaxUncommitted batches are uncommitted: Async (2) lets batch N+1 run
//     while N's checkpoint uploads; Sync (1) waits for commit N;
//   - commits are written strictly in batch order: the oldest started
//     batches, as far as every one of them is done. A batch done before an
//     older one waits for it.
//
// # Concurrency
//
// Every function is pure and safe to call from any goroutine. Recover copies
// its input; Next does not retain it.
package protocol
