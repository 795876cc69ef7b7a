package fileformat

import (
	"bytes"
	"encoding/json"
)

// objectScanner walks the members of one JSON object. It relies on the input
// having passed json.Valid and only finds where keys and values start and
// end; it never panics on other input, it just stops.
type objectScanner struct {
	b []byte
	i int
}

// newObjectScanner starts at the '{' that opens b (after leading space).
func newObjectScanner(b []byte) objectScanner {
	s := objectScanner{b: b}
	s.skipSpace()
	if s.i < len(b) && b[s.i] == '{' {
		s.i++
	} else {
		s.i = len(b)
	}
	return s
}

// next returns the next member's key (quoted, as in the input) and value
// (raw JSON), or ok false after the last one.
func (s *objectScanner) next() (key, val []byte, ok bool) {
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == ',' {
		s.i++
		s.skipSpace()
	}
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, nil, false
	}
	end := stringEnd(s.b, s.i)
	key, s.i = s.b[s.i:end], end
	s.skipSpace()
	if s.i >= len(s.b) || s.b[s.i] != ':' {
		return nil, nil, false
	}
	s.i++
	s.skipSpace()
	start := s.i
	s.i = valueEnd(s.b, s.i)
	if s.i == start {
		return nil, nil, false
	}
	return key, s.b[start:s.i], true
}

func (s *objectScanner) skipSpace() {
	for s.i < len(s.b) && isSpace(s.b[s.i]) {
		s.i++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// stringEnd returns the index just past the JSON string opening at b[i].
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd returns the index just past the JSON value starting at b[i].
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && !isSpace(b[j]) && b[j] != ',' && b[j] != '}' && b[j] != ']' {
		j++
	}
	return j
}

// unquote returns the content of a JSON string, as bytes of the input when it
// has no escapes. ok is false if q is not a valid JSON string.
func unquote(q []byte) (content []byte, s string, ok bool) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return nil, "", false
	}
	if bytes.IndexByte(q, '\\') < 0 {
		return q[1 : len(q)-1], "", true
	}
	s, ok = unescape(q)
	return nil, s, ok
}

// unescape decodes a JSON string with escapes; it is apart from unquote so
// that the fast path does not allocate.
func unescape(q []byte) (string, bool) {
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return "", false
	}
	return s, true
}

// jsonType is the inferred type of one raw JSON value.
func jsonType(v []byte) inferred {
	switch v[0] {
	case 'n':
		return tNull
	case 't', 'f':
		return tBool
	case '"', '{', '[':
		return tString
	}
	if bytes.ContainsAny(v, ".eE") || !isInt(string(v)) {
		return tFloat
	}
	return tInt
}
