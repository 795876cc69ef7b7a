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
// Durability: a call that returns nil has made its effect durable (fsync, or
// an acknowledged PUT), and readers see a file whole or not at all. Create is
// the single point where two writers of one name are decided: exactly one
// succeeds, the others get ErrExist.
//
// Implementations are safe for concurrent use.
package checkpoint
