// Package foreach is the foreachBatch sink: it hands every micro-batch's
// output to a Go function, as Spark's foreachBatch does, so that a query
// can write where no sink exists (a database, an HTTP service, several
// places at once).
//
//	s := foreach.New(func(ctx context.Context, id batch.ID, r batch.Reader) error {
//		// read r; the sink closes it after fn returns
//		return upsert(ctx, id, r)
//	})
//
// A YAML pipeline names a function the program registered:
//
//	foreach.Register("upsert", upsert)
//	s, err := sink.Open(ctx, "foreachBatch", map[string]string{"function": "upsert"})
//
// # Contract (Spark's)
//
// fn is called once per Write, with the batch id and a reader of the
// batch's rows in the query's output mode (the sink adds nothing). The
// caller owns the records fn reads from r and releases them; fn need not
// read r to the end or close it: the sink closes r when fn returns.
//
// An error from fn fails the Write, and so the batch and the query; the
// engine runs the batch again after a restart. Idempotence is fn's job, as
// in Spark: the engine calls fn again with the same id and the same rows
// for a batch that did not commit (after a crash, a failed Write, or a
// failed commit), so fn must make a second call with an id it has already
// applied harmless — skip it (keep the last applied id where the data
// goes, in the same transaction) or overwrite (upsert keyed by the batch's
// rows). A panic in fn is not recovered.
//
// # Concurrency
//
// The sink calls fn from the goroutine calling Write, one batch at a time
// and in batch order (the sink.Sink contract). Register and the registry
// are safe for concurrent use.
package foreach
