package statestore

import (
	"bufio"
	"fmt"
	"io"
)

// SealReader returns a reader of r's bytes encrypted as Seal would (the
// same format, another random salt). It reads r one chunk ahead. Errors
// reading r are passed through. A nil Cipher returns r.
func (c *Cipher) SealReader(r io.Reader) io.Reader {
	if c == nil {
		return r
	}
	s := c.newSealer(CipherChunkSize)
	return &sealReader{src: bufio.NewReaderSize(r, CipherChunkSize), s: s, out: s.header, buf: make([]byte, CipherChunkSize)}
}

type sealReader struct {
	src  *bufio.Reader
	s    *sealer
	buf  []byte // plaintext of the next chunk
	out  []byte // sealed bytes not yet returned
	done bool   // the last chunk is in out
	err  error
}

func (r *sealReader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.done {
			return 0, io.EOF
		}
		r.fill()
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

// fill seals the next chunk into out.
func (r *sealReader) fill() {
	n, err := io.ReadFull(r.src, r.buf)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		r.done = true
	case err != nil:
		r.err = err
		return
	default: // a full chunk: it is the last if nothing follows
		if _, err := r.src.Peek(1); err == io.EOF {
			r.done = true
		} else if err != nil {
			r.err = err
			return
		}
	}
	r.out = r.s.seal(r.out[:0:0], r.buf[:n], r.done)
}

// OpenReader returns a reader of the plaintext of the sealed stream r; path
// names it in errors. Every chunk is authenticated before any of its bytes
// are returned, but a reader sees the chunks before a later one fails: on
// any error the caller discards what it read. A wrong key gives an error
// wrapping ErrWrongKey; a truncated or tampered stream a
// *checkpoint.CorruptionError; errors reading r are passed through wrapped.
// A nil Cipher returns r's bytes unchanged, unless they start with an
// encrypted-file header (ErrWrongKey: no key configured).
func (c *Cipher) OpenReader(path string, r io.Reader) io.Reader {
	if c == nil {
		return &plainReader{path: path, src: bufio.NewReaderSize(r, cipherHeaderLen)}
	}
	src := &sourceReader{r: r}
	return &openReader{c: c, path: path, raw: src, src: bufio.NewReaderSize(src, CipherChunkSize+cipherTagLen)}
}

type openReader struct {
	c    *Cipher // not nil
	path string
	raw  *sourceReader
	src  *bufio.Reader
	o    *opener // nil before the header is read
	buf  []byte  // one sealed chunk
	out  []byte  // plaintext not yet returned
	i    int     // index of the next chunk
	done bool    // the last chunk was read
	err  error
}

func (r *openReader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.done {
			return 0, io.EOF
		}
		r.err = r.fill()
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

func (r *openReader) fill() error {
	if r.o == nil {
		return r.header()
	}
	n, err := io.ReadFull(r.src, r.buf)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		r.done = true
	case err != nil:
		return r.ioErr(err)
	default:
		if _, err := r.src.Peek(1); err == io.EOF {
			r.done = true
		} else if err != nil {
			return r.ioErr(err)
		}
	}
	if r.raw.err != nil {
		return r.ioErr(r.raw.err)
	}
	out, err := r.o.open(r.out[:0], r.buf[:n], r.i, r.done)
	if err != nil {
		return err
	}
	r.out = out
	r.i++
	return nil
}

// header reads and checks the header.
func (r *openReader) header() error {
	hdr, err := r.src.Peek(cipherHeaderLen)
	if r.raw.err != nil {
		return r.ioErr(r.raw.err)
	}
	if err != nil && err != io.EOF {
		return r.ioErr(err)
	}
	if r.o, err = r.c.newOpener(r.path, hdr); err != nil {
		return err
	}
	if _, err := r.src.Discard(cipherHeaderLen); err != nil {
		return r.ioErr(err)
	}
	r.buf = make([]byte, r.o.chunkSize+cipherTagLen)
	r.out = make([]byte, 0, r.o.chunkSize)
	return nil
}

func (r *openReader) ioErr(err error) error {
	return fmt.Errorf("read %s: %w", r.path, err)
}

// plainReader passes an unencrypted stream through, refusing one that
// starts with an encrypted-file header.
type plainReader struct {
	path    string
	src     *bufio.Reader
	checked bool
	err     error
}

func (r *plainReader) Read(p []byte) (int, error) {
	if !r.checked {
		r.checked = true
		if hdr, _ := r.src.Peek(cipherHeaderLen); looksEncrypted(hdr) {
			r.err = noKeyError(r.path)
		}
	}
	if r.err != nil {
		return 0, r.err
	}
	return r.src.Read(p)
}
