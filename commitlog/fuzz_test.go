package commitlog_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/commitlog"
)

// FuzzParseCommitEntry: Parse never panics, rejects only with a
// *checkpoint.CorruptionError, and whatever it accepts encodes, parses back
// to the same entry, and encodes to the same bytes again. The seed corpus
// (testdata/fuzz/FuzzParseCommitEntry) holds every Spark commits fixture.
func FuzzParseCommitEntry(f *testing.F) {
	for _, s := range []string{
		"",
		"v1",
		"v1\n{}",
		"v1\n{}\n",
		"v1\n{\"nextBatchWatermarkMs\":-1,\"stateUniqueIds\":{\"0\":[[\"a\",\"b\"]]}}",
		"v1\n{\"\\u00e9\\n\":\"\\ud800\",\"x\" : [1, 2.5e3]}",
		"v9\n{}",
		"v1\n{\"\xff\":\"\xfe\",\"nextBatchWatermarkMs\":-0}\r",
		"v1\n\t{\"nextBatchWatermarkMs\":-9223372036854775808}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := commitlog.Parse("commits/0", data)
		if err != nil {
			var ce *checkpoint.CorruptionError
			if !errors.As(err, &ce) || ce.Path != "commits/0" {
				t.Fatalf("Parse error %v (%T), want a CorruptionError naming the file", err, err)
			}
			return
		}
		enc, err := e.Encode()
		if err != nil {
			t.Fatalf("accepted entry %+v does not encode: %v", e, err)
		}
		back, err := commitlog.Parse("commits/0", enc)
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
