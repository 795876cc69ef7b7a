package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/internal/showtable"
	"github.com/sluicestream/sluice/sink"
)

const (
	// DefaultNumRows is how many rows of a batch print: Spark's console sink
	// and show() default.
	DefaultNumRows = 20
	// DefaultTruncate is the width at which a cell is cut: Spark's show()
	// with truncate=true.
	DefaultTruncate = 20
	// NoTruncate as Options.Truncate prints cells whole (and left-aligned),
	// as Spark's truncate=false.
	NoTruncate = -1
)

// Options configure a console sink. The zero value prints 20 rows per batch,
// truncated, to os.Stdout.
type Options struct {
	// Out receives the tables; os.Stdout if nil.
	Out io.Writer
	// NumRows is how many rows of each batch print; DefaultNumRows if 0.
	NumRows int
	// Truncate is the width in characters beyond which a cell is cut;
	// DefaultTruncate if 0, never if NoTruncate (or any negative value).
	Truncate int
}

func (o Options) validate() (Options, error) {
	if o.Out == nil {
		o.Out = os.Stdout
	}
	switch {
	case o.NumRows < 0:
		return o, fmt.Errorf("console sink: numRows %d is negative", o.NumRows)
	case o.NumRows == 0:
		o.NumRows = DefaultNumRows
	}
	switch {
	case o.Truncate == 0:
		o.Truncate = DefaultTruncate
	case o.Truncate < 0:
		o.Truncate = 0 // internal: 0 means no truncation
	}
	return o, nil
}

// Sink prints every batch it is given.
type Sink struct {
	opts Options
}

var _ sink.Sink = (*Sink)(nil)

// New returns a console sink.
func New(opts Options) (*Sink, error) {
	opts, err := opts.validate()
	if err != nil {
		return nil, err
	}
	return &Sink{opts: opts}, nil
}

// Write prints batch id (whatever the mode: the rows given are printed) and
// closes r. A replayed id prints again; see the package doc.
func (s *Sink) Write(ctx context.Context, id batch.ID, mode sink.OutputMode, r batch.Reader) error {
	defer r.Close()
	t, err := s.collect(ctx, r)
	if err != nil {
		return fmt.Errorf("console sink: batch %d: %w", id, err)
	}
	var b strings.Builder
	b.WriteString("-------------------------------------------\n")
	fmt.Fprintf(&b, "Batch: %d\n", id)
	b.WriteString("-------------------------------------------\n")
	t.Render(&b)
	b.WriteByte('\n') // Spark's show() ends with println
	if _, err := io.WriteString(s.opts.Out, b.String()); err != nil {
		return fmt.Errorf("console sink: batch %d: %w", id, err)
	}
	return nil
}

// collect formats the first NumRows rows of r and reads the rest only to
// know whether there were more.
func (s *Sink) collect(ctx context.Context, r batch.Reader) (*showtable.Table, error) {
	t := showtable.New(r.Schema(), s.opts.NumRows, s.opts.Truncate)
	for {
		rec, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		t.Add(rec)
		rec.Release()
	}
}

// Close implements sink.Sink; it has nothing to release.
func (s *Sink) Close() error { return nil }

func init() {
	sink.Register("console", open)
}

// open is the registered factory. Options: numRows (an integer >= 1,
// default 20) and truncate ("true" or "false", default true), as Spark's.
func open(_ context.Context, opts map[string]string) (sink.Sink, error) {
	var o Options
	for k, v := range opts {
		switch k {
		case "numRows":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("console sink: option numRows: %q is not an integer >= 1", v)
			}
			o.NumRows = n
		case "truncate":
			t, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("console sink: option truncate: %q is not true or false", v)
			}
			if !t {
				o.Truncate = NoTruncate
			}
		default:
			return nil, fmt.Errorf("console sink: unknown option %q (known: numRows, truncate)", k)
		}
	}
	return New(o)
}
