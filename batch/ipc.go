package batch

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// EncodeIPC writes schema and recs as one Arrow IPC stream (the streaming
// format: a schema message, then one message per record, then the
// end-of-stream marker) and returns the bytes. Records are not released.
//
// Every record must have the columns of schema (names and types; metadata is
// not compared). Buffers are written uncompressed: whoever stores the bytes
// (the checkpoint layer) compresses the whole frame, which does better than
// compressing buffer by buffer.
func EncodeIPC(schema *arrow.Schema, recs []arrow.RecordBatch) ([]byte, error) {
	if schema == nil {
		return nil, fmt.Errorf("encode ipc: nil schema")
	}
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
	for i, rec := range recs {
		if err := writeIPC(w, schema, rec); err != nil {
			w.Close()
			return nil, fmt.Errorf("encode ipc: record %d: %w", i, err)
		}
	}
	// Close writes the schema too when there were no records, so an empty
	// stream still says what it would have held.
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encode ipc: %w", err)
	}
	return buf.Bytes(), nil
}

// writeIPC writes rec, relabelled with schema when only metadata differs,
// because the IPC writer insists on identical schemas.
func writeIPC(w *ipc.Writer, schema *arrow.Schema, rec arrow.RecordBatch) error {
	if rec == nil {
		return fmt.Errorf("nil record")
	}
	if !rec.Schema().Equal(schema) {
		if err := sameColumns(schema, rec.Schema()); err != nil {
			return err
		}
		rec = array.NewRecordBatch(schema, rec.Columns(), rec.NumRows())
		defer rec.Release()
	}
	return w.Write(rec)
}

// DecodeIPC reads an Arrow IPC stream written by EncodeIPC (or any Arrow
// implementation) and returns its schema and records, allocated from mem. The
// caller owns the records and must Release each one.
//
// Corrupt input is an error, never a panic and never a record that would
// panic when read: see NewIPCReader. One hole remains: arrow-go sizes some
// slices from vector lengths inside the schema message without checking them
// against the message, so a corrupt schema message can exhaust memory. Bytes
// that may be corrupt must be checksummed before they get here, as the
// checkpoint layer's framing does.
func DecodeIPC(mem memory.Allocator, data []byte) (*arrow.Schema, []arrow.RecordBatch, error) {
	// No message in data can be longer than data: say so, so that a corrupt
	// length field fails instead of allocating what it claims.
	limit := max(int64(len(data)), 1)
	r, err := newIPCReader(mem, bytes.NewReader(data), limit)
	if err != nil {
		return nil, nil, err
	}
	schema := r.Schema()
	recs, err := ReadAll(context.Background(), r)
	if err != nil {
		return nil, nil, err
	}
	return schema, recs, nil
}

// NewIPCReader returns a Reader over the Arrow IPC stream in src, allocating
// records from mem. It reads the schema message before returning.
//
// Every record is fully validated (offsets in range and monotonic, buffers
// long enough, UTF-8 where required) before it is returned, because the bytes
// come from disk or the network and arrow-go indexes buffers without bounds
// checks of its own: a torn file must surface here as an error rather than as
// a panic in an operator later. Validation is O(rows).
//
// A message longer than arrow-go's default limits (64 MiB of metadata, 256 MiB
// of body) is refused rather than allocated, since a corrupt length field
// would otherwise claim any amount of memory.
func NewIPCReader(mem memory.Allocator, src io.Reader) (Reader, error) {
	return newIPCReader(mem, src, 0)
}

// newIPCReader reads with limit as the largest metadata and body of a
// message; limit <= 0 keeps arrow-go's defaults.
func newIPCReader(mem memory.Allocator, src io.Reader, limit int64) (Reader, error) {
	opts := []ipc.Option{ipc.WithAllocator(mem)}
	if limit > 0 {
		opts = append(opts, ipc.WithMetadataSizeLimit(limit), ipc.WithBodySizeLimit(limit))
	}
	// ipc.NewReader applies no size limits; a message reader does.
	rr, err := ipc.NewReaderFromMessageReader(ipc.NewMessageReader(src, opts...), opts...)
	if err != nil {
		return nil, fmt.Errorf("decode ipc: %w", err)
	}
	return &ipcReader{rr: rr}, nil
}

type ipcReader struct {
	rr *ipc.Reader
	n  int // records returned so far, for error messages
}

func (r *ipcReader) Schema() *arrow.Schema { return r.rr.Schema() }

func (r *ipcReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.rr == nil {
		return nil, fmt.Errorf("decode ipc: reader is closed")
	}
	if !r.rr.Next() {
		if err := r.rr.Err(); err != nil {
			return nil, fmt.Errorf("decode ipc: record %d: %w", r.n, err)
		}
		return nil, io.EOF
	}
	rec := r.rr.RecordBatch()
	if err := validateRecord(rec); err != nil {
		return nil, fmt.Errorf("decode ipc: record %d: %w", r.n, err)
	}
	r.n++
	rec.Retain()
	return rec, nil
}

func (r *ipcReader) Close() error {
	if r.rr != nil {
		r.rr.Release()
		r.rr = nil
	}
	return nil
}

// validateRecord checks every column of rec in full.
func validateRecord(rec arrow.RecordBatch) error {
	for i, col := range rec.Columns() {
		if int64(col.Len()) != rec.NumRows() {
			return fmt.Errorf("column %d has %d rows, record has %d", i, col.Len(), rec.NumRows())
		}
		if err := validateFull(col); err != nil {
			return fmt.Errorf("column %d (%s): %w", i, rec.ColumnName(i), err)
		}
	}
	return nil
}

// validateFull is array.ValidateFull, except that a panic is an error too:
// arrow-go's validators can themselves index out of range on some corrupt
// offsets (String.ValidateFull slices the values before it has checked that
// an inner offset is in bounds), and here the input is exactly that.
func validateFull(col arrow.Array) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("invalid array: %v", r)
		}
	}()
	return array.ValidateFull(col)
}
