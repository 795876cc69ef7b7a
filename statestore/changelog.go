package statestore

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"strconv"

	"github.com/pierrec/lz4/v4"

	"github.com/sluicestream/sluice/checkpoint"
)

// A changelog (<v>.changelog) holds the puts and deletes that made version v
// from version v-1, in the order they were made. The file is one LZ4 frame
// (block checksums and content checksum on, 256 KiB blocks) whose content is
//
//	header  "SLCL" | format version (1 byte: 1 or 2) | version (int64, 8 bytes LE)
//	record  kind (1 byte: 1 put, 2 delete) | uvarint len(key) | key |
//	        uvarint len(value) | value | CRC32C (4 bytes LE) of the record so far
//	...
//	end     kind (1 byte: 3) | uvarint record count |
//	        varint row count (zig-zag, as encoding/binary; format 2 only) |
//	        CRC32C (4 bytes LE) of every content byte before the end record |
//	        CRC32C (4 bytes LE) of the end record so far
//
// A delete's value is empty. CRC32C is the Castagnoli CRC. Nothing follows
// the end record: a changelog without it, or with anything after it, was cut
// short or garbled, and so is one whose version is not the file's.
//
// The row count is the number of keys in the store after version v, or -1
// when the writer did not give it (ChangelogWriter.SetRows). It is there so
// that a restore replaying the changelog onto version v-1 can keep its row
// count without reading every key to learn whether it was there before. It
// sits in the end record because the writer knows it only once every update
// is decided. Format 1, from before the row count, is the same without it;
// this build writes format 2, reads both and refuses newer formats.
const (
	changelogMagic = "SLCL"
	// changelogFormatVersion is the format this build writes, and the
	// newest it reads; changelogFormatV1 is the oldest it reads.
	changelogFormatVersion = 2
	changelogFormatV1      = 1
	changelogHeaderLen     = len(changelogMagic) + 1 + 8

	recordPut    byte = 1
	recordDelete byte = 2
	recordEnd    byte = 3

	// maxFieldLen caps a key or value: far above any sane state entry, and
	// low enough that a garbled length cannot overflow an int.
	maxFieldLen = 1<<31 - 1

	// changelogBlockSize is the LZ4 block size: large enough to compress
	// well, small enough that a reader's buffer stays modest.
	changelogBlockSize = lz4.Block256Kb

	// readChunk bounds how much a reader grows its buffer at once, so a
	// garbled length cannot make it allocate more than the data it really
	// finds.
	readChunk = 64 << 10
)

var crc32c = crc32.MakeTable(crc32.Castagnoli)

// ChangelogName is the file name of version v's changelog.
func ChangelogName(v int64) string { return strconv.FormatInt(v, 10) + ".changelog" }

// ChangelogWriter writes one version's changelog as a single LZ4 frame.
// Writes are buffered; errors from the underlying writer may surface only at
// a later Put, Delete or at Close, and are sticky. It is not safe for
// concurrent use.
type ChangelogWriter struct {
	zw     *lz4.Writer
	all    uint32 // CRC32C of every content byte written so far
	buf    []byte // scratch for one record
	count  int
	rows   int64 // the end record's row count; -1: not given
	closed bool
	err    error
}

// NewChangelogWriter starts the changelog of version on w. The caller must
// Close the writer to complete the file; Close does not close w.
func NewChangelogWriter(w io.Writer, version int64) *ChangelogWriter {
	zw := lz4.NewWriter(w)
	err := zw.Apply(
		lz4.BlockSizeOption(changelogBlockSize),
		lz4.BlockChecksumOption(true),
		lz4.ChecksumOption(true),
		lz4.ConcurrencyOption(1),
	)
	if err != nil {
		panic(fmt.Sprintf("statestore: lz4 options rejected: %v", err)) // constant options: a broken invariant
	}
	cw := &ChangelogWriter{zw: zw, rows: -1}
	hdr := make([]byte, 0, changelogHeaderLen)
	hdr = append(hdr, changelogMagic...)
	hdr = append(hdr, changelogFormatVersion)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(version))
	cw.write(hdr)
	return cw
}

// Put records that key was set to value.
func (cw *ChangelogWriter) Put(key, value []byte) error {
	return cw.record(recordPut, key, value)
}

// Delete records that key was removed.
func (cw *ChangelogWriter) Delete(key []byte) error {
	return cw.record(recordDelete, key, nil)
}

// Count is the number of puts and deletes written.
func (cw *ChangelogWriter) Count() int { return cw.count }

// SetRows records n, the number of keys in the store after this version,
// for the end record; a restore replaying the changelog then sets its row
// count from it instead of reading every key. Without SetRows the
// changelog says the count is unknown. A negative n is an error, returned
// by Close.
//
// REQUIRES: called before Close.
func (cw *ChangelogWriter) SetRows(n int64) {
	switch {
	case cw.closed || cw.err != nil:
	case n < 0:
		cw.err = fmt.Errorf("changelog: negative row count %d", n)
	default:
		cw.rows = n
	}
}

// Close writes the end record and finishes the LZ4 frame. It does not close
// the underlying writer. Closing again returns the first Close's result.
func (cw *ChangelogWriter) Close() error {
	if cw.closed {
		return cw.err
	}
	cw.closed = true
	rec := append(cw.buf[:0], recordEnd)
	rec = binary.AppendUvarint(rec, uint64(cw.count))
	rec = binary.AppendVarint(rec, cw.rows)
	rec = binary.LittleEndian.AppendUint32(rec, cw.all)
	rec = binary.LittleEndian.AppendUint32(rec, crc32.Checksum(rec, crc32c))
	cw.buf = rec
	cw.write(rec)
	if err := cw.zw.Close(); err != nil && cw.err == nil {
		cw.err = fmt.Errorf("changelog: %w", err)
	}
	return cw.err
}

func (cw *ChangelogWriter) record(kind byte, key, value []byte) error {
	switch {
	case cw.closed:
		return errors.New("changelog: write after Close")
	case cw.err != nil:
		return cw.err
	case len(key) > maxFieldLen || len(value) > maxFieldLen:
		return fmt.Errorf("changelog: key or value longer than %d bytes", maxFieldLen)
	}
	rec := append(cw.buf[:0], kind)
	rec = binary.AppendUvarint(rec, uint64(len(key)))
	rec = append(rec, key...)
	rec = binary.AppendUvarint(rec, uint64(len(value)))
	rec = append(rec, value...)
	rec = binary.LittleEndian.AppendUint32(rec, crc32.Checksum(rec, crc32c))
	cw.buf = rec
	cw.write(rec)
	if cw.err != nil {
		return cw.err
	}
	cw.count++
	return nil
}

func (cw *ChangelogWriter) write(p []byte) {
	if cw.err != nil {
		return
	}
	cw.all = crc32.Update(cw.all, crc32c, p)
	if _, err := cw.zw.Write(p); err != nil {
		cw.err = fmt.Errorf("changelog: %w", err)
	}
}

// ChangelogInfo is what a changelog's end record says about its version.
type ChangelogInfo struct {
	Format  int // the file's format version
	Records int // puts and deletes
	// Rows is the number of keys in the store after the version, when
	// HasRows: a format 1 changelog, or one whose writer did not SetRows,
	// does not have it.
	Rows    int64
	HasRows bool
}

// ReadChangelog reads the changelog of version from r, calls fn for every
// put (deleted false) and delete (deleted true, value nil), in order, and
// returns what its end record says. path names the file in errors. key and
// value are valid only during the call.
//
// Everything is verified: the LZ4 block and content checksums, every
// record's CRC, the end record's count, row count and CRC, the version. A
// file that is truncated, garbled, of another version or of a newer format
// gives a *checkpoint.CorruptionError naming path; an error reading r is
// returned wrapped, and an error from fn is returned as is.
//
// fn sees records as they are read, before the end record is checked, so on
// any error the caller must discard what fn applied (a restore fails whole).
func ReadChangelog(path string, r io.Reader, version int64, fn func(key, value []byte, deleted bool) error) (ChangelogInfo, error) {
	src := &sourceReader{r: r}
	d := &changelogDecoder{path: path, src: src, br: bufio.NewReaderSize(lz4.NewReader(src), readChunk)}
	if err := d.header(version); err != nil {
		return ChangelogInfo{}, err
	}
	for {
		done, err := d.next(fn)
		if err != nil {
			return ChangelogInfo{}, err
		}
		if done {
			return d.info(), nil
		}
	}
}

// sourceReader remembers the first error of the underlying reader other
// than io.EOF, so that I/O errors are told apart from corruption.
type sourceReader struct {
	r   io.Reader
	n   int64
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.n += int64(n)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

type changelogDecoder struct {
	path   string
	src    *sourceReader
	br     *bufio.Reader
	format byte
	all    uint32 // CRC32C of the content so far
	pos    int64  // content offset of the current record
	count  int    // records read
	rows   int64  // the end record's row count; -1: not given
	rec    []byte
}

func (d *changelogDecoder) info() ChangelogInfo {
	info := ChangelogInfo{Format: int(d.format), Records: d.count}
	if d.rows >= 0 {
		info.Rows, info.HasRows = d.rows, true
	}
	return info
}

// corrupt builds the error for a problem found in the content; err is the
// read error that revealed it, if any.
func (d *changelogDecoder) corrupt(err error, format string, args ...any) error {
	if d.src.err != nil {
		return fmt.Errorf("read changelog %s: %w", d.path, d.src.err)
	}
	reason := fmt.Sprintf(format, args...)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		reason += ": truncated"
		err = nil
	case err != nil:
		reason += ": lz4 frame"
	}
	return &checkpoint.CorruptionError{Path: d.path, Offset: -1, Reason: reason, Err: err}
}

func (d *changelogDecoder) header(version int64) error {
	var hdr [changelogHeaderLen]byte
	if _, err := io.ReadFull(d.br, hdr[:]); err != nil {
		return d.corrupt(err, "changelog header")
	}
	switch {
	case string(hdr[:4]) != changelogMagic:
		return d.corrupt(nil, "not a changelog (bad magic %q)", hdr[:4])
	case hdr[4] > changelogFormatVersion:
		return d.corrupt(nil, "changelog format %d is newer than this build reads (%d)", hdr[4], changelogFormatVersion)
	case hdr[4] < changelogFormatV1:
		return d.corrupt(nil, "unknown changelog format %d", hdr[4])
	}
	d.format = hdr[4]
	if got := int64(binary.LittleEndian.Uint64(hdr[5:])); got != version {
		return d.corrupt(nil, "changelog is of version %d, want %d", got, version)
	}
	d.all = crc32.Checksum(hdr[:], crc32c)
	d.pos = int64(changelogHeaderLen)
	return nil
}

// next reads one record; done is true after a verified end record.
func (d *changelogDecoder) next(fn func(key, value []byte, deleted bool) error) (done bool, err error) {
	kind, err := d.br.ReadByte()
	if err != nil {
		return false, d.corrupt(err, "missing end record after %d records", d.count)
	}
	d.rec = append(d.rec[:0], kind)
	switch kind {
	case recordPut, recordDelete:
		return false, d.entry(kind, fn)
	case recordEnd:
		return true, d.end()
	}
	return false, d.corrupt(nil, "record %d at content offset %d: unknown kind %#x", d.count, d.pos, kind)
}

func (d *changelogDecoder) entry(kind byte, fn func(key, value []byte, deleted bool) error) error {
	klen, err := d.uvarint()
	if err != nil {
		return err
	}
	ks := len(d.rec)
	if err := d.bytes(klen); err != nil {
		return err
	}
	ke := len(d.rec)
	vlen, err := d.uvarint()
	if err != nil {
		return err
	}
	if kind == recordDelete && vlen != 0 {
		return d.corrupt(nil, "record %d at content offset %d: delete with a value", d.count, d.pos)
	}
	vs := len(d.rec)
	if err := d.bytes(vlen); err != nil {
		return err
	}
	if err := d.checkCRC(); err != nil {
		return err
	}
	d.count++
	key, value := d.rec[ks:ke], d.rec[vs:len(d.rec)-4]
	if kind == recordDelete {
		return fn(key, nil, true)
	}
	return fn(key, value, false)
}

func (d *changelogDecoder) end() error {
	n, err := d.uvarint()
	if err != nil {
		return err
	}
	rows, err := d.rowCount()
	if err != nil {
		return err
	}
	all := d.all
	if err := d.bytes(4); err != nil {
		return err
	}
	stored := binary.LittleEndian.Uint32(d.rec[len(d.rec)-4:])
	if err := d.checkCRC(); err != nil {
		return err
	}
	switch {
	case n != uint64(d.count):
		return d.corrupt(nil, "end record counts %d records, read %d", n, d.count)
	case stored != all:
		return d.corrupt(nil, "content checksum mismatch")
	case rows < -1:
		return d.corrupt(nil, "end record: row count %d", rows)
	}
	d.rows = rows
	return d.eof()
}

// rowCount reads the end record's row count; format 1 has none (-1).
func (d *changelogDecoder) rowCount() (int64, error) {
	if d.format == changelogFormatV1 {
		return -1, nil
	}
	start := len(d.rec)
	for range binary.MaxVarintLen64 {
		b, err := d.br.ReadByte()
		if err != nil {
			return 0, d.corrupt(err, "end record at content offset %d", d.pos)
		}
		d.rec = append(d.rec, b)
		if b < 0x80 {
			break
		}
	}
	// binary.Varint rejects an unfinished or overlong varint (n <= 0).
	rows, n := binary.Varint(d.rec[start:])
	if n <= 0 {
		return 0, d.corrupt(nil, "end record at content offset %d: row count out of range", d.pos)
	}
	return rows, nil
}

// eof checks that nothing follows the end record.
func (d *changelogDecoder) eof() error {
	if _, err := d.br.ReadByte(); err != io.EOF {
		return d.corrupt(err, "data after the end record")
	}
	if d.src.err != nil {
		return fmt.Errorf("read changelog %s: %w", d.path, d.src.err)
	}
	return nil
}

// uvarint reads a length, appending its bytes to the record.
func (d *changelogDecoder) uvarint() (uint64, error) {
	var x uint64
	for i, s := 0, uint(0); i < binary.MaxVarintLen64; i, s = i+1, s+7 {
		b, err := d.br.ReadByte()
		if err != nil {
			return 0, d.corrupt(err, "record %d at content offset %d", d.count, d.pos)
		}
		d.rec = append(d.rec, b)
		if b < 0x80 {
			x |= uint64(b) << s
			if x > maxFieldLen {
				break
			}
			return x, nil
		}
		x |= uint64(b&0x7f) << s
	}
	return 0, d.corrupt(nil, "record %d at content offset %d: length out of range", d.count, d.pos)
}

// bytes appends the next n bytes to the record, growing the buffer only as
// data arrives.
func (d *changelogDecoder) bytes(n uint64) error {
	for n > 0 {
		c := int(min(n, readChunk))
		d.rec = slices.Grow(d.rec, c)
		l := len(d.rec)
		if _, err := io.ReadFull(d.br, d.rec[l:l+c]); err != nil {
			return d.corrupt(err, "record %d at content offset %d", d.count, d.pos)
		}
		d.rec = d.rec[:l+c]
		n -= uint64(c)
	}
	return nil
}

// checkCRC reads the record's CRC and checks it, then folds the record into
// the running content CRC.
func (d *changelogDecoder) checkCRC() error {
	want := crc32.Checksum(d.rec, crc32c)
	if err := d.bytes(4); err != nil {
		return err
	}
	if got := binary.LittleEndian.Uint32(d.rec[len(d.rec)-4:]); got != want {
		return d.corrupt(nil, "record %d at content offset %d: checksum mismatch", d.count, d.pos)
	}
	d.all = crc32.Update(d.all, crc32c, d.rec)
	d.pos += int64(len(d.rec))
	return nil
}
