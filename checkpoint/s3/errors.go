package s3

import (
	"errors"
	"net/http"
	"strings"

	"github.com/minio/minio-go/v7"

	"github.com/sluicestream/sluice/checkpoint"
)

// ErrNoConditionalPut: the server accepted a PUT with If-None-Match: * over
// an existing object, so it cannot decide between two Creates of one path.
// New returns it (wrapped) unless Options.SkipConditionalCheck is set.
var ErrNoConditionalPut = errors.New("server ignores If-None-Match on PUT, so Create cannot be exclusive")

// Error is the error every Storage method returns. It names the operation
// and the object, carries the S3 error code when the server refused, and
// wraps checkpoint.ErrNotExist or checkpoint.ErrExist where one applies as
// well as the client's error. Its text never contains the secret key or
// session token.
type Error struct {
	Op   string // "read", "create", "write", "put", "open", "list", "delete", "open storage"
	Path string // relative to the checkpoint root; "" for the root itself
	URL  string // s3://bucket/prefix/path
	Code string // S3 error code ("NoSuchKey", "AccessDenied"); "" if the server did not answer
	Err  error  // the underlying error

	kind error  // checkpoint.ErrNotExist, checkpoint.ErrExist or nil
	msg  string // the redacted text of Err, with a hint
}

func (e *Error) Error() string { return "s3 " + e.Op + " " + e.URL + ": " + e.msg }

// Unwrap gives errors.Is and errors.As both the checkpoint sentinel, if any,
// and the underlying error.
func (e *Error) Unwrap() []error {
	if e.kind != nil {
		return []error{e.kind, e.Err}
	}
	return []error{e.Err}
}

// fail builds the Error for op on path from err.
func (s *Storage) fail(op, path string, err error) error {
	e := &Error{Op: op, Path: path, URL: s.url(path), Err: err}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		e.Code = resp.Code
	}
	switch {
	case e.Code == "NoSuchKey" || (e.Code == "" && resp.StatusCode == http.StatusNotFound):
		e.kind, e.msg = checkpoint.ErrNotExist, checkpoint.ErrNotExist.Error()
	case e.Code == "PreconditionFailed" || resp.StatusCode == http.StatusPreconditionFailed:
		e.kind, e.msg = checkpoint.ErrExist, checkpoint.ErrExist.Error()
	default:
		e.msg = s.redact(err.Error())
		if e.Code != "" && !strings.Contains(e.msg, e.Code) {
			e.msg += " (" + e.Code + ")"
		}
		if h := hint(e.Code, resp.StatusCode); h != "" {
			e.msg += ": " + h
		}
	}
	return e
}

// hint says what to check for the S3 errors a misconfiguration causes.
func hint(code string, status int) string {
	switch {
	case code == "NoSuchBucket":
		return "the bucket does not exist; create it first"
	case code == "AuthorizationHeaderMalformed" || code == "PermanentRedirect" || code == "IllegalLocationConstraintException":
		return "check the region (" + EnvRegion + ")"
	case status == http.StatusForbidden || status == http.StatusUnauthorized ||
		code == "InvalidAccessKeyId" || code == "XAdminUserNotFound" || // versitygw's InvalidAccessKeyId
		code == "SignatureDoesNotMatch" || code == "InvalidToken" || code == "ExpiredToken":
		// Any 403 may be a credential or a permission problem.
		return "check the credentials (" + EnvAccessKey + ", " + EnvSecretKey + ") and that they may use the bucket"
	}
	return ""
}

// redact removes the secrets from text meant for an error message.
func (s *Storage) redact(text string) string {
	for _, secret := range s.secrets {
		text = strings.ReplaceAll(text, secret, "<redacted>")
	}
	return text
}

// isConditionalConflict reports a 409 that AWS S3 answers to a conditional
// PUT racing another one on the same key; the PUT should be retried.
func isConditionalConflict(err error) bool {
	var resp minio.ErrorResponse
	return errors.As(err, &resp) && resp.Code == "ConditionalRequestConflict"
}

// isPreconditionFailed reports the answer to a conditional PUT over an
// existing object.
func isPreconditionFailed(err error) bool {
	var resp minio.ErrorResponse
	return errors.As(err, &resp) && (resp.Code == "PreconditionFailed" || resp.StatusCode == http.StatusPreconditionFailed)
}
