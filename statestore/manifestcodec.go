package statestore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"

	"github.com/sluicestream/sluice/checkpoint"
)

// A manifest file (<v>.manifest) is three lines of text:
//
//	v1
//	{"version":20,"snapshotVersion":20,"files":[{"name":"SSTs/000012-3f2a.sst","size":4096,"crc32c":123}]}
//	crc32c:89abcdef
//
// The first line is the format version; the second the Manifest as compact
// JSON; the third the CRC32C (Castagnoli) of the first two lines, newlines
// included, as 8 lower-case hex digits. Each line ends with "\n".
const (
	manifestFormatVersion = 1
	manifestCRCPrefix     = "crc32c:"
)

// ManifestName is the file name of version v's snapshot manifest.
func ManifestName(v int64) string { return strconv.FormatInt(v, 10) + ".manifest" }

// EncodeManifest returns the manifest file's content.
func EncodeManifest(m *Manifest) []byte {
	js, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("statestore: marshal manifest: %v", err)) // plain struct: a broken invariant
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "v%d\n%s\n", manifestFormatVersion, js)
	fmt.Fprintf(&b, "%s%08x\n", manifestCRCPrefix, crc32.Checksum(b.Bytes(), crc32c))
	return b.Bytes()
}

// DecodeManifest parses a manifest file's content. path names the file in
// errors. Anything wrong — a torn file, a checksum mismatch, a format newer
// than this build reads, a manifest that contradicts itself — is a
// *checkpoint.CorruptionError naming path.
func DecodeManifest(path string, data []byte) (*Manifest, error) {
	corrupt := func(off int, err error, format string, args ...any) error {
		return &checkpoint.CorruptionError{Path: path, Offset: int64(off), Reason: fmt.Sprintf(format, args...), Err: err}
	}
	first, rest, ok := bytes.Cut(data, []byte("\n"))
	if !ok {
		return nil, corrupt(-1, nil, "missing version line")
	}
	if err := checkVersionLine(string(first)); err != "" {
		return nil, corrupt(0, nil, "%s", err)
	}
	js, last, ok := bytes.Cut(rest, []byte("\n"))
	if !ok {
		return nil, corrupt(-1, nil, "truncated: missing checksum line")
	}
	crcOff := len(data) - len(last)
	crcLine, ok := bytes.CutSuffix(last, []byte("\n"))
	if !ok || !bytes.HasPrefix(crcLine, []byte(manifestCRCPrefix)) {
		return nil, corrupt(crcOff, nil, "truncated or garbled checksum line")
	}
	hexCRC := string(crcLine[len(manifestCRCPrefix):])
	want, err := strconv.ParseUint(hexCRC, 16, 32)
	if err != nil || len(hexCRC) != 8 || strings.ToLower(hexCRC) != hexCRC {
		return nil, corrupt(crcOff, nil, "garbled checksum line")
	}
	if got := crc32.Checksum(data[:crcOff], crc32c); got != uint32(want) {
		return nil, corrupt(-1, nil, "checksum mismatch (stored %08x, computed %08x)", want, got)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, corrupt(len(first)+1, err, "manifest JSON")
	}
	if dec.More() {
		return nil, corrupt(len(first)+1, nil, "data after the manifest JSON")
	}
	if reason := m.problem(); reason != "" {
		return nil, corrupt(-1, nil, "%s", reason)
	}
	return &m, nil
}

// checkVersionLine says what is wrong with a manifest's first line, or "".
func checkVersionLine(line string) string {
	digits, ok := strings.CutPrefix(line, "v")
	n, err := strconv.Atoi(digits)
	switch {
	case !ok || err != nil || n <= 0 || strconv.Itoa(n) != digits:
		return fmt.Sprintf("bad version line %q", truncate(line, 16))
	case n > manifestFormatVersion:
		return fmt.Sprintf("manifest format v%d is newer than this build reads (v%d); upgrade Sluice to read this checkpoint", n, manifestFormatVersion)
	}
	return ""
}

// problem says how m contradicts itself, or "".
func (m *Manifest) problem() string {
	switch {
	case m.Version < 1:
		return fmt.Sprintf("version %d is not positive", m.Version)
	case m.SnapshotVersion < 0 || m.SnapshotVersion > m.Version:
		return fmt.Sprintf("snapshot version %d outside [0, %d]", m.SnapshotVersion, m.Version)
	case m.SnapshotVersion == 0 && len(m.Files) > 0:
		return "files listed without a snapshot"
	}
	seen := make(map[string]bool, len(m.Files))
	for _, f := range m.Files {
		if err := checkpoint.ValidatePath(f.Name); err != nil {
			return fmt.Sprintf("file name: %v", err)
		}
		if seen[f.Name] {
			return fmt.Sprintf("file %s listed twice", f.Name)
		}
		seen[f.Name] = true
		if f.Size < 0 {
			return fmt.Sprintf("file %s has negative size %d", f.Name, f.Size)
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
