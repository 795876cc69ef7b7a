package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sluicestream/sluice/checkpoint"
)

// Storage is a checkpoint.Storage over one bucket prefix of an S3-compatible
// object store. It is safe for concurrent use; Close releases its idle
// connections.
type Storage struct {
	client    *minio.Client
	core      minio.Core
	transport *http.Transport
	bucket    string
	prefix    string   // "" or ends with "/"
	partSize  int64    // multipart part size for Put
	secrets   []string // scrubbed from every error message
}

var _ checkpoint.Storage = (*Storage)(nil)

const (
	// conflictRetries bounds Create's retries of a conditional PUT that AWS
	// S3 refused with 409 ConditionalRequestConflict because another PUT of
	// the same key was in flight; the next attempt settles who won.
	conflictRetries = 5
	// conflictBackoff is the first wait between those retries; it doubles.
	conflictBackoff = 50 * time.Millisecond
	// createTokenHeader carries a random token per Create, so that a Create
	// whose PUT succeeded but was retried by the client (lost response) can
	// recognise its own object instead of reporting ErrExist.
	createTokenHeader = "X-Amz-Meta-Sluice-Create"
)

// New connects to the bucket, checks that it exists and the credentials
// may list it, and (unless opts.SkipConditionalCheck) that the server
// honours If-None-Match on PUT, on which Create relies; a server that does
// not gives an error wrapping ErrNoConditionalPut.
func New(ctx context.Context, opts Options) (*Storage, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, &Error{Op: "open storage", URL: "s3://" + opts.Bucket + "/" + strings.Trim(opts.Prefix, "/"), Err: err, msg: err.Error()}
	}
	s := &Storage{bucket: o.Bucket, partSize: o.PartSize}
	if o.Prefix != "" {
		s.prefix = o.Prefix + "/"
	}
	for _, secret := range []string{o.SecretKey, o.SessionToken} {
		if secret != "" {
			s.secrets = append(s.secrets, secret)
		}
	}
	if s.transport, err = minio.DefaultTransport(o.Secure); err != nil {
		return nil, s.fail("open storage", "", err)
	}
	s.client, err = minio.New(o.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(o.AccessKey, o.SecretKey, o.SessionToken),
		Secure:    o.Secure,
		Transport: s.transport,
		Region:    o.Region,
	})
	if err != nil {
		return nil, s.fail("open storage", "", err)
	}
	s.core = minio.Core{Client: s.client}
	if err := s.check(ctx, o.SkipConditionalCheck); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close releases idle connections. The Storage must not be used after.
func (s *Storage) Close() error {
	s.transport.CloseIdleConnections()
	return nil
}

// Read returns the whole object at path.
func (s *Storage) Read(ctx context.Context, path string) ([]byte, error) {
	rc, err := s.Open(ctx, path)
	if err != nil {
		return nil, s.relabel(err, "read")
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, s.relabel(err, "read")
	}
	return data, nil
}

// Create writes path with a conditional PUT (If-None-Match: *): of
// concurrent Creates the server lets exactly one through and answers the
// others 412 Precondition Failed, reported as checkpoint.ErrExist.
func (s *Storage) Create(ctx context.Context, path string, data []byte) error {
	key, err := s.key("create", path)
	if err != nil {
		return err
	}
	token := newToken()
	opts := minio.PutObjectOptions{DisableMultipart: true, UserMetadata: map[string]string{createTokenHeader: token}}
	opts.SetMatchETagExcept("*")
	backoff := conflictBackoff
	for try := 0; ; try++ {
		_, err = s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(data), int64(len(data)), opts)
		if err == nil || !isConditionalConflict(err) || try == conflictRetries {
			break
		}
		if err := sleep(ctx, backoff); err != nil {
			return s.fail("create", path, err)
		}
		backoff *= 2
	}
	if isPreconditionFailed(err) {
		return s.existing(ctx, path, key, token, err)
	}
	if err != nil {
		return s.fail("create", path, err)
	}
	return nil
}

// existing decides a 412 on Create: the object is someone else's (ErrExist)
// unless it carries this Create's token, which happens when the client
// retried a PUT whose first attempt succeeded.
func (s *Storage) existing(ctx context.Context, path, key, token string, precondErr error) error {
	info, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err == nil && info.Metadata.Get(createTokenHeader) == token {
		return nil
	}
	return s.fail("create", path, precondErr)
}

// Write replaces path with one PUT; S3 makes the new object visible whole.
func (s *Storage) Write(ctx context.Context, path string, data []byte) error {
	key, err := s.key("write", path)
	if err != nil {
		return err
	}
	_, err = s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(data), int64(len(data)),
		minio.PutObjectOptions{PartSize: uint64(s.partSize)})
	if err != nil {
		return s.fail("write", path, err)
	}
	return nil
}

// Put streams r to path: one PUT if r ends within the first part, else a
// multipart upload of PartSize parts, which the server publishes only when
// it completes (and which is aborted on error). It holds at most two parts
// in memory.
func (s *Storage) Put(ctx context.Context, path string, r io.Reader) error {
	key, err := s.key("put", path)
	if err != nil {
		return err
	}
	// Read the first part into a buffer that grows only as far as the
	// stream goes, so a small file costs a small buffer and one request.
	var first bytes.Buffer
	n, err := io.CopyN(&first, r, s.partSize)
	size := int64(-1)
	switch {
	case errors.Is(err, io.EOF):
		r, size = &first, n
	case err != nil:
		return s.fail("put", path, err)
	default:
		r = io.MultiReader(&first, r)
	}
	_, err = s.client.PutObject(ctx, s.bucket, key, r, size, minio.PutObjectOptions{PartSize: uint64(s.partSize)})
	if err != nil {
		return s.fail("put", path, err)
	}
	return nil
}

// Open streams the object at path with one GET. A missing object is
// reported here, not at the first Read.
func (s *Storage) Open(ctx context.Context, path string) (io.ReadCloser, error) {
	key, err := s.key("open", path)
	if err != nil {
		return nil, err
	}
	body, _, _, err := s.core.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.fail("open", path, err)
	}
	return &objectReader{body: body, s: s, path: path}, nil
}

// List lists dir with delimiter "/": objects by name, common prefixes as
// "name/", sorted bytewise.
func (s *Storage) List(ctx context.Context, dir string) ([]string, error) {
	clean, err := checkpoint.ValidateDir(dir)
	if err != nil {
		return nil, &Error{Op: "list", Path: dir, URL: s.url(dir), Err: err, msg: err.Error()}
	}
	dir = clean
	prefix := s.prefix
	if dir != "" {
		prefix += dir + "/"
	}
	var names []string
	for obj := range s.client.ListObjectsIter(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, FetchOwner: new(false)}) {
		if obj.Err != nil {
			return nil, s.fail("list", dir, obj.Err)
		}
		if name := strings.TrimPrefix(obj.Key, prefix); name != "" {
			names = append(names, name)
		}
	}
	// The iterator ends quietly when ctx is done; a cut listing is no listing.
	if err := ctx.Err(); err != nil {
		return nil, s.fail("list", dir, err)
	}
	sort.Strings(names)
	return names, nil
}

// Delete removes path; S3 answers a missing key with success.
func (s *Storage) Delete(ctx context.Context, path string) error {
	key, err := s.key("delete", path)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if err := s.fail("delete", path, err); !errors.Is(err, checkpoint.ErrNotExist) {
			return err
		}
	}
	return nil
}

// key returns the object key of a checkpoint path, or an Error naming it.
func (s *Storage) key(op, path string) (string, error) {
	if err := checkpoint.ValidatePath(path); err != nil {
		return "", &Error{Op: op, Path: path, URL: s.url(path), Err: err, msg: err.Error()}
	}
	return s.prefix + path, nil
}

// newToken returns 128 random bits in hex.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// url names path for messages: s3://bucket/prefix/path.
func (s *Storage) url(path string) string {
	return "s3://" + s.bucket + "/" + s.prefix + path
}

// relabel changes the operation of an Error from Open to that of the caller.
func (s *Storage) relabel(err error, op string) error {
	var e *Error
	if errors.As(err, &e) {
		c := *e
		c.Op = op
		return &c
	}
	return err
}

// objectReader names the object in the errors of a GET stream.
type objectReader struct {
	body io.ReadCloser
	s    *Storage
	path string
}

func (r *objectReader) Read(p []byte) (int, error) {
	n, err := r.body.Read(p)
	if err != nil && err != io.EOF {
		err = r.s.fail("open", r.path, err)
	}
	return n, err
}

func (r *objectReader) Close() error { return r.body.Close() }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
