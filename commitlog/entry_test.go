package commitlog_test

import (
	"reflect"
	"testing"

	"github.com/sluicestream/sluice/commitlog"
	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
)

func TestEncodeLayout(t *testing.T) {
	for _, c := range []struct {
		e    commitlog.Entry
		want string
	}{
		{commitlog.Entry{}, "v1\n{\"nextBatchWatermarkMs\":0}"},
		{commitlog.Entry{NextBatchWatermarkMs: -7}, "v1\n{\"nextBatchWatermarkMs\":-7}"},
		{commitlog.Entry{NextBatchWatermarkMs: 5, Extra: metalogtest.Fields("stateUniqueIds", `{"0":[["a"]]}`, "sluiceState", `{"ops": [1]}`)},
			"v1\n{\"nextBatchWatermarkMs\":5,\"stateUniqueIds\":{\"0\":[[\"a\"]]},\"sluiceState\":{\"ops\": [1]}}"},
	} {
		got, err := c.e.Encode()
		if err != nil || string(got) != c.want {
			t.Errorf("Encode(%+v) = %q, %v; want %q", c.e, got, err, c.want)
			continue
		}
		back, err := commitlog.Parse("commits/0", got)
		if err != nil || !reflect.DeepEqual(back, c.e) {
			t.Errorf("Parse(Encode(%+v)) = %+v, %v", c.e, back, err)
		}
	}
	for name, e := range map[string]commitlog.Entry{
		"extra named like the watermark": {Extra: metalogtest.Fields("nextBatchWatermarkMs", "1")},
		"extra not JSON":                 {Extra: metalogtest.Fields("x", "nope")},
		"extra spans lines":              {Extra: metalogtest.Fields("x", "{\n}")},
		"extra repeated":                 {Extra: metalogtest.Fields("x", "1", "x", "2")},
		"extra name not UTF-8":           {Extra: metalogtest.Fields("\xff", "1")},
	} {
		if b, err := e.Encode(); err == nil {
			t.Errorf("%s: Encode = %q, want an error", name, b)
		}
	}
}

func TestParseTolerates(t *testing.T) {
	for in, want := range map[string]commitlog.Entry{
		"v1\n{\"nextBatchWatermarkMs\":3}\n":                  {NextBatchWatermarkMs: 3},
		"v1\n{}":                                              {}, // Spark 2.1–2.2
		"v1\n { \"nextBatchWatermarkMs\" : 3 } ":              {NextBatchWatermarkMs: 3},
		"v1\n{\"b\":1,\"nextBatchWatermarkMs\":3,\"a\":null}": {NextBatchWatermarkMs: 3, Extra: metalogtest.Fields("b", "1", "a", "null")},
	} {
		e, err := commitlog.Parse("commits/2", []byte(in))
		if err != nil || !reflect.DeepEqual(e, want) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", in, e, err, want)
		}
	}
}
