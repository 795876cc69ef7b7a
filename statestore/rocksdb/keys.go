package rocksdb

import (
	"encoding/binary"
	"fmt"
)

// RocksDB keys are a one-byte space tag followed by the rest (see doc.go):
// the store's metadata, its data, and the TTL index, in that order, so a
// scan of user keys never meets the others.
const (
	spaceMeta byte = 0x00
	spaceData byte = 0x01
	spaceTTL  byte = 0x02
)

// Metadata keys. They are written in the same write batch as the data they
// describe, so a flushed (or crashed and reopened) RocksDB instance always
// knows the version it holds.
var (
	metaVersion    = []byte{spaceMeta, 'v'} // int64: the committed version
	metaRows       = []byte{spaceMeta, 'r'} // int64: data keys present
	metaTTLIndexed = []byte{spaceMeta, 't'} // 1 byte: 1 if every data key has a TTL index entry
)

// valueHeaderLen is the bytes before the user's value in a stored value:
// the Unix nanosecond time of the Put, big-endian (what TTL counts from).
const valueHeaderLen = 8

// dataKey appends the RocksDB key of user key k to dst.
func dataKey(dst, k []byte) []byte {
	dst = append(dst, spaceData)
	return append(dst, k...)
}

// ttlKey appends the TTL index key of user key k put at putNanos to dst.
// Index keys sort by put time, so the expired ones are a prefix of the index.
func ttlKey(dst []byte, putNanos int64, k []byte) []byte {
	dst = append(dst, spaceTTL)
	dst = binary.BigEndian.AppendUint64(dst, uint64(putNanos))
	return append(dst, k...)
}

// parseTTLKey splits an index key into put time and user key.
func parseTTLKey(key []byte) (putNanos int64, k []byte, err error) {
	if len(key) < 1+8 || key[0] != spaceTTL {
		return 0, nil, fmt.Errorf("malformed TTL index key %x", key)
	}
	return int64(binary.BigEndian.Uint64(key[1:9])), key[9:], nil
}

// storedValue appends the stored form of value put at putNanos to dst.
func storedValue(dst []byte, putNanos int64, value []byte) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(putNanos))
	return append(dst, value...)
}

// parseValue splits a stored value into put time and user value.
func parseValue(stored []byte) (putNanos int64, value []byte, err error) {
	if len(stored) < valueHeaderLen {
		return 0, nil, fmt.Errorf("stored value of %d bytes has no %d-byte header", len(stored), valueHeaderLen)
	}
	return int64(binary.BigEndian.Uint64(stored)), stored[valueHeaderLen:], nil
}

// int64Value is the stored form of a metadata integer.
func int64Value(n int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(n)) }

// parseInt64 reads a metadata integer; a missing one (nil) is 0.
func parseInt64(b []byte) (int64, error) {
	switch len(b) {
	case 0:
		return 0, nil
	case 8:
		return int64(binary.BigEndian.Uint64(b)), nil
	}
	return 0, fmt.Errorf("metadata integer of %d bytes", len(b))
}
