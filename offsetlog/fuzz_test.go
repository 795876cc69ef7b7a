package offsetlog_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
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
		e, err := offsetlog.Parse("offsets/0", data)
		if err != nil {
			var ce *checkpoint.CorruptionError
			if !errors.As(err, &ce) || ce.Path != "offsets/0" {
				t.Fatalf("Parse error %v (%T), want a CorruptionError naming the file", err, err)
			}
			return
		}
		enc, err := e.Encode()
		if err != nil {
			t.Fatalf("accepted entry %+v does not encode: %v", e, err)
		}
		back, err := offsetlog.Parse("offsets/0", enc)
		if err != nil {
			t.Fatalf("encoded entry %q does not parse: %v", enc, err)
		}
		if !reflect.DeepEqual(back, e) {
			t.Fatalf("round trip changed the entry:\n got %+v\nwant %+v", back, e)
		}
		enc2, err := back.Encode()
		if err != nil || !bytes.Equal(enc2, enc) {
			t.Fatalf("second encoding differs: %q, %v; first %q", enc2, err, enc)
		}
	})
}
