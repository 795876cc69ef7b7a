package statestore

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"math/rand/v2"

	"github.com/pierrec/lz4/v4"
)

// lz4Frame compresses content into one frame with every checksum on.
func lz4Frame(content []byte) []byte {
	var buf bytes.Buffer
	zw := lz4.NewWriter(&buf)
	if err := zw.Apply(lz4.BlockChecksumOption(true), lz4.ChecksumOption(true)); err != nil {
		panic(err)
	}
	zw.Write(content)
	zw.Close()
	return buf.Bytes()
}

func lz4Reader(frame []byte) io.Reader { return lz4.NewReader(bytes.NewReader(frame)) }

func crc32cOf(b []byte) uint32 { return crc32.Checksum(b, crc32c) }

// randomBytes returns n incompressible bytes determined by seed.
func randomBytes(seed uint64, n int) []byte {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	b := make([]byte, n)
	rand.NewChaCha8(s).Read(b)
	return b
}
