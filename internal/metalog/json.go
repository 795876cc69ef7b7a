package metalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// Field is one member of a JSON object, its value kept verbatim: how the
// typed logs carry fields they do not interpret (another writer's, or a newer
// Spark's) from a file they read to a file they write.
type Field struct {
	Name  string
	Value json.RawMessage // one JSON value, compact or not, without newlines
}

// Fields is a JSON object's members in file order.
type Fields []Field

// Get returns the value of the member called name.
func (f Fields) Get(name string) (json.RawMessage, bool) {
	for _, m := range f {
		if m.Name == name {
			return m.Value, true
		}
	}
	return nil, false
}

// Set replaces the value of the member called name, or appends the member.
func (f *Fields) Set(name string, value json.RawMessage) {
	for i := range *f {
		if (*f)[i].Name == name {
			(*f)[i].Value = value
			return
		}
	}
	*f = append(*f, Field{name, value})
}

// Delete removes the member called name, if present.
func (f *Fields) Delete(name string) {
	for i := range *f {
		if (*f)[i].Name == name {
			*f = append((*f)[:i], (*f)[i+1:]...)
			return
		}
	}
}

// ParseObject parses data as one JSON object (whitespace around it allowed)
// and returns its members in order. Duplicate names are an error: no writer
// produces them, and which one a reader takes is not defined. Errors are
// *SyntaxError with offsets into data.
func ParseObject(data []byte) (Fields, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := expectDelim(dec, '{', "not a JSON object"); err != nil {
		return nil, err
	}
	var fields Fields
	for dec.More() {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, syntaxError(dec, "bad object key", err)
		}
		name, _ := tok.(string) // the decoder allows only strings as keys
		if _, dup := fields.Get(name); dup {
			return nil, &SyntaxError{Offset: off, Reason: fmt.Sprintf("duplicate field %q", name)}
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, syntaxError(dec, fmt.Sprintf("bad value of field %q", name), err)
		}
		fields = append(fields, Field{name, v})
	}
	if err := expectDelim(dec, '}', "unterminated object"); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &SyntaxError{Offset: dec.InputOffset(), Reason: "data after the JSON object"}
	}
	return fields, nil
}

func expectDelim(dec *json.Decoder, want json.Delim, reason string) error {
	off := dec.InputOffset()
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(dec, reason, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return &SyntaxError{Offset: off, Reason: reason}
	}
	return nil
}

// syntaxError reports a decoder error at the best offset known.
func syntaxError(dec *json.Decoder, reason string, err error) *SyntaxError {
	off := dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		reason += " (truncated?)"
		err = io.ErrUnexpectedEOF
	}
	return &SyntaxError{Offset: off, Reason: reason, Err: err}
}

// Int64 interprets v, the value of field name, as a JSON integer (no
// fraction or exponent, in int64 range). Errors are *SyntaxError without an
// offset.
func Int64(name string, v json.RawMessage) (int64, error) {
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return 0, &SyntaxError{Offset: -1, Reason: fmt.Sprintf("%s is %s, not a 64-bit integer", name, quoteStart(v))}
	}
	return n, nil
}

// String interprets v, the value of field name, as a JSON string.
func String(name string, v json.RawMessage) (string, error) {
	var s string
	if len(v) == 0 || v[0] != '"' || json.Unmarshal(v, &s) != nil {
		return "", &SyntaxError{Offset: -1, Reason: fmt.Sprintf("%s is %s, not a string", name, quoteStart(v))}
	}
	return s, nil
}

// ObjectWriter builds a compact JSON object byte for byte as Spark writes
// one (json4s over Jackson): no spaces, members in the order written,
// strings escaped as Jackson escapes them (see AppendString). The first
// invalid input it sees is kept and returned by Bytes.
type ObjectWriter struct {
	buf []byte
	n   int
	err error
}

// Raw writes a member whose value is v verbatim. v must be one JSON value
// without a newline.
func (w *ObjectWriter) Raw(name string, v json.RawMessage) {
	switch {
	case len(v) == 0 || !json.Valid(v):
		w.fail(fmt.Errorf("field %q: value %s is not JSON", name, quoteStart(v)))
	case bytes.IndexByte(v, '\n') >= 0:
		w.fail(fmt.Errorf("field %q: value spans lines", name))
	}
	w.key(name)
	w.buf = append(w.buf, v...)
}

// Int writes a member with an integer value.
func (w *ObjectWriter) Int(name string, v int64) {
	w.key(name)
	w.buf = strconv.AppendInt(w.buf, v, 10)
}

// String writes a member with a string value.
func (w *ObjectWriter) String(name, v string) {
	w.key(name)
	w.str(v)
}

// Object writes a member whose value is the object built by sub.
func (w *ObjectWriter) Object(name string, sub *ObjectWriter) {
	b, err := sub.Bytes()
	if err != nil {
		w.fail(fmt.Errorf("field %q: %w", name, err))
	}
	w.key(name)
	w.buf = append(w.buf, b...)
}

// Bytes returns the object, or the first error met while building it.
func (w *ObjectWriter) Bytes() ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	if w.n == 0 {
		return []byte("{}"), nil
	}
	return append(w.buf, '}'), nil
}

func (w *ObjectWriter) key(name string) {
	if w.n == 0 {
		w.buf = append(w.buf, '{')
	} else {
		w.buf = append(w.buf, ',')
	}
	w.n++
	w.str(name)
	w.buf = append(w.buf, ':')
}

func (w *ObjectWriter) str(s string) {
	if !utf8.ValidString(s) {
		w.fail(fmt.Errorf("string %q is not valid UTF-8", s))
	}
	w.buf = AppendString(w.buf, s)
}

func (w *ObjectWriter) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// WriteExtra writes extra's members after the members a typed layer wrote
// itself, named in known; a member of extra with one of those names, or a
// repeated one, is an error.
func WriteExtra(w *ObjectWriter, extra Fields, known ...string) error {
	for i, f := range extra {
		for _, k := range known {
			if f.Name == k {
				return fmt.Errorf("extra field %q is not extra", f.Name)
			}
		}
		for _, g := range extra[:i] {
			if g.Name == f.Name {
				return fmt.Errorf("extra field %q appears twice", f.Name)
			}
		}
		w.Raw(f.Name, f.Value)
	}
	return nil
}

// AppendString appends s as a JSON string escaped as Jackson (under Spark's
// json4s) escapes it: '"' and '\\' with a backslash, \b \t \n \f \r by
// their short escapes, other control characters below 0x20 as \u00XX with
// upper-case hex, and everything else, non-ASCII included, as it is (UTF-8).
// '/' and U+2028 are not escaped, and neither are '<', '>' or '&' (which
// encoding/json would escape).
func AppendString(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\b':
			dst = append(dst, '\\', 'b')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\f':
			dst = append(dst, '\\', 'f')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
