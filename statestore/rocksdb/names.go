package rocksdb

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/cespare/xxhash/v2"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// Upload names. Every file of a snapshot goes to statestore.SSTDir:
//
//	SSTs/<number>-<xxhash64 of content, 16 hex>.sst   an SST, shared by snapshots
//	SSTs/<version>-<16 random hex>-<RocksDB name>      CURRENT, MANIFEST-*, OPTIONS-* of one snapshot
//
// An SST's number is unique within one RocksDB instance's life, but a
// restored instance reuses the numbers that the abandoned one used after the
// snapshot it was restored from; the content hash makes such a file's name
// new. The small metadata files change with every snapshot and are uploaded
// every time under names no other upload uses (a rerun of a version after a
// restart included; the random part is drawn once per committed snapshot,
// so retries of its upload write the same names), so a stored manifest's
// files never change.

// sstUploadName is the upload name of the SST local (e.g. "000012.sst")
// whose content hashes to sum.
func sstUploadName(local string, sum uint64) string {
	return fmt.Sprintf("%s/%s-%016x.sst", statestore.SSTDir, strings.TrimSuffix(local, ".sst"), sum)
}

// newToken returns the random part of a snapshot's metadata file names.
func newToken() string {
	var b [8]byte
	rand.Read(b[:]) // never fails (Go ≥ 1.24)
	return hex.EncodeToString(b[:])
}

// metaUploadName is the upload name of the RocksDB metadata file local of
// the snapshot of version with token.
func metaUploadName(version int64, token, local string) string {
	return fmt.Sprintf("%s/%d-%s-%s", statestore.SSTDir, version, token, local)
}

// localName maps an upload name from a manifest back to the RocksDB file
// name it had, and for an SST the content hash its name carries. A name of
// another shape is corruption of the manifest that lists it.
func localName(manifestPath, name string) (local string, sum uint64, isSST bool, err error) {
	corrupt := func(reason string) error {
		return &checkpoint.CorruptionError{Path: manifestPath, Offset: -1, Reason: fmt.Sprintf("file %q: %s", name, reason)}
	}
	dir, base := path.Split(name)
	if dir != statestore.SSTDir+"/" {
		return "", 0, false, corrupt("not in " + statestore.SSTDir)
	}
	if stem, ok := strings.CutSuffix(base, ".sst"); ok {
		num, hash, ok := strings.Cut(stem, "-")
		sum, err := strconv.ParseUint(hash, 16, 64)
		if !ok || len(hash) != 16 || err != nil || !isDigits(num) {
			return "", 0, false, corrupt("not an SST upload name")
		}
		return num + ".sst", sum, true, nil
	}
	parts := strings.SplitN(base, "-", 3)
	if len(parts) != 3 || !isDigits(parts[0]) || len(parts[1]) != 16 || !isMetaFile(parts[2]) {
		return "", 0, false, corrupt("not a RocksDB file upload name")
	}
	return parts[2], 0, false, nil
}

// isMetaFile reports whether a checkpoint's file is one of RocksDB's
// small metadata files a restore needs besides the SSTs.
func isMetaFile(name string) bool {
	return name == "CURRENT" || strings.HasPrefix(name, "MANIFEST-") || strings.HasPrefix(name, "OPTIONS-")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// hashFile is the xxhash64 of a local file's content.
func hashFile(p string) (uint64, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	h := xxhash.New()
	if _, err := io.Copy(h, f); err != nil {
		return 0, fmt.Errorf("hash %s: %w", p, err)
	}
	return h.Sum64(), nil
}

// sstNames remembers the upload names of the SSTs of one local RocksDB
// instance, so each is hashed once: when first uploaded, or when it came
// from a restore (its name is in the manifest). SSTs are immutable and
// their numbers unique within the instance, so the local name is the key.
// A restore starts a new instance, which may reuse numbers: it resets the
// names and starts a new generation, and snapshots of an older generation
// (still uploading) neither read nor fill the new one. It is safe for
// concurrent use (uploads run in the background).
type sstNames struct {
	mu  sync.Mutex
	gen int64
	m   map[string]string // "000012.sst" -> "SSTs/000012-<hash>.sst"
}

// reset starts a new generation knowing the names of seed (local ->
// upload).
func (n *sstNames) reset(seed map[string]string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.gen++
	n.m = seed
}

// generation is the current generation, for a snapshot to pass to name.
func (n *sstNames) generation() int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.gen
}

// lookup returns the known upload name of local in the current generation.
func (n *sstNames) lookup(local string) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	name, ok := n.m[local]
	return name, ok
}

// name returns the upload name of the SST local in dir, a file of
// generation gen, hashing it if it is not known.
func (n *sstNames) name(gen int64, dir, local string) (string, error) {
	n.mu.Lock()
	name, ok := n.m[local]
	ok = ok && n.gen == gen
	n.mu.Unlock()
	if ok {
		return name, nil
	}
	sum, err := hashFile(filepath.Join(dir, local))
	if err != nil {
		return "", err
	}
	name = sstUploadName(local, sum)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.gen == gen {
		if n.m == nil {
			n.m = make(map[string]string)
		}
		n.m[local] = name
	}
	return name, nil
}

// retain forgets, if gen is current, the names of SSTs not in live: files
// a snapshot no longer holds are gone from the instance for good
// (compacted away), and a later snapshot holds only live files and newer
// ones.
func (n *sstNames) retain(gen int64, live map[string]bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.gen != gen {
		return
	}
	for local := range n.m {
		if !live[local] {
			delete(n.m, local)
		}
	}
}
