package statestore

// Manifest describes what restoring a store needs from checkpoint storage:
// the newest snapshot (a set of data files) and the changelogs after it.
type Manifest struct {
	Version         int64      `json:"version"`         // the version this manifest is current for
	SnapshotVersion int64      `json:"snapshotVersion"` // version of the newest snapshot (0: none)
	Files           []FileInfo `json:"files"`           // data files of that snapshot
}

// FileInfo is one uploaded data file.
type FileInfo struct {
	Name   string `json:"name"`   // path relative to the store's directory, e.g. "SSTs/000012-3f2a.sst"
	Size   int64  `json:"size"`   // bytes as stored (after compression/encryption)
	CRC32C uint32 `json:"crc32c"` // of the stored bytes
}
