package offsetlog_test

import (
	"testing"

	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
	"github.com/sluicestream/sluice/offsetlog"
)

// FuzzParseOffsetEntry: Parse never panics, rejects only with a
// *checkpoint.CorruptionError, and whatever it accepts encodes, parses back
// to the same entry, and encodes to the same bytes again. The seed corpus
// (testdata/fuzz/FuzzParseOffsetEntry) holds every Spark offsets fixture.
func FuzzParseOffsetEntry(f *testing.F) {
	for _, s := range []string{
		"",
		"v1",
		"v1\n",
		"v1\n{}",
		"v1\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":0}\n-\n-\n",
		"v1\n{\"conf\":{\"a\\u0000\":\"\\ud800\"},\"x\":{\"y\" : [1, 2.5e3]}}\n\"\\n\"",
		"v9\n{}",
		"v1\n{\"\xff\":\"\xfe\",\"batchTimestampMs\":-0}\r\n\"\xff\"\t\r",
		"v1\n{\"conf\":{}}\n \n",
		"v01\n\t{\"batchWatermarkMs\":9223372036854775807}\n[]\n{}\nnull",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		metalogtest.RoundTrip(t, "offsets/0", data, offsetlog.Parse, offsetlog.Entry.Encode)
	})
}
