package s3

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/sluicestream/sluice/checkpoint"
)

// Options configure a Storage. They are copied, defaulted and validated by
// New; only Bucket and the credentials are required.
type Options struct {
	// Endpoint is the S3 API address: "host[:port]", or a URL
	// "http://host:port" / "https://host" whose scheme then decides Secure.
	// Empty means AWS S3 (s3.amazonaws.com, always over HTTPS).
	Endpoint string
	// Bucket holds the checkpoint; it must exist.
	Bucket string
	// Prefix is the key prefix of the checkpoint root ("queries/q1"); empty
	// means the bucket's root. Leading and trailing slashes are ignored.
	Prefix string
	// AccessKey and SecretKey sign every request (AWS Signature V4).
	// SessionToken is set for temporary credentials only. None of them is
	// ever logged or put in an error message.
	AccessKey, SecretKey, SessionToken string
	// Region the bucket lives in; empty asks the server (GetBucketLocation).
	Region string
	// Secure selects HTTPS for an Endpoint given without a scheme.
	Secure bool
	// PartSize is the part size of multipart uploads made by Put, in bytes;
	// 0 means DefaultPartSize. Put holds up to two parts in memory.
	PartSize int64
	// SkipConditionalCheck skips New's check that the server honours
	// If-None-Match on PUT (three requests). Set it for read-only use or for
	// a server known to honour it; Create is only safe on such a server.
	SkipConditionalCheck bool
}

const (
	// DefaultPartSize: 16 MiB parts reach 156 GiB in S3's 10,000 parts, far
	// beyond any state file, while a Put in flight holds at most 32 MiB.
	DefaultPartSize = 16 << 20
	// MinPartSize is S3's smallest part but the last.
	MinPartSize = 5 << 20
	// awsEndpoint is used when no endpoint is configured.
	awsEndpoint = "s3.amazonaws.com"
)

// Environment variables read by OptionsFromEnv.
const (
	EnvAccessKey    = "AWS_ACCESS_KEY_ID"
	EnvSecretKey    = "AWS_SECRET_ACCESS_KEY"
	EnvSessionToken = "AWS_SESSION_TOKEN"
	EnvRegion       = "AWS_REGION"         // then AWS_DEFAULT_REGION
	EnvEndpoint     = "SLUICE_S3_ENDPOINT" // then AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL
)

// OptionsFromEnv returns Options with the credentials, region and endpoint
// taken from the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_REGION (or AWS_DEFAULT_REGION), and the endpoint
// from SLUICE_S3_ENDPOINT, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, first
// set wins. An endpoint without a scheme is taken to be HTTPS. Bucket and
// Prefix are left empty.
func OptionsFromEnv() Options {
	return optionsFromEnv(os.Getenv)
}

func optionsFromEnv(getenv func(string) string) Options {
	first := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	return Options{
		Endpoint:     first(EnvEndpoint, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
		AccessKey:    getenv(EnvAccessKey),
		SecretKey:    getenv(EnvSecretKey),
		SessionToken: getenv(EnvSessionToken),
		Region:       first(EnvRegion, "AWS_DEFAULT_REGION"),
		Secure:       true,
	}
}

// OptionsFromURL returns the Options for a checkpoint location
// "s3://bucket/prefix": bucket and prefix from the URL, everything else from
// the environment (OptionsFromEnv). The query may set "endpoint" and
// "region"; credentials in the URL are refused, so that they never end up
// in configuration files or logs.
func OptionsFromURL(u *url.URL) (Options, error) {
	return optionsFromURL(u, os.Getenv)
}

func optionsFromURL(u *url.URL, getenv func(string) string) (Options, error) {
	where := "s3://" + u.Host + u.EscapedPath()
	if u.Scheme != "s3" {
		return Options{}, fmt.Errorf("s3: location %s: scheme %q is not s3", where, u.Scheme)
	}
	if u.User != nil {
		return Options{}, fmt.Errorf("s3: location %s: credentials in the URL are not accepted; set %s and %s",
			where, EnvAccessKey, EnvSecretKey)
	}
	if u.Host == "" {
		return Options{}, fmt.Errorf("s3: location %q names no bucket; want s3://bucket/prefix", u.Redacted())
	}
	o := optionsFromEnv(getenv)
	o.Bucket = u.Host
	o.Prefix = strings.Trim(u.Path, "/")
	for k, v := range u.Query() {
		switch k {
		case "endpoint":
			o.Endpoint = v[len(v)-1]
		case "region":
			o.Region = v[len(v)-1]
		default:
			return Options{}, fmt.Errorf("s3: location %s: unknown parameter %q (known: endpoint, region)", where, k)
		}
	}
	return o, nil
}

// withDefaults returns a validated copy of o with defaults filled in and
// the endpoint split into host and Secure.
func (o Options) withDefaults() (Options, error) {
	o.Prefix = strings.Trim(o.Prefix, "/")
	if o.PartSize == 0 {
		o.PartSize = DefaultPartSize
	}
	host, secure, err := splitEndpoint(o.Endpoint, o.Secure)
	if err != nil {
		return o, err
	}
	o.Endpoint, o.Secure = host, secure
	return o, o.validate()
}

func (o Options) validate() error {
	var errs []error
	if o.Bucket == "" {
		errs = append(errs, errors.New("no bucket"))
	}
	if o.AccessKey == "" || o.SecretKey == "" {
		errs = append(errs, fmt.Errorf("no credentials: set AccessKey and SecretKey, or %s and %s", EnvAccessKey, EnvSecretKey))
	}
	if o.PartSize < MinPartSize {
		errs = append(errs, fmt.Errorf("part size %d is below S3's minimum %d", o.PartSize, MinPartSize))
	}
	if o.Prefix != "" {
		if err := checkpoint.ValidatePath(o.Prefix); err != nil {
			errs = append(errs, fmt.Errorf("prefix: %w", err))
		}
	}
	return errors.Join(errs...)
}

// splitEndpoint turns "https://host:port", "host:port" or "" into a host
// and whether to use TLS.
func splitEndpoint(endpoint string, secure bool) (host string, tls bool, err error) {
	if endpoint == "" {
		return awsEndpoint, true, nil
	}
	if !strings.Contains(endpoint, "://") {
		return endpoint, secure, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", false, fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", false, fmt.Errorf("endpoint %q: scheme must be http or https", endpoint)
	}
	if u.Host == "" || (u.Path != "" && u.Path != "/") || u.User != nil || u.RawQuery != "" {
		return "", false, fmt.Errorf("endpoint %q: want scheme://host[:port] only", u.Redacted())
	}
	return u.Host, u.Scheme == "https", nil
}

// String describes the options with the secrets masked, so that printing
// Options by mistake leaks nothing.
func (o Options) String() string {
	mask := func(s string) string {
		if s == "" {
			return `""`
		}
		return "<redacted>"
	}
	return fmt.Sprintf("s3.Options{Endpoint:%q Bucket:%q Prefix:%q AccessKey:%q SecretKey:%s SessionToken:%s Region:%q Secure:%v PartSize:%d SkipConditionalCheck:%v}",
		o.Endpoint, o.Bucket, o.Prefix, o.AccessKey, mask(o.SecretKey), mask(o.SessionToken), o.Region, o.Secure, o.PartSize, o.SkipConditionalCheck)
}

// GoString masks the secrets for %#v too.
func (o Options) GoString() string { return o.String() }
