package statestore

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
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
	return writeChangelogRows(t, version, entries, -1)
}

// writeChangelogRows writes a changelog with the row count rows, or with
// none (SetRows not called) if rows is -1.
func writeChangelogRows(t fataler, version int64, entries []clEntry, rows int64) []byte {
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
	if rows != -1 {
		w.SetRows(rows)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readChangelog(path string, data []byte, version int64) ([]clEntry, ChangelogInfo, error) {
	var got []clEntry
	info, err := ReadChangelog(path, bytes.NewReader(data), version, func(k, v []byte, deleted bool) error {
		if deleted && v != nil {
			return errors.New("delete with a non-nil value")
		}
		got = append(got, clEntry{bytes.Clone(k), bytes.Clone(v), deleted})
		return nil
	})
	return got, info, err
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
		rows := rapid.OneOf(rapid.Just[int64](-1), rapid.Int64Range(0, 1000), rapid.Int64Min(0)).Draw(t, "rows")
		data := writeChangelogRows(t, version, entries, rows)
		got, info, err := readChangelog("s/1.changelog", data, version)
		if err != nil {
			t.Fatal(err)
		}
		if !sameEntries(got, entries) {
			t.Fatalf("read %d entries back, not the %d written", len(got), len(entries))
		}
		want := ChangelogInfo{Format: 2, Records: n, Rows: max(rows, 0), HasRows: rows >= 0}
		if info != want {
			t.Fatalf("info %+v, want %+v", info, want)
		}
	})
}

// smallEntries are a put, an empty put and a delete.
var smallEntries = []clEntry{
	{Key: []byte("alpha"), Value: []byte("one")},
	{Key: []byte("beta"), Value: []byte{}},
	{Key: []byte("alpha"), Deleted: true},
}

// smallChangelog is smallEntries as version 7, with a row count (so that
// the corruption tests garble that too).
func smallChangelog(t testing.TB) []byte {
	return writeChangelogRows(t, 7, smallEntries, 1)
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
		_, _, err := readChangelog("s/7.changelog", data[:n], 7)
		wantCorruption(t, err, "s/7.changelog", fmt.Sprintf("truncated to %d of %d bytes", n, len(data)))
	}
}

func TestChangelogFlippedByteAnywhere(t *testing.T) {
	data := smallChangelog(t)
	for i := range data {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(data)
			bad[i] ^= mask
			_, _, err := readChangelog("s/7.changelog", bad, 7)
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
	w.SetRows(1 << 40) // a varint of several bytes
	w.Close()
	plain, err := io.ReadAll(lz4Reader(content.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range plain {
		bad := bytes.Clone(plain)
		bad[i] ^= 0x10
		_, _, err := readChangelog("c", lz4Frame(bad), 3)
		wantCorruption(t, err, "c", fmt.Sprintf("content byte %d", i))
	}
	for n := range len(plain) {
		_, _, err := readChangelog("c", lz4Frame(plain[:n]), 3)
		wantCorruption(t, err, "c", fmt.Sprintf("content cut to %d bytes", n))
	}
	_, _, err = readChangelog("c", lz4Frame(append(bytes.Clone(plain), 0)), 3)
	wantCorruption(t, err, "c", "a byte after the end record")
}

func TestChangelogWrongVersion(t *testing.T) {
	_, _, err := readChangelog("s/7.changelog", smallChangelog(t), 8)
	wantCorruption(t, err, "s/7.changelog", "version 8")
}

func TestChangelogTrailingData(t *testing.T) {
	data := smallChangelog(t)
	for _, tail := range [][]byte{{0}, []byte("garbage"), smallChangelog(t)} {
		_, _, err := readChangelog("c", append(bytes.Clone(data), tail...), 7)
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
		_, err := ReadChangelog("c", &failingReader{data: data[:n], err: errIO}, 7, func(k, v []byte, d bool) error { return nil })
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
	_, err := ReadChangelog("c", bytes.NewReader(smallChangelog(t)), 7, func(k, v []byte, d bool) error {
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
	got, _, err := readChangelog("c", data, 1)
	if err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v; want no entries", got, err)
	}
	if _, _, err := readChangelog("c", nil, 1); err == nil {
		t.Fatal("an empty file read as a changelog")
	}
}

func FuzzReadChangelog(f *testing.F) {
	f.Add(smallChangelog(f))
	f.Add(writeChangelog(f, 7, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, err := readChangelog("c", data, 7)
		if err == nil {
			return
		}
		var ce *checkpoint.CorruptionError
		if !errors.As(err, &ce) {
			t.Fatalf("not a CorruptionError: %v", err)
		}
	})
}

// format1Changelog is smallEntries as version 7 in format 1 (no row count),
// as the format 1 writer (commit be4994b) wrote them.
const format1Changelog = "04224d187450ff3d000080534c434c0107000000000000000105616c706861036f6e65" +
	"9bac2d620104626574610078be94bc0205616c7068610052ef01a603030ab349796764e2ead1617f5e00000000d1617f5e"

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// changelogContent builds a changelog's content by hand, as the format
// comment in changelog.go lays it out; rows is the end record's row count
// field as it is to appear (nil in format 1).
func changelogContent(format byte, version int64, entries []clEntry, rows []byte) []byte {
	c := append([]byte("SLCL"), format)
	c = binary.LittleEndian.AppendUint64(c, uint64(version))
	for _, e := range entries {
		start := len(c)
		kind := recordPut
		if e.Deleted {
			kind = recordDelete
		}
		c = append(c, kind)
		c = binary.AppendUvarint(c, uint64(len(e.Key)))
		c = append(c, e.Key...)
		c = binary.AppendUvarint(c, uint64(len(e.Value)))
		c = append(c, e.Value...)
		c = binary.LittleEndian.AppendUint32(c, crc32cOf(c[start:]))
	}
	all := crc32cOf(c)
	end := binary.AppendUvarint([]byte{recordEnd}, uint64(len(entries)))
	end = append(end, rows...)
	end = binary.LittleEndian.AppendUint32(end, all)
	end = binary.LittleEndian.AppendUint32(end, crc32cOf(end))
	return append(c, end...)
}

// TestChangelogLayout: the writer writes what the format comment says, and
// the format 1 fixture is what it said before the row count.
func TestChangelogLayout(t *testing.T) {
	for _, c := range []struct {
		name string
		file []byte
		want []byte
	}{
		{"format 1", mustHex(format1Changelog), changelogContent(1, 7, smallEntries, nil)},
		{"rows 1", smallChangelog(t), changelogContent(2, 7, smallEntries, binary.AppendVarint(nil, 1))},
		{"no rows", writeChangelog(t, 7, smallEntries), changelogContent(2, 7, smallEntries, binary.AppendVarint(nil, -1))},
	} {
		got, err := io.ReadAll(lz4Reader(c.file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, c.want) {
			t.Fatalf("%s: content\n%x\nwant\n%x", c.name, got, c.want)
		}
	}
}

// TestChangelogFormat1: a changelog of the format 1 writer reads, without a
// row count, and is verified as before.
func TestChangelogFormat1(t *testing.T) {
	data := mustHex(format1Changelog)
	got, info, err := readChangelog("s/7.changelog", data, 7)
	if err != nil {
		t.Fatal(err)
	}
	if !sameEntries(got, smallEntries) {
		t.Fatalf("read %v, want %v", got, smallEntries)
	}
	if want := (ChangelogInfo{Format: 1, Records: 3}); info != want {
		t.Fatalf("info %+v, want %+v", info, want)
	}
	for n := range len(data) {
		_, _, err := readChangelog("s/7.changelog", data[:n], 7)
		wantCorruption(t, err, "s/7.changelog", fmt.Sprintf("format 1 truncated to %d bytes", n))
	}
	for i := range data {
		bad := bytes.Clone(data)
		bad[i] ^= 0x01
		_, _, err := readChangelog("s/7.changelog", bad, 7)
		wantCorruption(t, err, "s/7.changelog", fmt.Sprintf("format 1 byte %d ^ 0x01", i))
	}
}

// TestChangelogFormats: formats newer than this build's are refused as
// such, and format 0 never existed.
func TestChangelogFormats(t *testing.T) {
	for _, c := range []struct {
		format byte
		reason string
	}{
		{0, "unknown changelog format 0"},
		{3, "changelog format 3 is newer than this build reads (2)"},
		{255, "changelog format 255 is newer than this build reads (2)"},
	} {
		content := changelogContent(c.format, 7, smallEntries, binary.AppendVarint(nil, 1))
		_, _, err := readChangelog("c", lz4Frame(content), 7)
		wantCorruption(t, err, "c", fmt.Sprintf("format %d", c.format))
		var ce *checkpoint.CorruptionError
		if errors.As(err, &ce); ce.Reason != c.reason {
			t.Fatalf("format %d: reason %q, want %q", c.format, ce.Reason, c.reason)
		}
	}
}

// TestChangelogRowCountCorruption: row count fields that no writer makes,
// under valid checksums, are corruption.
func TestChangelogRowCountCorruption(t *testing.T) {
	for _, c := range []struct {
		name string
		rows []byte
	}{
		{"-2", binary.AppendVarint(nil, -2)},
		{"min int64", binary.AppendVarint(nil, math.MinInt64)},
		{"overflows int64", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
		{"unterminated after 10 bytes", bytes.Repeat([]byte{0x80}, 10)},
		{"11 bytes", append(bytes.Repeat([]byte{0x80}, 10), 0)},
		{"missing", nil},
	} {
		content := changelogContent(2, 7, smallEntries, c.rows)
		_, _, err := readChangelog("c", lz4Frame(content), 7)
		wantCorruption(t, err, "c", "row count "+c.name)
	}
}

func TestChangelogSetRowsNegative(t *testing.T) {
	var buf bytes.Buffer
	w := NewChangelogWriter(&buf, 1)
	w.SetRows(-1)
	if err := w.Close(); err == nil {
		t.Fatal("Close after SetRows(-1) succeeded")
	}
}
