// Package s3 is a checkpoint.Storage over a prefix of a bucket on AWS S3 or
// any S3-compatible server (MinIO, versitygw, Ceph RGW, ...), through
// github.com/minio/minio-go/v7.
//
//	st, err := s3.New(ctx, s3.Options{
//		Endpoint: "http://127.0.0.1:7070", Bucket: "ckpt", Prefix: "queries/q1",
//		AccessKey: ak, SecretKey: sk,
//	})
//	defer st.Close()
//	err = st.Create(ctx, "offsets/0", entry) // checkpoint.ErrExist if another writer won
//
// or, as a checkpoint location, with credentials and endpoint from the
// environment (OptionsFromEnv):
//
//	st, err := checkpoint.Open(ctx, "s3://ckpt/queries/q1")
//
// # Layout
//
// The checkpoint path p is the object key Prefix + "/" + p; "directories"
// exist only as key prefixes, so List lists with delimiter "/" and a
// directory whose last file is deleted is gone. Nothing else is stored: no
// marker objects, no temporary keys (New's probe object, below, lives a few
// milliseconds).
//
// # How each operation is made safe
//
//   - Read, Open: one GET. S3 serves one version of an object whole, so a
//     reader never sees a mix of two writes. NoSuchKey is checkpoint.ErrNotExist.
//   - Create: one PUT with "If-None-Match: *". The server stores the object
//     only if the key is free and answers every other writer 412 Precondition
//     Failed, which is checkpoint.ErrExist: of concurrent Creates exactly one
//     wins. The PUT carries a random token in its metadata, so that a Create
//     whose response was lost and which the client retried recognises its
//     own object instead of reporting ErrExist. AWS S3's 409
//     ConditionalRequestConflict (two conditional PUTs in flight) is retried.
//   - Write: one PUT, which replaces the object atomically.
//   - Put: one PUT if the stream ends within the first part, else a
//     multipart upload of Options.PartSize parts; the object appears only
//     when the upload completes, and a failed upload is aborted. At most two
//     parts are held in memory.
//   - List: ListObjectsV2 with delimiter "/", sorted here bytewise.
//   - Delete: DELETE; a missing key is not an error.
//
// Durability is the server's: an acknowledged PUT is durable on S3.
//
// # Servers that ignore If-None-Match
//
// Conditional PUT is recent in S3 (AWS since August 2024) and a server that
// predates it silently overwrites, which would let two writers both "win" a
// log entry. New therefore probes: it PUTs a probe object twice with
// If-None-Match: * and fails with ErrNoConditionalPut unless the second PUT
// is refused, then deletes the probe. versitygw (v1.8.0, posix backend)
// honours it, also under concurrency. Options.SkipConditionalCheck skips
// the probe, for read-only credentials or a server known to honour it.
//
// # Credentials
//
// Static keys only (Options, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
// AWS_SESSION_TOKEN); instance roles and profile files are not read. The
// secret key and session token are never logged and never appear in an
// error (they are scrubbed from server and client messages), and printing
// Options masks them. Refused credentials make New fail with an *Error
// whose Code is the server's (SignatureDoesNotMatch, InvalidAccessKeyId)
// and whose text says which variables to check.
//
// # Concurrency
//
// A Storage is safe for concurrent use. Close releases idle connections.
package s3
