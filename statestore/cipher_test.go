package statestore

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func testCipher(t testing.TB, b byte) *Cipher {
	t.Helper()
	c, err := NewCipher(testKey(b))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var cipherSizes = []int{0, 1, 100, CipherChunkSize - 1, CipherChunkSize, CipherChunkSize + 1, 3*CipherChunkSize + 5}

func TestCipherRoundTrip(t *testing.T) {
	c := testCipher(t, 1)
	for _, n := range cipherSizes {
		plain := randomBytes(uint64(n), n)
		sealed := c.Seal(plain)
		if bytes.Contains(sealed, plain[:min(n, 64)]) && n >= 16 {
			t.Fatalf("size %d: plaintext visible in the sealed file", n)
		}
		got, err := c.Open("f", sealed)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("size %d: Open: %v (equal %v)", n, err, bytes.Equal(got, plain))
		}
		// The streaming forms agree with the whole-buffer ones.
		streamed, err := io.ReadAll(c.SealReader(iotestHalfReader(plain)))
		if err != nil {
			t.Fatal(err)
		}
		if len(streamed) != len(sealed) {
			t.Fatalf("size %d: SealReader wrote %d bytes, Seal %d", n, len(streamed), len(sealed))
		}
		for _, s := range [][]byte{sealed, streamed} {
			got, err := c.Open("f", s)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("size %d: Open: %v", n, err)
			}
			got, err = io.ReadAll(c.OpenReader("f", iotestHalfReader(s)))
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("size %d: OpenReader: %v", n, err)
			}
		}
	}
}

// iotestHalfReader returns short reads, to exercise the readers' buffering.
func iotestHalfReader(b []byte) io.Reader { return &halfReader{b} }

type halfReader struct{ b []byte }

func (r *halfReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b[:max(1, min(len(p)/2, len(r.b)))])
	r.b = r.b[n:]
	return n, nil
}

func TestNilCipher(t *testing.T) {
	var c *Cipher
	plain := []byte("plain")
	if got := c.Seal(plain); !bytes.Equal(got, plain) {
		t.Fatal("nil Seal changed the data")
	}
	if got, err := c.Open("f", plain); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("nil Open: %q, %v", got, err)
	}
	if got, err := io.ReadAll(c.OpenReader("f", bytes.NewReader(plain))); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("nil OpenReader: %q, %v", got, err)
	}
	if got, _ := io.ReadAll(c.SealReader(bytes.NewReader(plain))); !bytes.Equal(got, plain) {
		t.Fatal("nil SealReader changed the data")
	}
	// An encrypted file read without a key says so.
	sealed := testCipher(t, 1).Seal(plain)
	if _, err := c.Open("f", sealed); !errors.Is(err, ErrWrongKey) || !strings.Contains(err.Error(), "no key") {
		t.Fatalf("nil Open of an encrypted file: %v", err)
	}
	if _, err := io.ReadAll(c.OpenReader("f", bytes.NewReader(sealed))); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("nil OpenReader of an encrypted file: %v", err)
	}
}

func TestCipherWrongKey(t *testing.T) {
	sealed := testCipher(t, 1).Seal([]byte("secret state"))
	other := testCipher(t, 2)
	_, err := other.Open("state/0/1/SSTs/a.sst", sealed)
	if !errors.Is(err, ErrWrongKey) || err.Error() != "wrong state encryption key for state/0/1/SSTs/a.sst" {
		t.Fatalf("Open with another key: %v", err)
	}
	var ce *checkpoint.CorruptionError
	if errors.As(err, &ce) {
		t.Fatal("a wrong key reported as corruption")
	}
	if _, err := io.ReadAll(other.OpenReader("f", bytes.NewReader(sealed))); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("OpenReader with another key: %v", err)
	}
	// A file written without encryption, read with a key.
	_, err = other.Open("f", []byte("v1\n{}\n"))
	wantCorruption(t, err, "f", "an unencrypted file")
}

// openBoth opens sealed whole and streaming, and checks they agree.
func openBoth(t *testing.T, c *Cipher, sealed []byte) error {
	t.Helper()
	_, err1 := c.Open("f", sealed)
	_, err2 := io.ReadAll(c.OpenReader("f", bytes.NewReader(sealed)))
	if (err1 == nil) != (err2 == nil) {
		t.Fatalf("Open says %v, OpenReader %v", err1, err2)
	}
	return err1
}

func TestCipherTampered(t *testing.T) {
	c := testCipher(t, 1)
	sealed := c.Seal([]byte("a small state file"))
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x04
		err := openBoth(t, c, bad)
		wantCorruption(t, err, "f", fmt.Sprintf("byte %d flipped", i))
	}
	for n := range len(sealed) {
		wantCorruption(t, openBoth(t, c, sealed[:n]), "f", fmt.Sprintf("cut to %d bytes", n))
	}
	wantCorruption(t, openBoth(t, c, append(bytes.Clone(sealed), 0)), "f", "a byte appended")
}

func TestCipherChunks(t *testing.T) {
	c := testCipher(t, 1)
	plain := randomBytes(9, 3*CipherChunkSize+5)
	sealed := c.Seal(plain)
	step := CipherChunkSize + cipherTagLen
	chunk := func(i int) []byte {
		return sealed[cipherHeaderLen+i*step : min(len(sealed), cipherHeaderLen+(i+1)*step)]
	}
	join := func(parts ...[]byte) []byte {
		return bytes.Join(append([][]byte{sealed[:cipherHeaderLen]}, parts...), nil)
	}
	for name, bad := range map[string][]byte{
		"cut at chunk 1":      join(chunk(0)),
		"cut at chunk 3":      join(chunk(0), chunk(1), chunk(2)),
		"chunks 1, 2 swapped": join(chunk(0), chunk(2), chunk(1), chunk(3)),
		"chunk 1 dropped":     join(chunk(0), chunk(2), chunk(3)),
		"chunk 1 repeated":    join(chunk(0), chunk(1), chunk(1), chunk(2), chunk(3)),
		"last chunk cut":      sealed[:len(sealed)-1],
		"header only":         sealed[:cipherHeaderLen],
		"other file's chunk":  join(chunk(0), c.Seal(plain)[cipherHeaderLen+step:cipherHeaderLen+2*step], chunk(2), chunk(3)),
	} {
		wantCorruption(t, openBoth(t, c, bad), "f", name)
	}
}

func TestCipherEachSealDiffers(t *testing.T) {
	c := testCipher(t, 1)
	if bytes.Equal(c.Seal([]byte("x")), c.Seal([]byte("x"))) {
		t.Fatal("two seals of the same data are equal: no fresh salt")
	}
}

func TestNewCipherKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := NewCipher(make([]byte, n)); err == nil {
			t.Fatalf("NewCipher accepted a %d-byte key", n)
		}
	}
}

func TestCipherFromEnv(t *testing.T) {
	key := testKey(7)
	const name = "SLUICE_TEST_STATE_KEY"
	sealed := testCipher(t, 7).Seal([]byte("x"))
	for _, val := range []string{
		hex.EncodeToString(key),
		strings.ToUpper(hex.EncodeToString(key)),
		base64.StdEncoding.EncodeToString(key),
		base64.RawURLEncoding.EncodeToString(key),
		" " + base64.StdEncoding.EncodeToString(key) + "\n",
	} {
		t.Setenv(name, val)
		c, err := CipherFromEnv(name)
		if err != nil || c == nil {
			t.Fatalf("%q: %v, %v", val, c, err)
		}
		if _, err := c.Open("f", sealed); err != nil {
			t.Fatalf("%q: not the same key: %v", val, err)
		}
	}
	for _, val := range []string{"", "00", hex.EncodeToString(key[:16]), "zz" + hex.EncodeToString(key)[2:], base64.StdEncoding.EncodeToString(append(key, 1))} {
		t.Setenv(name, val)
		_, err := CipherFromEnv(name)
		if err == nil {
			t.Fatalf("%q accepted", val)
		}
		if val != "" && strings.Contains(err.Error(), val) {
			t.Fatalf("the error shows the variable's value: %v", err)
		}
		if !strings.Contains(err.Error(), name) {
			t.Fatalf("the error does not name the variable: %v", err)
		}
	}
	if c, err := CipherFromEnv("SLUICE_TEST_UNSET_KEY"); c != nil || err != nil {
		t.Fatalf("unset variable: %v, %v", c, err)
	}
}

func TestCipherHidesKey(t *testing.T) {
	key := testKey(0xab)
	c := testCipher(t, 0xab)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c), fmt.Sprintf("%v", *c)} {
		if strings.Contains(s, hex.EncodeToString(key[:4])) || strings.Contains(s, "171 171") || strings.Contains(s, string(key[:4])) {
			t.Fatalf("formatting shows the key: %s", s)
		}
	}
	sealed := c.Seal(bytes.Repeat([]byte{0}, 1000))
	if bytes.Contains(sealed, key[:8]) {
		t.Fatal("the key is in the sealed file")
	}
}

func FuzzCipherOpen(f *testing.F) {
	c := testCipher(f, 1)
	f.Add(c.Seal([]byte("state")))
	f.Add(c.Seal(nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		plain, err := c.Open("f", data)
		streamed, serr := io.ReadAll(c.OpenReader("f", bytes.NewReader(data)))
		if (err == nil) != (serr == nil) || (err == nil && !bytes.Equal(plain, streamed)) {
			t.Fatalf("Open: %v; OpenReader: %v", err, serr)
		}
		var ce *checkpoint.CorruptionError
		if err != nil && !errors.As(err, &ce) && !errors.Is(err, ErrWrongKey) {
			t.Fatalf("neither corruption nor a wrong key: %v", err)
		}
	})
}
