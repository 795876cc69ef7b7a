package s3

import (
	"bytes"
	"context"
	"fmt"

	"github.com/minio/minio-go/v7"
)

// probeName is the object New writes, twice, to learn whether the server
// honours If-None-Match; it lives a few milliseconds under the prefix.
const probeName = ".sluice-conditional-probe-"

// check verifies what New promises: the bucket exists and the credentials
// may list it, and unless skipped, a conditional PUT over an existing object
// is refused.
func (s *Storage) check(ctx context.Context, skipConditional bool) error {
	for obj := range s.client.ListObjectsIter(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, MaxKeys: 1, FetchOwner: new(false)}) {
		if obj.Err != nil {
			return s.fail("open storage", "", obj.Err)
		}
		break
	}
	if err := ctx.Err(); err != nil { // the iterator ends quietly when ctx is done
		return s.fail("open storage", "", err)
	}
	if skipConditional {
		return nil
	}
	return s.probeConditional(ctx)
}

// probeConditional puts one object twice with If-None-Match: *; the second
// PUT must fail with 412 Precondition Failed.
func (s *Storage) probeConditional(ctx context.Context) (err error) {
	path := probeName + newToken()
	key := s.prefix + path
	put := func() error {
		opts := minio.PutObjectOptions{DisableMultipart: true}
		opts.SetMatchETagExcept("*")
		_, err := s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(nil), 0, opts)
		return err
	}
	if err := put(); err != nil {
		return s.fail("open storage (conditional PUT probe)", path, err)
	}
	defer func() {
		if derr := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); derr != nil && err == nil {
			err = s.fail("open storage (remove conditional PUT probe)", path, derr)
		}
	}()
	switch err := put(); {
	case err == nil:
		return &Error{Op: "open storage", URL: s.url(""), Err: ErrNoConditionalPut,
			msg: fmt.Sprintf("%v: a second PUT of %s with If-None-Match: * succeeded", ErrNoConditionalPut, path)}
	case isPreconditionFailed(err):
		return nil
	default:
		return s.fail("open storage (conditional PUT probe)", path, err)
	}
}
