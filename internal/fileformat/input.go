package fileformat

import (
	"bufio"
	"bytes"
	"io"
)

// readBufSize is the read buffer per open file: large enough that reads are
// few and long lines rarely need stitching.
const readBufSize = 64 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// newInput buffers r and skips a leading UTF-8 byte-order mark.
func newInput(r io.Reader) *bufio.Reader {
	br := bufio.NewReaderSize(r, readBufSize)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	return br
}

// lineReader splits input into lines of any length, without \n or \r\n.
type lineReader struct {
	br   *bufio.Reader
	long []byte // a line longer than br's buffer, stitched together
	line int64  // number of the line last returned, from 1
}

// next returns the next line, valid until the following call, or io.EOF.
func (l *lineReader) next() ([]byte, error) {
	b, err := l.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		l.long = append(l.long[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = l.br.ReadSlice('\n')
			l.long = append(l.long, b...)
		}
		b = l.long
	}
	if err == io.EOF && len(b) > 0 {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	l.line++
	return trimEOL(b), nil
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// rawTee keeps what a CSV parser reads so that the raw text of a record can be
// recovered from the parser's input offsets.
type rawTee struct {
	r    io.Reader
	buf  []byte
	base int64 // input offset of buf[0]
}

func (t *rawTee) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.buf = append(t.buf, p[:n]...)
	return n, err
}

// slice returns the input between offsets from and to, valid until the next
// Read or discard.
func (t *rawTee) slice(from, to int64) []byte {
	start := min(max(from-t.base, 0), int64(len(t.buf)))
	end := min(max(to-t.base, start), int64(len(t.buf)))
	return t.buf[start:end]
}

// discard forgets the input before offset to, compacting the buffer only
// when more than half of it is dead so that the cost stays linear.
func (t *rawTee) discard(to int64) {
	dead := to - t.base
	if dead <= 0 || dead < int64(len(t.buf))/2 {
		return
	}
	dead = min(dead, int64(len(t.buf)))
	n := copy(t.buf, t.buf[dead:])
	t.buf = t.buf[:n]
	t.base += dead
}
