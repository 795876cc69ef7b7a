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
// concatenation (Concat, Split, NewSplitReader), gathering rows by index
// (Take), adapting arrow-go readers (FromRecordReader), Arrow IPC encoding
// (EncodeIPC, DecodeIPC, NewIPCReader), an order-preserving binary encoding
// of row keys (EncodeKeys, DecodeKeys) for state-store keys and grouping, and
// vectorised hashing of key columns into partitions (HashColumns,
// Partitions).
//
// Readers are not safe for concurrent use; helpers that take arrays do not
// retain them unless they say so. A KeyBuffer belongs to one goroutine; the
// other helpers keep no state and may run concurrently.
//
// # Row keys
//
// EncodeKeys turns each row of some key columns into a byte string such that
// bytes.Compare orders two keys as the rows order column by column, NULLs
// first, and equal rows (by the same rules) give identical bytes. A state
// store ordered by key bytes therefore iterates in key order, and a range
// scan over a prefix of the key columns is a byte-prefix scan. These bytes
// are stored in checkpoints: the format below must not change without a
// migration, and TestKeyBytes pins it.
//
// A key is the concatenation of one field per column, in column order. No
// field is a prefix of another field of the same type, which is what makes
// the concatenation compare lexicographically. A field is one null marker
// byte followed, unless the value is NULL, by a payload:
//
//	0x00                      NULL (no payload)
//	0x01 <payload>            a value
//
// The payload depends on the column type:
//
//	int8/16/32/64             big-endian two's complement with the sign bit
//	date32, date64, time32,   flipped (1, 2, 4 or 8 bytes), so that negative
//	time64, timestamp,        numbers sort first. Temporal types are their
//	duration                  stored integer; the unit is not encoded.
//	uint8/16/32/64            big-endian (1, 2, 4 or 8 bytes).
//	float32, float64          IEEE 754 bits, big-endian (4 or 8 bytes), after
//	                          normalising -0 to +0 and every NaN to the quiet
//	                          NaN 0x7FF8000000000000 (0x7FC00000); then a
//	                          positive value has its sign bit set and a
//	                          negative value has every bit inverted. The
//	                          order is -Inf < ... < -0 == +0 < ... < +Inf <
//	                          NaN, as Spark orders NaN above every number.
//	bool                      0x00 false, 0x01 true.
//	string, binary (and the   the bytes with every 0x00 written as 0x00 0xFF,
//	large variants)           then the terminator 0x00 0x00. The terminator
//	                          sorts below any continuation, so "a" < "a\x00"
//	                          < "a\x01" < "ab".
//	null                      nothing: the marker is always 0x00.
//
// For example, the row (int32 -1, string "a\x00", NULL) encodes as
//
//	01 7F FF FF FF   01 61 00 FF 00 00   00
//
// The type of each column is not encoded: DecodeKeys must be given the types
// the keys were encoded with. It rejects bytes that no row could have
// produced (bad markers or escapes, truncation, leftovers, invalid UTF-8 in a
// string) with an error wrapping ErrCorruptKey. Dictionary, decimal, view,
// nested and float16 columns are not key types (SupportedKeyType).
//
// # Partition hashes
//
// HashColumns hashes rows so that rows equal as keys hash equal, and
// Partitions maps hashes onto P partitions. Because a checkpoint records
// which partition holds each key's state, the hash is a fixed function of the
// values (splitmix64 for fixed-width values, xxHash64 for bytes, combined
// column by column from a fixed seed): it never varies between processes,
// platforms or releases, and TestHashGolden fails if it does.
//
// # IPC
//
// EncodeIPC and DecodeIPC use the Arrow IPC streaming format, uncompressed.
// Decoded records are fully validated before they are returned, so bytes that
// were torn or corrupted surface as an error, not as a panic deep in an
// operator.
package batch
