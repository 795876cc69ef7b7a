// Package batch holds the unit of data that moves through Sluice: Arrow record
// batches pulled from a Reader, identified within a streaming query by a
// micro-batch ID.
//
// A Reader is a pull stream of record batches that share one schema:
//
//	r := batch.NewSliceReader(schema, rec1, rec2)
//	defer r.Close()
//	for {
//		rec, err := r.Next(ctx)
//		if err == io.EOF {
//			break
//		}
//		...
//		rec.Release() // the caller owns every record it gets
//	}
//
// The package also provides the helpers every layer above needs: slicing and
// concatenation, Arrow IPC encoding, an order-preserving binary encoding of row
// keys (byte order equals value order, NULLs first) for state-store keys, and
// vectorised hashing of key columns into partitions.
//
// Readers are not safe for concurrent use; helpers that take arrays do not
// retain them unless they say so.
package batch
