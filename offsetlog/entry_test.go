package offsetlog_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
	"github.com/sluicestream/sluice/offsetlog"
)

// TestEncodeAsSpark builds an entry in Go, as the engine will, and checks it
// encodes to the very bytes Spark 4.0 wrote for the same content.
func TestEncodeAsSpark(t *testing.T) {
	e := offsetlog.Entry{
		Metadata: offsetlog.Metadata{
			BatchWatermarkMs: 0,
			BatchTimestampMs: 1719290931555,
			Conf: offsetlog.Conf{
				{"spark.sql.streaming.stateStore.providerClass", "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider"},
				{"spark.sql.streaming.stateStore.rocksdb.formatVersion", "5"},
				{"spark.sql.streaming.statefulOperator.useStrictDistribution", "true"},
				{"spark.sql.streaming.flatMapGroupsWithState.stateFormatVersion", "2"},
				{"spark.sql.streaming.multipleWatermarkPolicy", "min"},
				{"spark.sql.streaming.aggregation.stateFormatVersion", "2"},
				{"spark.sql.shuffle.partitions", "5"},
				{"spark.sql.streaming.join.stateFormatVersion", "2"},
				{"spark.sql.streaming.stateStore.compression.codec", "lz4"},
			},
		},
		Offsets: []json.RawMessage{json.RawMessage("0")},
	}
	got, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(metalogtest.FixturesDir(t), "checkpoint-version-4.0.0/rocksdb/agg/offsets/0"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("Encode:\n got %q\nwant %q", got, want)
	}
}

func TestEncodeLayout(t *testing.T) {
	for _, c := range []struct {
		name string
		e    offsetlog.Entry
		want string
	}{
		{"zero", offsetlog.Entry{}, "v1\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":0}"},
		{"empty conf", offsetlog.Entry{Metadata: offsetlog.Metadata{Conf: offsetlog.Conf{}}},
			"v1\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":0,\"conf\":{}}"},
		{"void and negative", offsetlog.Entry{
			Metadata: offsetlog.Metadata{BatchWatermarkMs: -1, BatchTimestampMs: 5},
			Offsets:  []json.RawMessage{nil, json.RawMessage(`{"a": 1}`), nil},
		}, "v1\n{\"batchWatermarkMs\":-1,\"batchTimestampMs\":5}\n-\n{\"a\": 1}\n-"},
		{"extra after known", offsetlog.Entry{Metadata: offsetlog.Metadata{
			Conf:  offsetlog.Conf{{"k\"", "v\n"}},
			Extra: metalogtest.Fields("zzz", `[1]`, "aaa", `"x"`),
		}}, "v1\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":0,\"conf\":{\"k\\\"\":\"v\\n\"},\"zzz\":[1],\"aaa\":\"x\"}"},
	} {
		got, err := c.e.Encode()
		if err != nil || string(got) != c.want {
			t.Errorf("%s: Encode = %q, %v\nwant %q", c.name, got, err, c.want)
			continue
		}
		back, err := offsetlog.Parse("offsets/0", got)
		if err != nil || !reflect.DeepEqual(back, c.e) {
			t.Errorf("%s: Parse(Encode) = %+v, %v; want %+v", c.name, back, err, c.e)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	md := offsetlog.Metadata{BatchTimestampMs: 1}
	for name, e := range map[string]offsetlog.Entry{
		"offset not JSON":     {Metadata: md, Offsets: []json.RawMessage{json.RawMessage("-")}},
		"offset empty":        {Metadata: md, Offsets: []json.RawMessage{{}}},
		"offset spans lines":  {Metadata: md, Offsets: []json.RawMessage{json.RawMessage("{\n}")}},
		"offset ends in \\n":  {Metadata: md, Offsets: []json.RawMessage{json.RawMessage("1\n")}},
		"conf key repeated":   {Metadata: offsetlog.Metadata{Conf: offsetlog.Conf{{"a", "1"}, {"a", "2"}}}},
		"conf not UTF-8":      {Metadata: offsetlog.Metadata{Conf: offsetlog.Conf{{"a", "\xff"}}}},
		"extra named conf":    {Metadata: offsetlog.Metadata{Extra: metalogtest.Fields("conf", "{}")}},
		"extra not JSON":      {Metadata: offsetlog.Metadata{Extra: metalogtest.Fields("x", "{")}},
		"extra spans lines":   {Metadata: offsetlog.Metadata{Extra: metalogtest.Fields("x", "[\n]")}},
		"extra name repeated": {Metadata: offsetlog.Metadata{Extra: metalogtest.Fields("x", "1", "x", "1")}},
	} {
		if b, err := e.Encode(); err == nil {
			t.Errorf("%s: Encode = %q, want an error", name, b)
		}
	}
}

func TestParseTolerates(t *testing.T) {
	for name, c := range map[string]struct {
		in   string
		want offsetlog.Entry
	}{
		"trailing newline": {"v1\n{\"batchWatermarkMs\":1,\"batchTimestampMs\":2}\n3\n",
			offsetlog.Entry{Metadata: offsetlog.Metadata{BatchWatermarkMs: 1, BatchTimestampMs: 2}, Offsets: raw("3")}},
		"spaces in metadata": {"v1\n { \"batchTimestampMs\" : 2 , \"conf\" : { \"a\" : \"b\" } } \n-",
			offsetlog.Entry{Metadata: offsetlog.Metadata{BatchTimestampMs: 2, Conf: offsetlog.Conf{{"a", "b"}}}, Offsets: raw("-")}},
		"no sources": {"v1\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":2}",
			offsetlog.Entry{Metadata: offsetlog.Metadata{BatchTimestampMs: 2}}},
		"unknown field first": {"v1\n{\"new\":{\"x\":[1]},\"batchWatermarkMs\":0,\"batchTimestampMs\":2}\n0",
			offsetlog.Entry{Metadata: offsetlog.Metadata{BatchTimestampMs: 2, Extra: metalogtest.Fields("new", `{"x":[1]}`)}, Offsets: raw("0")}},
		"conf order kept": {"v1\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":2,\"conf\":{\"z\":\"1\",\"a\":\"2\",\"m\":\"\\u0041\"}}\n0",
			offsetlog.Entry{Metadata: offsetlog.Metadata{BatchTimestampMs: 2, Conf: offsetlog.Conf{{"z", "1"}, {"a", "2"}, {"m", "A"}}}, Offsets: raw("0")}},
	} {
		e, err := offsetlog.Parse("offsets/9", []byte(c.in))
		if err != nil || !reflect.DeepEqual(e, c.want) {
			t.Errorf("%s: Parse = %+v, %v\nwant %+v", name, e, err, c.want)
		}
	}
}

func TestConf(t *testing.T) {
	var c offsetlog.Conf
	c.Set("b", "1")
	c.Set("a", "2")
	c.Set("b", "3")
	if v, ok := c.Get("b"); !ok || v != "3" || len(c) != 2 || c[0].Key != "b" {
		t.Fatalf("Conf = %v", c)
	}
	if _, ok := c.Get("zz"); ok {
		t.Fatal("Get of a missing key")
	}
}
