package commitlog_test

import (
	"testing"

	"github.com/sluicestream/sluice/commitlog"
	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
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
		metalogtest.RoundTrip(t, "commits/0", data, commitlog.Parse, commitlog.Entry.Encode)
	})
}
