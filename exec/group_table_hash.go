package exec

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
)

// The group tables hash keys with a small wyhash-style function: a 64×64→128
// bit multiply folded to 64 bits. It reads a key with at most two overlapping
// loads when the key is 16 bytes or shorter, which covers words, codes and
// most identifiers, so hashing a short string costs a few nanoseconds and no
// call. The hash is only used in memory, never written to disk or used to
// route rows (batch's HashColumns does that), so it is seeded randomly per
// process, so colliding keys cannot be crafted in advance. Group numbers
// follow first appearance, not the hash, so results do not depend on the seed.
const (
	hashK0 = 0xa0761d6478bd642f
	hashK1 = 0xe7037ed1a0b428db
	hashK2 = 0x8ebc6af09c88c6e3
)

// hashSeed is this process's hash seed.
var hashSeed = rand.Uint64() | 1

// hashMix folds the 128-bit product of a and b.
func hashMix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// hashBytes hashes b.
func hashBytes(b []byte) uint64 {
	n := len(b)
	if n <= 16 {
		return hashShort(b)
	}
	return hashLong(b)
}

// hashShort hashes a key of at most 16 bytes without a loop.
func hashShort(b []byte) uint64 {
	a, c := loadShort(b)
	return hashShortKey(a, c, len(b))
}

// loadShort reads a key of at most 16 bytes as two words: its first and
// last 8 bytes (overlapping when shorter than 16), its first and last 4 when
// shorter than 8, its first, middle and last byte when shorter than 4. With
// the length, the two words determine the key.
func loadShort(b []byte) (a, c uint64) {
	n := len(b)
	switch {
	case n >= 8:
		return binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[n-8:])
	case n >= 4:
		return uint64(binary.LittleEndian.Uint32(b)), uint64(binary.LittleEndian.Uint32(b[n-4:]))
	case n > 0:
		return uint64(b[0])<<16 | uint64(b[n>>1])<<8 | uint64(b[n-1]), 0
	}
	return 0, 0
}

// hashShortKey hashes the words loadShort read from a key of length n.
func hashShortKey(a, c uint64, n int) uint64 {
	return hashMix(a^hashK1^hashSeed, c^hashK2^uint64(n))
}

// hashLong hashes a key of more than 16 bytes, 16 bytes a round; the last
// round reads the key's final 16 bytes, overlapping the previous one.
func hashLong(b []byte) uint64 {
	n := len(b)
	h := uint64(n) ^ hashK0 ^ hashSeed
	for i := 0; i+16 < n; i += 16 {
		h = hashMix(binary.LittleEndian.Uint64(b[i:])^hashK1, binary.LittleEndian.Uint64(b[i+8:])^h)
	}
	return hashMix(binary.LittleEndian.Uint64(b[n-16:])^hashK2, binary.LittleEndian.Uint64(b[n-8:])^h)
}

// hashInt hashes a 64-bit key.
func hashInt(k uint64) uint64 {
	return hashMix(k^hashK1^hashSeed, hashK2)
}
