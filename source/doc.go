// Package source holds the contract of streaming sources and their registry.
// A Source is replayable input: its offsets are canonical JSON, stored
// verbatim in the offset log (offsets/N), and reading the same (start, end]
// range returns the same rows on every replay, after a restart too. That is
// what lets the engine re-run a logged batch exactly.
//
//	end, err := src.Latest(ctx, start, source.ReadLimit{MaxFiles: 10})
//	if !source.Equal(end, start) {
//		r, err := src.Read(ctx, start, end, mem) // rows in (start, end]
//		...
//	}
//	err = src.Commit(ctx, end) // everything <= end is durably processed
//
// Implementations live in source/* subpackages (memory, file, rate) and
// register a factory by name, so a YAML pipeline can name them. A Source is
// used by one goroutine at a time.
package source
