package rocksdb

import (
	"encoding/binary"
	"fmt"

	"github.com/linxGnu/grocksdb"
)

// RocksDB's serialized WriteBatch ("rep"): a 12-byte header — sequence
// number (fixed64, filled in by the write) and record count (fixed32), both
// little-endian — then one record per update in the default column family:
//
//	0x01 varint32(len(key)) key varint32(len(value)) value   put
//	0x00 varint32(len(key)) key                              delete
//	0x0F varint32(len(begin)) begin varint32(len(end)) end     delete range [begin, end)
//
// Encoding it in Go and handing it over whole (grocksdb.WriteBatchFrom)
// crosses cgo once per commit instead of once per key.
const (
	batchHeaderLen = 12
	tagDelete      = 0x00
	tagPut         = 0x01
	tagDeleteRange = 0x0F
)

// batch builds a WriteBatch rep. The zero batch is empty and ready.
type batch struct {
	buf   []byte
	count uint32
}

func (b *batch) reset() {
	b.buf = append(b.buf[:0], make([]byte, batchHeaderLen)...)
	b.count = 0
}

func (b *batch) ensure() {
	if len(b.buf) < batchHeaderLen {
		b.reset()
	}
}

// put adds a put of key (prefixed by space) to value (prefixed by header).
func (b *batch) put(space byte, key, header, value []byte) {
	b.ensure()
	b.buf = append(b.buf, tagPut)
	b.buf = binary.AppendUvarint(b.buf, uint64(1+len(key)))
	b.buf = append(b.buf, space)
	b.buf = append(b.buf, key...)
	b.buf = binary.AppendUvarint(b.buf, uint64(len(header)+len(value)))
	b.buf = append(b.buf, header...)
	b.buf = append(b.buf, value...)
	b.count++
}

// putRaw adds a put of a complete RocksDB key.
func (b *batch) putRaw(key, value []byte) {
	b.ensure()
	b.buf = append(b.buf, tagPut)
	b.buf = binary.AppendUvarint(b.buf, uint64(len(key)))
	b.buf = append(b.buf, key...)
	b.buf = binary.AppendUvarint(b.buf, uint64(len(value)))
	b.buf = append(b.buf, value...)
	b.count++
}

// del adds a delete of key prefixed by space.
func (b *batch) del(space byte, key []byte) {
	b.ensure()
	b.buf = append(b.buf, tagDelete)
	b.buf = binary.AppendUvarint(b.buf, uint64(1+len(key)))
	b.buf = append(b.buf, space)
	b.buf = append(b.buf, key...)
	b.count++
}

// delRaw adds a delete of a complete RocksDB key.
func (b *batch) delRaw(key []byte) {
	b.ensure()
	b.buf = append(b.buf, tagDelete)
	b.buf = binary.AppendUvarint(b.buf, uint64(len(key)))
	b.buf = append(b.buf, key...)
	b.count++
}

// delRange adds a delete of the RocksDB keys in [begin, end).
func (b *batch) delRange(begin, end []byte) {
	b.ensure()
	b.buf = append(b.buf, tagDeleteRange)
	b.buf = binary.AppendUvarint(b.buf, uint64(len(begin)))
	b.buf = append(b.buf, begin...)
	b.buf = binary.AppendUvarint(b.buf, uint64(len(end)))
	b.buf = append(b.buf, end...)
	b.count++
}

// len is the number of records.
func (b *batch) len() int { return int(b.count) }

// write applies the batch to db atomically and empties it.
func (b *batch) write(db *grocksdb.DB, wo *grocksdb.WriteOptions) error {
	if b.count == 0 {
		return nil
	}
	binary.LittleEndian.PutUint32(b.buf[8:12], b.count)
	wb := grocksdb.WriteBatchFrom(b.buf)
	defer wb.Destroy()
	if n := wb.Count(); n != int(b.count) {
		// Broken invariant: RocksDB did not parse what we encoded.
		panic(fmt.Sprintf("rocksdb: write batch of %d records parsed as %d", b.count, n))
	}
	err := db.Write(wo, wb)
	b.reset()
	return err
}
