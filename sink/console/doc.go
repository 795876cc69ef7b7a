// Package console is the console sink: it prints every micro-batch as a
// table, as Spark's console sink does, for debugging and demos.
//
//	s, err := console.New(console.Options{Out: os.Stderr, NumRows: 5})
//	err = s.Write(ctx, 3, sink.Append, r) // prints batch 3, closes r
//
// or by name, with string options:
//
//	s, err := sink.Open(ctx, "console", map[string]string{"numRows": "5", "truncate": "false"})
//
// # Output
//
// Each batch prints a header and the table of Spark's Dataset.show():
//
//	-------------------------------------------
//	Batch: 3
//	-------------------------------------------
//	+-----+-----+
//	| word|count|
//	+-----+-----+
//	|apple|    2|
//	| NULL|    1|
//	+-----+-----+
//	only showing top 2 rows
//	                              (an empty line ends every batch)
//
// Columns are at least 3 characters wide; a character of the East Asian
// wide ranges Spark knows counts twice. With truncation (the default) cells
// are right-aligned and a cell longer than 20 characters is cut to 17 plus
// "..."; without it cells are left-aligned and never cut. Header names are
// never cut. NULL prints as "NULL" (null inside a list, struct or map as
// "null"); \n, \t, \r and the other control characters Spark escapes print
// as their escapes, so a row stays on one line. Values print as Spark casts
// them to strings: doubles as Java's Double.toString ("1.0", "1.0E7"),
// timestamps in UTC as "2006-01-02 15:04:05[.ffffff]", dates as
// "2006-01-02", binary as "[0A FF]", lists as "[1, 2]", structs as "{1, a}",
// maps as "{a -> 1}". Only the first NumRows rows print; the rest of the
// batch is read and dropped, and "only showing top N rows" says so.
//
// # Idempotence
//
// Printing is best effort and not idempotent: a batch the engine replays
// after a restart prints again, under the same batch number, exactly as
// Spark's console sink does. The sink keeps no state between batches, so it
// has nothing to skip a replay with and nothing to commit.
//
// # Concurrency
//
// A Sink is used by one goroutine at a time (the sink.Sink contract). Each
// batch is printed with a single Write to Out, so batches of several sinks
// sharing one os.Stdout do not interleave within a batch as long as Out
// itself writes atomically.
package console
