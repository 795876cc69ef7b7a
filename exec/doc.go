// Package exec runs plans: it turns a logical plan into a tree of physical
// operators, each of which turns its inputs' batch.Readers into one
// batch.Reader of its own.
//
//	op, err := exec.Build(optimizedPlan)
//	r, err := op.Execute(ctx, exec.NewTaskContext(mem))
//	defer r.Close()
//	// r.Next(ctx) until io.EOF; release every record
//
// Operators are lazy: Execute only wires readers together, and no input is
// read before the first Next. Blocking operators (aggregation, sort, the build
// side of a join) consume their input on that first Next. One operator per
// file, named after it.
//
// An Operator may be executed many times and from several goroutines; each
// Execute returns an independent Reader, which is not safe for concurrent use.
// Every record an operator returns is allocated from the TaskContext's
// allocator and owned by the caller.
package exec
