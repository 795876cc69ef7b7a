package statestore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"

	"pgregory.net/rapid"

	"github.com/sluicestream/sluice/checkpoint"
)

type clEntry struct {
	Key, Value []byte
	Deleted    bool
}

// fataler is what testing.TB and *rapid.T share.
type fataler interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

func writeChangelog(t fataler, version int64, entries []clEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewChangelogWriter(&buf, version)
	for _, e := range entries {
		var err error
		if e.Deleted {
			err = w.Delete(e.Key)
		} else {
			err = w.Put(e.Key, e.Value)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if w.Count() != len(entries) {
		t.Fatalf("Count = %d, want %d", w.Count(), len(entries))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readChangelog(path string, data []byte, version int64) ([]clEntry, error) {
	var got []clEntry
	err := ReadChangelog(path, bytes.NewReader(data), version, func(k, v []byte, deleted bool) error {
		if deleted && v != nil {
			return errors.New("delete with a non-nil value")
		}
		got = append(got, clEntry{bytes.Clone(k), bytes.Clone(v), deleted})
		return nil
	})
	return got, err
}

func sameEntries(a, b []clEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i].Key, b[i].Key) || a[i].Deleted != b[i].Deleted || (!a[i].Deleted && !bytes.Equal(a[i].Value, b[i].Value)) {
			return false
		}
	}
	return true
}

func TestChangelogRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		version := rapid.Int64Range(1, 1<<62).Draw(t, "version")
		n := rapid.IntRange(0, 50).Draw(t, "n")
		entries := make([]clEntry, n)
		for i := range entries {
			e := clEntry{Key: rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "key")}
			if e.Deleted = rapid.Bool().Draw(t, "deleted"); !e.Deleted {
				switch rapid.IntRange(0, 9).Draw(t, "size") {
				case 0: // large, incompressible: spans LZ4 blocks and read chunks
					e.Value = randomBytes(rapid.Uint64().Draw(t, "seed"), 300<<10)
				case 1:
					e.Value = []byte{}
				default:
					e.Value = rapid.SliceOfN(rapid.Byte(), 0, 200).Draw(t, "value")
				}
			}
			entries[i] = e
		}
		data := writeChangelog(t, version, entries)
		got, err := readChangelog("s/1.changelog", data, version)
		if err != nil {
			t.Fatal(err)
		}
		if !sameEntries(got, entries) {
			t.Fatalf("read %d entries back, not the %d written", len(got), len(entries))
		}
	})
}

// smallChangelog has a put, an empty put and a delete.
func smallChangelog(t testing.TB) []byte {
	return writeChangelog(t, 7, []clEntry{
		{Key: []byte("alpha"), Value: []byte("one")},
		{Key: []byte("beta"), Value: []byte{}},
		{Key: []byte("alpha"), Deleted: true},
	})
}

func wantCorruption(t *testing.T, err error, path, what string) {
	t.Helper()
	var ce *checkpoint.CorruptionError
	if !errors.As(err, &ce) {
		t.Fatalf("%s: got %v, want a CorruptionError", what, err)
	}
	if ce.Path != path {
		t.Fatalf("%s: CorruptionError names %q, want %q", what, ce.Path, path)
	}
}

func TestChangelogTruncatedAnywhere(t *testing.T) {
	data := smallChangelog(t)
	for n := range len(data) {
		_, err := readChangelog("s/7.changelog", data[:n], 7)
		wantCorruption(t, err, "s/7.changelog", fmt.Sprintf("truncated to %d of %d bytes", n, len(data)))
	}
}

func TestChangelogFlippedByteAnywhere(t *testing.T) {
	data := smallChangelog(t)
	for i := range data {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(data)
			bad[i] ^= mask
			_, err := readChangelog("s/7.changelog", bad, 7)
			wantCorruption(t, err, "s/7.changelog", fmt.Sprintf("byte %d ^ %#x", i, mask))
		}
	}
}

func TestChangelogContentCorruption(t *testing.T) {
	// Garble the content under a valid LZ4 frame, so that the record checks
	// (not the LZ4 checksums) must catch it.
	var content bytes.Buffer
	w := NewChangelogWriter(&content, 3)
	w.Put([]byte("k"), []byte("v"))
	w.Close()
	plain, err := io.ReadAll(lz4Reader(content.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range plain {
		bad := bytes.Clone(plain)
		bad[i] ^= 0x10
		_, err := readChangelog("c", lz4Frame(bad), 3)
		wantCorruption(t, err, "c", fmt.Sprintf("content byte %d", i))
	}
	for n := range len(plain) {
		_, err := readChangelog("c", lz4Frame(plain[:n]), 3)
		wantCorruption(t, err, "c", fmt.Sprintf("content cut to %d bytes", n))
	}
	_, err = readChangelog("c", lz4Frame(append(bytes.Clone(plain), 0)), 3)
	wantCorruption(t, err, "c", "a byte after the end record")
}

func TestChangelogWrongVersion(t *testing.T) {
	_, err := readChangelog("s/7.changelog", smallChangelog(t), 8)
	wantCorruption(t, err, "s/7.changelog", "version 8")
}

func TestChangelogTrailingData(t *testing.T) {
	data := smallChangelog(t)
	for _, tail := range [][]byte{{0}, []byte("garbage"), smallChangelog(t)} {
		_, err := readChangelog("c", append(bytes.Clone(data), tail...), 7)
		wantCorruption(t, err, "c", fmt.Sprintf("%d bytes appended", len(tail)))
	}
}

type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data[:min(len(r.data), 3)])
	r.data = r.data[n:]
	return n, nil
}

func TestChangelogIOErrorIsNotCorruption(t *testing.T) {
	data := smallChangelog(t)
	errIO := errors.New("connection reset")
	for n := range len(data) {
		err := ReadChangelog("c", &failingReader{data: data[:n], err: errIO}, 7, func(k, v []byte, d bool) error { return nil })
		if !errors.Is(err, errIO) {
			t.Fatalf("cut at %d: got %v, want the I/O error", n, err)
		}
		var ce *checkpoint.CorruptionError
		if errors.As(err, &ce) {
			t.Fatalf("cut at %d: an I/O error reported as corruption: %v", n, err)
		}
	}
}

func TestChangelogCallbackError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := ReadChangelog("c", bytes.NewReader(smallChangelog(t)), 7, func(k, v []byte, d bool) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Fatalf("got %v after %d calls, want the callback's error after 1", err, calls)
	}
}

func TestChangelogWriterErrors(t *testing.T) {
	errW := errors.New("disk full")
	w := NewChangelogWriter(errWriter{errW}, 1)
	w.Put([]byte("k"), bytes.Repeat([]byte("x"), 1<<20)) // fills a block: flushed now or at Close
	if err := w.Close(); !errors.Is(err, errW) {
		t.Fatalf("Close = %v, want the write error", err)
	}
	if err := w.Put([]byte("k"), nil); err == nil {
		t.Fatal("Put after Close succeeded")
	}
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

func TestChangelogEmpty(t *testing.T) {
	data := writeChangelog(t, 1, nil)
	got, err := readChangelog("c", data, 1)
	if err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v; want no entries", got, err)
	}
	if _, err := readChangelog("c", nil, 1); err == nil {
		t.Fatal("an empty file read as a changelog")
	}
}

func FuzzReadChangelog(f *testing.F) {
	f.Add(smallChangelog(f))
	f.Add(writeChangelog(f, 7, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := readChangelog("c", data, 7)
		if err == nil {
			return
		}
		var ce *checkpoint.CorruptionError
		if !errors.As(err, &ce) {
			t.Fatalf("not a CorruptionError: %v", err)
		}
	})
}
