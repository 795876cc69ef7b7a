// Package killtest is the kill-and-restart recovery test (STYLE.md habit
// 10): a streaming query runs in a child process that is killed with
// SIGKILL at chosen moments and restarted, again and again, until its input
// is exhausted; the output it leaves must equal the output of a straight
// run exactly — no row lost, none duplicated. It holds no library code: the
// only non-test code is the query the child runs (child.go), which the
// straight run runs in-process too.
//
// # The queries
//
// Both read a directory of text files (source/file, trigger AvailableNow,
// one file per batch) and write through the file sink, whose manifest says
// which batches committed. The cap is the engine's Options.ReadLimit, not
// the source's MaxFilesPerTrigger: with AvailableNow the engine takes the
// source's Latest under no limit as its target, which that cap still
// bounds, so the query would stop after one batch.
//
//   - "wordcount": explode(split(value, " ")) AS word, GROUP BY word,
//     count(*), in Complete mode, to Parquet; state in the RocksDB provider
//     (statestore/rocksdb) with its local directory in the run directory and
//     its checkpoint in the query's checkpoint, over StatePartitions
//     partitions, asynchronous or synchronous checkpoints
//     (engine.Options.SyncCheckpoint).
//   - "words": the same explode, no aggregation, in Append mode, to CSV: a
//     lost or replayed batch shows up as missing or duplicated rows.
//
// # The child
//
// The child is the test binary itself, started with SLUICE_KILLTEST_CHILD=1
// and its configuration, a JSON config, in SLUICE_KILLTEST_CONFIG; TestMain
// sees the variable before anything else and runs the query instead of the
// tests. The child dies with the parent (Pdeathsig). It writes one line per
// event to its stdout, unbuffered:
//
//	phase <batch> <phase>   engine.Options.OnPhase was called
//	pause <batch> <phase>   the config.PauseAt-th call for phase config.Pause: the child now sleeps in it
//	resume <batch> <phase>  the pause is over (the kill missed it)
//	done                    the query ended: the input is exhausted
//
// The parent kills the child as soon as it reads "pause", so the kill lands
// while the child is inside that phase, or after a random delay. The
// phases aimed at are cycled so that every ten kills land in every class
// of DESIGN.md §4: during a batch (offsets-written, sink-written), state
// committed but not uploaded, during an upload (upload-started), between
// upload and commit (upload-done), after the commit, and at random. The
// test logs a table of where the kills landed and fails if a class of
// the query was never hit.
//
// # Checks
//
// After every kill, with the child gone: the offset log holds at most two
// batches without a commit (one with synchronous checkpoints), with
// consecutive ids; the sink's manifest reaches at least the last commit;
// and the committed output, read through the manifest, is exactly that of
// the input files the batches up to the manifest's newest one read (their
// count is the file source's offset in the offset log), counted here.
// During every life: the sink gets batch lastCommit+1 first and then each
// following id once — every logged batch runs again, in order, before a
// new one. At the end: every batch committed, and the output equal to a
// straight run's (the same query without kills, run in this process
// meanwhile) and to the input counted here.
//
// # Run directory
//
//	<run>/checkpoint/   the query's checkpoint (offsets, commits, sources/0, state)
//	<run>/out/          the file sink's output and its _sluice_metadata manifest
//	<run>/state/        the RocksDB provider's local directory (deleted at some
//	                    restarts, so that state is restored from the checkpoint)
//
// # Flags
//
//	go test ./internal/killtest -kills=200 -killseed=42 -v
//
// The package comes before the flags. -kills is the number of kills per
// run of a query (default 30; at least 10 so that every class comes up);
// -killseed fixes the kill schedule (the input is always the same). With
// more kills than the input has batches for, files are added to it.
package killtest
