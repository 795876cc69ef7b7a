package file

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/internal/fileformat"
	"github.com/sluicestream/sluice/internal/sinklog"
)

// extensions are the suffixes of part files by format.
var extensions = map[string]string{
	fileformat.CSV: "csv", fileformat.JSON: "json", fileformat.Parquet: "parquet", fileformat.Text: "txt",
}

// partName is the name of part n of an attempt to write batch id:
// "part-00007-<uuid>-c000.parquet". The uuid is new for every attempt, so a
// replay never overwrites a file an earlier attempt wrote.
func partName(id batch.ID, attempt string, n int, format string) string {
	return fmt.Sprintf("part-%05d-%s-c%03d.%s", id, attempt, n, extensions[format])
}

// partPattern matches the names partName makes, capturing the batch id.
var partPattern = regexp.MustCompile(`^part-([0-9]+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-c[0-9]+\.[a-z]+$`)

// partBatch returns the batch id in a part file's name, if name is one.
func partBatch(name string) (batch.ID, bool) {
	m := partPattern.FindStringSubmatch(name)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	return batch.ID(n), err == nil
}

// newUUID returns a random (version 4) UUID in its text form.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// writeParts drains r into part files of batch id, each durable when
// writeParts returns (fileformat writes a temp file, fsyncs, renames and
// fsyncs the directory). A batch without rows writes no file. On error the
// parts already written are removed, and r is closed either way.
func (s *Sink) writeParts(ctx context.Context, id batch.ID, r batch.Reader) ([]sinklog.Status, error) {
	sp := &splitter{r: r}
	defer sp.close()
	limit := s.opts.Write.MaxRowsPerFile
	if limit == 0 {
		limit = math.MaxInt64
	}
	attempt := newUUID()
	var added []sinklog.Status
	for n := 0; ; n++ {
		more, err := sp.fill(ctx)
		if err == nil && !more {
			return added, nil
		}
		if err == nil {
			var st sinklog.Status
			st, err = s.writePart(ctx, partName(id, attempt, n, s.opts.Format), &chunk{sp: sp, left: limit})
			if st.Path != "" {
				added = append(added, st)
			}
		}
		if err != nil {
			s.removeParts(added)
			return nil, err
		}
	}
}

// writePart writes one part file from c and returns its status. If the
// file exists but its status cannot be read, the status names it (for the
// caller to remove) and the error says why.
func (s *Sink) writePart(ctx context.Context, name string, c *chunk) (sinklog.Status, error) {
	path := filepath.Join(s.opts.Path, name)
	if err := fileformat.Write(ctx, path, s.opts.Format, c, s.opts.Write); err != nil {
		return sinklog.Status{}, err
	}
	fi, err := s.fsys.Stat(path)
	if err != nil {
		return sinklog.Status{Path: name}, err // removed by the caller
	}
	return sinklog.Status{Path: name, Size: fi.Size(), ModTime: fi.ModTime().UnixMilli()}, nil
}

// removeParts removes part files no manifest entry references, best effort:
// a file left behind is an orphan, which readers ignore and a later
// compaction deletes.
func (s *Sink) removeParts(sts []sinklog.Status) {
	for _, st := range sts {
		_ = s.fsys.Remove(filepath.Join(s.opts.Path, st.Path))
	}
}

// splitter cuts the records of a reader into chunks of at most a given
// number of rows.
type splitter struct {
	r       batch.Reader
	pending arrow.RecordBatch // the next rows, not empty; nil if none read
}

// fill reads the next record with rows into pending, if needed; it reports
// false at the end of the reader.
func (sp *splitter) fill(ctx context.Context) (bool, error) {
	for sp.pending == nil {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		rec, err := sp.r.Next(ctx)
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if rec.NumRows() == 0 {
			rec.Release()
			continue
		}
		sp.pending = rec
	}
	return true, nil
}

func (sp *splitter) close() {
	if sp.pending != nil {
		sp.pending.Release()
		sp.pending = nil
	}
	sp.r.Close()
}

// chunk is a batch.Reader of the next rows of a splitter, at most left of
// them. Closing it leaves the splitter open.
type chunk struct {
	sp   *splitter
	left int64
}

func (c *chunk) Schema() *arrow.Schema { return c.sp.r.Schema() }

func (c *chunk) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if c.left == 0 {
		return nil, io.EOF
	}
	more, err := c.sp.fill(ctx)
	if err != nil {
		return nil, err
	}
	if !more {
		return nil, io.EOF
	}
	rec := c.sp.pending
	n := rec.NumRows()
	if n <= c.left {
		c.sp.pending = nil
		c.left -= n
		return rec, nil
	}
	head := rec.NewSlice(0, c.left)
	c.sp.pending = rec.NewSlice(c.left, n)
	rec.Release()
	c.left = 0
	return head, nil
}

func (c *chunk) Close() error { return nil }
