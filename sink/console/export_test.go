package console

import (
	"io"

	"github.com/sluicestream/sluice/sink"
)

// SetOutput redirects a console sink opened through the registry.
func SetOutput(s sink.Sink, w io.Writer) { s.(*Sink).opts.Out = w }
