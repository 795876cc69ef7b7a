package statestore

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"strings"

	"github.com/sluicestream/sluice/checkpoint"
)

// An encrypted state file is a header followed by chunks:
//
//	header  "SLCE" | format version (1 byte, = 1) | chunk size (uint32 LE) |
//	        salt (16 random bytes) | nonce prefix (7 random bytes) |
//	        key check (16 bytes) | CRC32C of the header so far (4 bytes LE)
//	chunk   AES-256-GCM of up to chunk-size plaintext bytes, then its 16-byte tag
//
// Every chunk but the last holds exactly chunk-size plaintext bytes; the last
// holds the rest (possibly none: an empty file is one empty chunk). Chunk i
// is sealed under a key derived for this file,
// HKDF-SHA256(key, salt, "sluice state file v1"), with the nonce
// prefix | i (uint32 BE) | last (1 byte: 1 for the last chunk, else 0) and the
// whole header as additional data. So a chunk moved, dropped, duplicated or
// cut short, a file truncated at a chunk boundary, or a header byte changed
// fails authentication. The per-file key makes nonce reuse across files
// impossible in practice (it would need two equal 128-bit salts).
//
// The key check is HKDF-SHA256(key, salt, "sluice state key check v1"),
// 16 bytes: a reader with another key computes a different one and reports
// ErrWrongKey instead of corruption. The header CRC tells a garbled key
// check apart from a wrong key. Neither the key nor anything it can be
// recovered from is ever written or put in an error.
const (
	cipherMagic         = "SLCE"
	cipherFormatVersion = 1
	cipherSaltLen       = 16
	cipherPrefixLen     = 7
	cipherCheckLen      = 16
	cipherHeaderLen     = len(cipherMagic) + 1 + 4 + cipherSaltLen + cipherPrefixLen + cipherCheckLen + 4
	cipherTagLen        = 16

	// CipherChunkSize is the plaintext bytes per encrypted chunk: large
	// enough that the 16-byte tag per chunk costs 0.02%, small enough that
	// large files stream through a small buffer.
	CipherChunkSize = 64 << 10

	// maxCipherChunkSize bounds the chunk size a reader accepts, so a
	// garbled header cannot make it allocate much.
	maxCipherChunkSize = 16 << 20

	// KeySize is the length of a state encryption key (AES-256).
	KeySize = 32

	fileKeyInfo  = "sluice state file v1"
	keyCheckInfo = "sluice state key check v1"
)

// ErrWrongKey: an encrypted state file was written with another key than
// the one configured (or with one while none is configured).
var ErrWrongKey = errors.New("wrong state encryption key")

// Cipher encrypts state files uploaded to checkpoint storage with
// AES-256-GCM, in independently authenticated chunks. A nil *Cipher means no
// encryption: every method works on it and passes data through unchanged. A
// Cipher is safe for concurrent use.
type Cipher struct {
	// key is behind a pointer so that even formatting a Cipher value (not a
	// pointer, whose String hides it) prints an address, not the key.
	key *[KeySize]byte
}

// NewCipher returns a Cipher for a 32-byte AES-256 key. The key is copied.
func NewCipher(key []byte) (*Cipher, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("state encryption key must be %d bytes, got %d", KeySize, len(key))
	}
	c := &Cipher{key: new([KeySize]byte)}
	copy(c.key[:], key)
	return c, nil
}

// CipherFromEnv reads a key from the environment variable name, given as 64
// hex digits or as base64 (standard or URL alphabet, padded or not) of 32
// bytes. An unset variable means no encryption: nil, nil. A variable that is
// set but empty or malformed is an error, which never contains its value.
func CipherFromEnv(name string) (*Cipher, error) {
	val, ok := os.LookupEnv(name)
	if !ok {
		return nil, nil
	}
	key, ok := decodeKey(strings.TrimSpace(val))
	if !ok {
		return nil, fmt.Errorf("environment variable %s: state encryption key must be %d bytes, as %d hex digits or base64", name, KeySize, 2*KeySize)
	}
	return NewCipher(key)
}

func decodeKey(s string) ([]byte, bool) {
	if len(s) == 2*KeySize {
		if key, err := hex.DecodeString(s); err == nil {
			return key, true
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil && len(key) == KeySize {
			return key, true
		}
	}
	return nil, false
}

// String hides the key from fmt verbs.
func (c *Cipher) String() string {
	if c == nil {
		return "statestore.Cipher(none)"
	}
	return "statestore.Cipher(AES-256-GCM)"
}

// GoString hides the key from %#v.
func (c *Cipher) GoString() string { return c.String() }

// Seal encrypts plain into a new slice. A nil Cipher returns plain itself.
func (c *Cipher) Seal(plain []byte) []byte {
	if c == nil {
		return plain
	}
	nchunks := max(1, (len(plain)+CipherChunkSize-1)/CipherChunkSize)
	out := make([]byte, 0, cipherHeaderLen+len(plain)+nchunks*cipherTagLen)
	s := c.newSealer(CipherChunkSize)
	out = append(out, s.header...)
	for i := 0; i < nchunks; i++ {
		chunk := plain[i*CipherChunkSize : min(len(plain), (i+1)*CipherChunkSize)]
		out = s.seal(out, chunk, i == nchunks-1)
	}
	return out
}

// Open decrypts and authenticates a sealed file; path names it in errors. A
// wrong key gives an error wrapping ErrWrongKey; a truncated or tampered file
// a *checkpoint.CorruptionError. A nil Cipher returns sealed itself, unless
// it is an encrypted state file (ErrWrongKey: no key configured).
func (c *Cipher) Open(path string, sealed []byte) ([]byte, error) {
	if c == nil {
		if looksEncrypted(sealed) {
			return nil, noKeyError(path)
		}
		return sealed, nil
	}
	o, err := c.newOpener(path, sealed)
	if err != nil {
		return nil, err
	}
	body := sealed[cipherHeaderLen:]
	step := o.chunkSize + cipherTagLen
	plain := make([]byte, 0, max(0, len(body)-(len(body)/step+1)*cipherTagLen))
	for i := 0; ; i++ {
		n := min(step, len(body))
		last := n == len(body)
		if plain, err = o.open(plain, body[:n], i, last); err != nil {
			return nil, err
		}
		if last {
			return plain, nil
		}
		body = body[n:]
	}
}

// sealer seals the chunks of one file.
type sealer struct {
	aead   cipher.AEAD
	header []byte
	prefix []byte
	next   uint64 // index of the next chunk
}

func (c *Cipher) newSealer(chunkSize int) *sealer {
	hdr := make([]byte, 0, cipherHeaderLen)
	hdr = append(hdr, cipherMagic...)
	hdr = append(hdr, cipherFormatVersion)
	hdr = binary.LittleEndian.AppendUint32(hdr, uint32(chunkSize))
	hdr = append(hdr, make([]byte, cipherSaltLen+cipherPrefixLen)...)
	rand.Read(hdr[len(hdr)-cipherSaltLen-cipherPrefixLen:]) // never fails (Go ≥ 1.24)
	salt := hdr[9 : 9+cipherSaltLen]
	prefix := hdr[9+cipherSaltLen : 9+cipherSaltLen+cipherPrefixLen]
	hdr = append(hdr, c.keyCheck(salt)...)
	hdr = binary.LittleEndian.AppendUint32(hdr, crc32.Checksum(hdr, crc32c))
	return &sealer{aead: c.fileAEAD(salt), header: hdr, prefix: prefix}
}

// seal appends the sealed chunk to dst.
func (s *sealer) seal(dst, chunk []byte, last bool) []byte {
	if s.next > 1<<32-1 {
		panic("statestore: encrypted file exceeds 2^32 chunks") // 256 TiB: callers never get here
	}
	nonce := chunkNonce(s.prefix, s.next, last)
	s.next++
	return s.aead.Seal(dst, nonce[:], chunk, s.header)
}

// opener opens the chunks of one file.
type opener struct {
	path      string
	aead      cipher.AEAD
	header    []byte
	prefix    []byte
	chunkSize int
}

// newOpener checks a sealed file's header (data holds at least its start).
func (c *Cipher) newOpener(path string, data []byte) (*opener, error) {
	hdr, err := parseCipherHeader(path, data)
	if err != nil {
		return nil, err
	}
	salt := hdr[9 : 9+cipherSaltLen]
	check := hdr[9+cipherSaltLen+cipherPrefixLen : cipherHeaderLen-4]
	if subtle.ConstantTimeCompare(check, c.keyCheck(salt)) != 1 {
		return nil, fmt.Errorf("%w for %s", ErrWrongKey, path)
	}
	return &opener{
		path:      path,
		aead:      c.fileAEAD(salt),
		header:    bytes.Clone(hdr),
		prefix:    bytes.Clone(hdr[9+cipherSaltLen : 9+cipherSaltLen+cipherPrefixLen]),
		chunkSize: int(binary.LittleEndian.Uint32(hdr[5:9])),
	}, nil
}

// open appends chunk i's plaintext to dst.
func (o *opener) open(dst, chunk []byte, i int, last bool) ([]byte, error) {
	if uint64(i) > 1<<32-1 {
		return nil, o.corrupt(-1, "more than 2^32 chunks")
	}
	if len(chunk) < cipherTagLen {
		return nil, o.corrupt(-1, "chunk %d: truncated", i)
	}
	nonce := chunkNonce(o.prefix, uint64(i), last)
	out, err := o.aead.Open(dst, nonce[:], chunk, o.header)
	if err != nil {
		return nil, o.corrupt(-1, "chunk %d: authentication failed (truncated, reordered or tampered)", i)
	}
	return out, nil
}

func (o *opener) corrupt(off int64, format string, args ...any) error {
	return &checkpoint.CorruptionError{Path: o.path, Offset: off, Reason: "encrypted file: " + fmt.Sprintf(format, args...)}
}

// parseCipherHeader checks the header at the start of data and returns it.
func parseCipherHeader(path string, data []byte) ([]byte, error) {
	corrupt := func(off int64, format string, args ...any) error {
		return &checkpoint.CorruptionError{Path: path, Offset: off, Reason: "encrypted file: " + fmt.Sprintf(format, args...)}
	}
	switch {
	case len(data) >= len(cipherMagic) && string(data[:len(cipherMagic)]) != cipherMagic:
		return nil, corrupt(0, "not encrypted (bad magic); was it written without a state encryption key?")
	case len(data) < cipherHeaderLen:
		return nil, corrupt(-1, "truncated header")
	}
	hdr := data[:cipherHeaderLen]
	if binary.LittleEndian.Uint32(hdr[cipherHeaderLen-4:]) != crc32.Checksum(hdr[:cipherHeaderLen-4], crc32c) {
		return nil, corrupt(0, "header checksum mismatch")
	}
	if hdr[4] != cipherFormatVersion {
		return nil, corrupt(4, "format %d is newer than this build reads (%d)", hdr[4], cipherFormatVersion)
	}
	if cs := binary.LittleEndian.Uint32(hdr[5:9]); cs == 0 || cs > maxCipherChunkSize {
		return nil, corrupt(5, "chunk size %d out of range", cs)
	}
	return hdr, nil
}

// looksEncrypted reports whether data starts with a valid encrypted-file
// header.
func looksEncrypted(data []byte) bool {
	_, err := parseCipherHeader("", data)
	return err == nil
}

func noKeyError(path string) error {
	return fmt.Errorf("%w for %s: the file is encrypted and no key is configured", ErrWrongKey, path)
}

func chunkNonce(prefix []byte, i uint64, last bool) [12]byte {
	var n [12]byte
	copy(n[:], prefix)
	binary.BigEndian.PutUint32(n[cipherPrefixLen:], uint32(i))
	if last {
		n[11] = 1
	}
	return n
}

func (c *Cipher) keyCheck(salt []byte) []byte {
	return c.derive(salt, keyCheckInfo, cipherCheckLen)
}

func (c *Cipher) fileAEAD(salt []byte) cipher.AEAD {
	block, err := aes.NewCipher(c.derive(salt, fileKeyInfo, KeySize))
	if err != nil {
		panic(fmt.Sprintf("statestore: aes: %v", err)) // 32-byte key: a broken invariant
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(fmt.Sprintf("statestore: gcm: %v", err))
	}
	return aead
}

func (c *Cipher) derive(salt []byte, info string, n int) []byte {
	k, err := hkdf.Key(sha256.New, c.key[:], salt, info, n)
	if err != nil {
		panic(fmt.Sprintf("statestore: hkdf: %v", err)) // small n: a broken invariant
	}
	return k
}
