package statestore

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
)

func sampleManifest() *Manifest {
	return &Manifest{Version: 20, SnapshotVersion: 20, Files: []FileInfo{
		{Name: "SSTs/000012-3f2a.sst", Size: 4096, CRC32C: 0xdeadbeef},
		{Name: "SSTs/000013-77aa.sst", Size: 0, CRC32C: 0},
	}}
}

func TestManifestRoundTrip(t *testing.T) {
	for _, m := range []*Manifest{
		sampleManifest(),
		{Version: 1, SnapshotVersion: 1, Files: []FileInfo{}},
		{Version: 9, SnapshotVersion: 0},
		{Version: 12, SnapshotVersion: 10, Files: []FileInfo{{Name: "a", Size: 1, CRC32C: 2}}},
	} {
		data := EncodeManifest(m)
		if !bytes.HasPrefix(data, []byte("v1\n")) {
			t.Fatalf("manifest starts %q, want the version line", data[:min(len(data), 8)])
		}
		got, err := DecodeManifest("m", data)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Files) == 0 {
			m.Files, got.Files = nil, nil
		}
		if !reflect.DeepEqual(got, m) {
			t.Fatalf("round trip: got %+v, want %+v", got, m)
		}
	}
}

func TestManifestFormat(t *testing.T) {
	got := string(EncodeManifest(&Manifest{Version: 3, SnapshotVersion: 3, Files: []FileInfo{{Name: "SSTs/a.sst", Size: 5, CRC32C: 6}}}))
	want := "v1\n" + `{"version":3,"snapshotVersion":3,"files":[{"name":"SSTs/a.sst","size":5,"crc32c":6}]}` + "\ncrc32c:"
	if !strings.HasPrefix(got, want) || len(got) != len(want)+9 || !strings.HasSuffix(got, "\n") {
		t.Fatalf("manifest file:\n%s", got)
	}
}

func TestManifestCorruption(t *testing.T) {
	data := EncodeManifest(sampleManifest())
	for n := range len(data) {
		_, err := DecodeManifest("s/20.manifest", data[:n])
		wantCorruption(t, err, "s/20.manifest", fmt.Sprintf("truncated to %d bytes", n))
	}
	for i := range data {
		for _, mask := range []byte{0x01, 0x20, 0xff} {
			bad := bytes.Clone(data)
			bad[i] ^= mask
			_, err := DecodeManifest("s/20.manifest", bad)
			wantCorruption(t, err, "s/20.manifest", fmt.Sprintf("byte %d ^ %#x", i, mask))
		}
	}
	_, err := DecodeManifest("m", append(bytes.Clone(data), '\n'))
	wantCorruption(t, err, "m", "a newline appended")
}

// reseal recomputes the checksum line of a hand-made manifest body.
func reseal(body string) []byte {
	var b bytes.Buffer
	b.WriteString(body)
	fmt.Fprintf(&b, "crc32c:%08x\n", crc32cOf([]byte(body)))
	return b.Bytes()
}

func TestManifestInvalidContent(t *testing.T) {
	for _, tc := range []struct{ name, body, reason string }{
		{"newer format", "v2\n{}\n", "manifest format v2 is newer than this build reads (v1)"},
		{"bad version line", "V1\n{}\n", "bad version line"},
		{"unknown field", "v1\n" + `{"version":1,"snapshotVersion":1,"files":[],"x":1}` + "\n", "manifest JSON"},
		{"not JSON", "v1\nhello\n", "manifest JSON"},
		{"two values", "v1\n" + `{"version":1} {"version":2}` + "\n", "data after the manifest JSON"},
		{"version 0", "v1\n" + `{"version":0,"snapshotVersion":0}` + "\n", "not positive"},
		{"snapshot after version", "v1\n" + `{"version":2,"snapshotVersion":3}` + "\n", "outside"},
		{"files without snapshot", "v1\n" + `{"version":2,"snapshotVersion":0,"files":[{"name":"a","size":1,"crc32c":1}]}` + "\n", "without a snapshot"},
		{"escaping name", "v1\n" + `{"version":2,"snapshotVersion":2,"files":[{"name":"../x","size":1,"crc32c":1}]}` + "\n", "file name"},
		{"duplicate", "v1\n" + `{"version":2,"snapshotVersion":2,"files":[{"name":"a","size":1,"crc32c":1},{"name":"a","size":1,"crc32c":1}]}` + "\n", "twice"},
		{"negative size", "v1\n" + `{"version":2,"snapshotVersion":2,"files":[{"name":"a","size":-1,"crc32c":1}]}` + "\n", "negative size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeManifest("m", reseal(tc.body))
			wantCorruption(t, err, "m", tc.name)
			if !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("error %q does not say %q", err, tc.reason)
			}
		})
	}
}

func FuzzDecodeManifest(f *testing.F) {
	f.Add(EncodeManifest(sampleManifest()))
	f.Add(reseal("v1\n{}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeManifest("m", data)
		if err != nil {
			var ce *checkpoint.CorruptionError
			if !errors.As(err, &ce) {
				t.Fatalf("not a CorruptionError: %v", err)
			}
			return
		}
		again, err := DecodeManifest("m", EncodeManifest(m))
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("re-encoding a decoded manifest: %+v, %v", again, err)
		}
	})
}
