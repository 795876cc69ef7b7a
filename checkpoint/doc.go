// Package checkpoint is the durable namespace of one streaming query: a
// local directory or an S3-compatible bucket prefix (package checkpoint/s3)
// holding the offset and commit logs, source logs and state checkpoints.
//
// Storage is deliberately small. Paths are slash-separated and relative to the
// checkpoint root ("offsets/7", "state/0/3/12.changelog"). Small metadata
// files go through Read, Create and Write; large immutable files (state
// SSTs) through Put and Open, which stream.
//
//	st, err := checkpoint.OpenLocal("/var/lib/q1")
//	err = st.Create(ctx, "offsets/0", entry) // ErrExist if another writer won
//	data, err := st.Read(ctx, "offsets/0")
//
// Open(ctx, location) picks the implementation from a location string: a
// plain path or file:// URL is a local directory; another scheme ("s3://")
// goes to the opener its package registered with RegisterScheme, so a program
// imports the storage packages it wants (import _ ".../checkpoint/s3").
// NewMem is an in-memory Storage for tests; package checkpoint/storagetest is
// the conformance suite every implementation passes.
//
// Durability: a call that returns nil has made its effect durable (fsync, or
// an acknowledged PUT), and readers see a file whole or not at all. Create is
// the single point where two writers of one name are decided: exactly one
// succeeds, the others get ErrExist. A call that fails may or may not have
// taken effect (the failure may come after the file was published); a Create
// retried after such a failure can meet its own file as ErrExist.
//
// Paths: ValidatePath says which paths are valid: relative, slash-separated,
// no empty, "." or ".." elements, no backslash or NUL, no element shaped like
// a temp file. Every implementation rejects others with an error wrapping
// ErrInvalidPath that names the path. Errors name the path and wrap
// ErrNotExist or ErrExist where those apply, and the context's error when ctx
// is done; a reader from Open fails once its ctx is done. A file and a
// directory cannot share a name. List shows directories with a trailing "/";
// in a local directory an emptied directory stays (and lists) until removed
// by hand, while Mem and object stores have no empty directories.
//
// The local directory (Local) holds each path as the file of that relative
// name. Writes go through internal/fsutil's one durable-write recipe: the
// content is written to ".<name>.tmp-<16 hex digits>" in the same directory,
// fsynced, then renamed over the name (Write, Put) or hard-linked to it,
// which fails if the name is taken (Create), and the directory is fsynced.
// New directories are fsynced into their parents before use; Delete fsyncs
// the directory too. Temp files are never listed, and OpenLocal removes the
// ones that interrupted writes left behind anywhere under the root, so only
// one process may have a checkpoint directory open for writing.
//
// Implementations are safe for concurrent use.
package checkpoint
