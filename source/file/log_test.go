package file

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestSparkLogFormat: entries of Spark's FileStreamSourceLog parse, and
// encode back byte for byte.
func TestSparkLogFormat(t *testing.T) {
	const dir = "../../testdata/spark-checkpoints/file-source-log-version-2.1.0/"
	for _, c := range []struct {
		name string
		want []FileEntry
	}{
		{"3", []FileEntry{{"/a/b/3", 1480730950000, 3}}},
		{"4", []FileEntry{{"/a/b/4", 1480730951000, 4}}},
		{"2.compact", []FileEntry{{"/a/b/0", 1480730949000, 0}, {"/a/b/1", 1480730950000, 1}, {"/a/b/2", 1480730950000, 2}}},
	} {
		data, err := os.ReadFile(dir + c.name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := logCodec.Parse(c.name, data)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Fatalf("%s: %+v, want %+v", c.name, got, c.want)
		}
		enc, err := logCodec.Encode(got)
		if err != nil {
			t.Fatal(err)
		}
		if string(enc) != strings.TrimSuffix(string(data), "\n") {
			t.Errorf("%s: encoded\n%s\nwant\n%s", c.name, enc, data)
		}
	}
}

func TestLogCodec(t *testing.T) {
	files := []FileEntry{{`/in/a "quoted"\dir/ü.csv`, 1, 7}, {"/in/b", -5, 7}}
	enc, err := logCodec.Encode(files)
	if err != nil {
		t.Fatal(err)
	}
	const want = `v1` + "\n" + `{"path":"/in/a \"quoted\"\\dir/ü.csv","timestamp":1,"batchId":7}` + "\n" + `{"path":"/in/b","timestamp":-5,"batchId":7}`
	if string(enc) != want {
		t.Fatalf("encoded\n%s\nwant\n%s", enc, want)
	}
	got, err := logCodec.Parse("sources/0/7", append(enc, '\n'))
	if err != nil || !reflect.DeepEqual(got, files) {
		t.Fatalf("parse: %+v, %v", got, err)
	}
	if _, err := logCodec.Encode(nil); err == nil {
		t.Fatal("encoding an empty entry: no error")
	}
	for _, bad := range []string{
		"v1\n{}",
		"v1\n{\"path\":\"\",\"timestamp\":0,\"batchId\":0}",
		"v1\n{\"path\":\"/a\",\"timestamp\":\"0\",\"batchId\":0}",
		"v1\n{\"path\":\"/a\",\"timestamp\":0,\"batchId\":0}\n\n",
		"v1\n{\"path\":\"/a\",\"timestamp\":0,\"batchId\":0,\"path\":\"/b\"}",
		"v1\n[]",
	} {
		if _, err := logCodec.Parse("sources/0/0", []byte(bad)); err == nil || !strings.Contains(err.Error(), "sources/0/0") {
			t.Errorf("parse %q: %v", bad, err)
		}
	}
	// Unknown fields are ignored, as Spark ignores them.
	got, err = logCodec.Parse("x", []byte("v1\n{\"path\":\"/a\",\"timestamp\":0,\"batchId\":0,\"extra\":[1]}"))
	if err != nil || len(got) != 1 {
		t.Fatalf("extra field: %+v, %v", got, err)
	}
}

func FuzzLogEntry(f *testing.F) {
	f.Add([]byte("v1\n{\"path\":\"/a/b/3\",\"timestamp\":1480730950000,\"batchId\":3}"))
	f.Add([]byte("v1\n{\"path\":\"/a\",\"timestamp\":0,\"batchId\":0}\n{\"path\":\"/b\",\"timestamp\":0,\"batchId\":0}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := logCodec.Parse("f", data)
		if err != nil {
			return
		}
		enc, err := logCodec.Encode(files)
		if err != nil {
			t.Fatalf("parsed %q but cannot encode it: %v", data, err)
		}
		again, err := logCodec.Parse("f", enc)
		if err != nil || !reflect.DeepEqual(again, files) {
			t.Fatalf("round trip of %q: %+v, %v", data, again, err)
		}
	})
}
