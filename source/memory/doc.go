// Package memory is a streaming source fed from Go code, for tests: Spark's
// MemoryStream. A test appends Arrow records while a query runs; every
// append is one step of input, and a micro-batch reads the records appended
// since the one before.
//
//	s := memory.New(schema)
//	defer s.Release()
//	end, err := s.AddData(rec1, rec2) // end is `2`; the stream retains the records
//	r, err := s.Read(ctx, nil, end, mem) // rec1, rec2
//
// # Offsets
//
// An offset is the number of records added so far, as a JSON integer
// ("3"); nil is 0. Read(start, end) returns exactly the records numbered
// start+1 … end, the same ones on every call: the records themselves, each
// with an extra reference for the caller to Release (they are not copied
// into the allocator Read is given). A record with no rows is still a
// record: AddData of an empty record makes a new offset and so a batch with
// no rows, as Spark's tests use an empty AddData to run a batch.
//
// Latest honours ReadLimit.MaxRows at record granularity: it takes whole
// records while their rows fit in the limit, and always at least one record,
// so that a record larger than the limit does not stall the stream.
//
// Commit(end) drops the stream's references to the records up to end. A
// later Read of a range reaching below end is an error wrapping
// ErrCommitted. Records are otherwise kept until Release.
//
// # Registry
//
// The package registers the source "memory". Its one option, "name", names a
// stream a test published with Publish, so that a pipeline built from string
// options (YAML) reads a stream the test feeds:
//
//	unpublish, err := memory.Publish("events", s)
//	defer unpublish()
//	src, err := source.Open(ctx, "memory", map[string]string{"name": "events"})
//
// # Concurrency
//
// A Stream is safe for concurrent use: one goroutine may add data while the
// engine calls Latest, Read and Commit from another. Close does nothing (the
// stream outlives a query, so a test can stop a query and start it again on
// the same stream, as Spark's StreamTest does); Release drops every record
// and ends the stream's life.
package memory
