package fileformat

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
)

// writeBufSize buffers writes to a file: large enough that a write reaches
// the kernel rarely.
const writeBufSize = 256 << 10

// extensions are the suffixes WriteDir gives part files.
var extensions = map[string]string{CSV: "csv", JSON: "json", Parquet: "parquet", Text: "txt"}

// Write drains r into one file at path in format (CSV, JSON, Parquet or
// Text), replacing any file there, and closes r. The file appears whole or
// not at all: it is written to a temporary file in the same directory, synced
// and renamed into place, and the directory is synced.
func Write(ctx context.Context, path, format string, r batch.Reader, opts WriteOptions) error {
	defer r.Close()
	opts, err := opts.validate(format)
	if err != nil {
		return err
	}
	out, err := createPart(path, format, r.Schema(), opts)
	if err != nil {
		return err
	}
	for {
		rec, err := next(ctx, r)
		if err == io.EOF {
			return out.commit()
		}
		if err == nil {
			err = out.write(rec)
			rec.Release()
		}
		if err != nil {
			out.abort()
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
}

// WriteDir drains r into part files part-00000.<ext>, part-00001.<ext>, … in
// dir, each of at most opts.MaxRowsPerFile rows (one part if zero), then
// writes an empty _SUCCESS marker, and closes r. dir is created if needed and
// must otherwise be empty (Spark's ErrorIfExists). Each part appears whole, as
// with Write; an empty r still writes part-00000 (with the header or schema).
// On error the parts already written are removed and there is no _SUCCESS.
func WriteDir(ctx context.Context, dir, format string, r batch.Reader, opts WriteOptions) error {
	defer r.Close()
	opts, err := opts.validate(format)
	if err != nil {
		return err
	}
	if err := prepareDir(dir); err != nil {
		return err
	}
	w := &dirWriter{dir: dir, format: format, schema: r.Schema(), opts: opts}
	if err := w.drain(ctx, r); err != nil {
		w.abort()
		return fmt.Errorf("write %s: %w", dir, err)
	}
	marker, err := createAtomic(filepath.Join(dir, "_SUCCESS"))
	if err != nil {
		return err
	}
	return marker.commit()
}

func prepareDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("write %s: directory is not empty", dir)
	}
	return nil
}

// dirWriter splits a stream of records into part files.
type dirWriter struct {
	dir    string
	format string
	schema *arrow.Schema
	opts   WriteOptions
	part   *part
	parts  int      // parts created
	rows   int64    // rows in the current part
	done   []string // parts committed, removed again if a later one fails
}

func (w *dirWriter) drain(ctx context.Context, r batch.Reader) error {
	for {
		rec, err := next(ctx, r)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		err = w.write(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	if w.part == nil && w.parts == 0 {
		if err := w.newPart(); err != nil {
			return err
		}
	}
	return w.commit()
}

// write adds rec to the current part, splitting it where a part fills up.
func (w *dirWriter) write(rec arrow.RecordBatch) error {
	for off, n := int64(0), rec.NumRows(); off < n; {
		if w.part == nil {
			if err := w.newPart(); err != nil {
				return err
			}
		}
		take := n - off
		if limit := w.opts.MaxRowsPerFile; limit > 0 {
			take = min(take, limit-w.rows)
		}
		err := w.writeSlice(rec, off, off+take)
		if err != nil {
			return err
		}
		off += take
		w.rows += take
		if w.opts.MaxRowsPerFile > 0 && w.rows == w.opts.MaxRowsPerFile {
			if err := w.commit(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *dirWriter) writeSlice(rec arrow.RecordBatch, from, to int64) error {
	if from == 0 && to == rec.NumRows() {
		return w.part.write(rec)
	}
	s := rec.NewSlice(from, to)
	defer s.Release()
	return w.part.write(s)
}

func (w *dirWriter) newPart() error {
	name := fmt.Sprintf("part-%05d.%s", w.parts, extensions[w.format])
	p, err := createPart(filepath.Join(w.dir, name), w.format, w.schema, w.opts)
	if err != nil {
		return err
	}
	w.part, w.rows = p, 0
	w.parts++
	return nil
}

func (w *dirWriter) commit() error {
	if w.part == nil {
		return nil
	}
	p := w.part
	w.part = nil
	if err := p.commit(); err != nil {
		return err
	}
	w.done = append(w.done, p.f.path)
	return nil
}

// abort discards the part being written and removes the committed ones, so
// that a failed WriteDir leaves no output behind (short of a crash).
func (w *dirWriter) abort() {
	if w.part != nil {
		w.part.abort()
		w.part = nil
	}
	for _, p := range w.done {
		os.Remove(p)
	}
}

func next(ctx context.Context, r batch.Reader) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return r.Next(ctx)
}

// part is one output file being written: an encoder over an atomic file.
type part struct {
	f   *atomicFile
	enc encoder
}

func createPart(path, format string, schema *arrow.Schema, opts WriteOptions) (*part, error) {
	f, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	enc, err := newEncoder(format, f.w, schema, opts)
	if err != nil {
		f.abort()
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &part{f: f, enc: enc}, nil
}

func (p *part) write(rec arrow.RecordBatch) error { return p.enc.write(rec) }

func (p *part) commit() error {
	if err := p.enc.finish(); err != nil {
		p.f.abort()
		return fmt.Errorf("write %s: %w", p.f.path, err)
	}
	return p.f.commit()
}

func (p *part) abort() {
	p.enc.finish() // releases the encoder's buffers; the file is discarded
	p.f.abort()
}

// atomicFile is written under a temporary name starting with "." in the
// destination's directory and renamed into place by commit.
type atomicFile struct {
	path string
	f    *os.File
	w    *bufio.Writer
}

func createAtomic(path string) (*atomicFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &atomicFile{path: path, f: f, w: bufio.NewWriterSize(f, writeBufSize)}, nil
}

// commit flushes, syncs and closes the file, renames it to its path and
// syncs the directory. On error the temporary file is removed.
func (a *atomicFile) commit() error {
	err := a.w.Flush()
	if err == nil {
		err = a.f.Chmod(0o644)
	}
	if err == nil {
		err = a.f.Sync()
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	if err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("write %s: %w", a.path, err)
	}
	if err := syncDir(filepath.Dir(a.path)); err != nil {
		return fmt.Errorf("write %s: %w", a.path, err)
	}
	return nil
}

func (a *atomicFile) abort() {
	a.f.Close()
	os.Remove(a.f.Name())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
