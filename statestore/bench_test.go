package statestore

import (
	"bytes"
	"fmt"
	"testing"
)

// benchChangelog is 10 000 puts of 16-byte keys and 64-byte values.
func benchChangelog(b *testing.B) ([]clEntry, int) {
	entries := make([]clEntry, 10000)
	size := 0
	for i := range entries {
		entries[i] = clEntry{Key: fmt.Appendf(nil, "key-%012d", i), Value: randomBytes(uint64(i), 64)}
		size += len(entries[i].Key) + len(entries[i].Value)
	}
	return entries, size
}

func BenchmarkChangelogWrite(b *testing.B) {
	entries, size := benchChangelog(b)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		w := NewChangelogWriter(&buf, 1)
		for _, e := range entries {
			w.Put(e.Key, e.Value)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChangelogRead(b *testing.B) {
	entries, size := benchChangelog(b)
	data := writeChangelog(b, 1, entries)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadChangelog("c", bytes.NewReader(data), 1, func(k, v []byte, d bool) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCipherSeal(b *testing.B) {
	c := testCipher(b, 1)
	data := randomBytes(1, 1<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		c.Seal(data)
	}
}
