package s3

import (
	"net/url"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestOptionsFromEnv(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want Options
	}{
		{"empty", nil, Options{Secure: true}},
		{"all", map[string]string{
			"AWS_ACCESS_KEY_ID": "ak", "AWS_SECRET_ACCESS_KEY": "sk", "AWS_SESSION_TOKEN": "tok",
			"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2",
			"SLUICE_S3_ENDPOINT": "http://127.0.0.1:9000", "AWS_ENDPOINT_URL": "https://other",
		}, Options{AccessKey: "ak", SecretKey: "sk", SessionToken: "tok", Region: "eu-west-1",
			Endpoint: "http://127.0.0.1:9000", Secure: true}},
		{"fallbacks", map[string]string{"AWS_DEFAULT_REGION": "us-west-2", "AWS_ENDPOINT_URL": "https://other"},
			Options{Region: "us-west-2", Endpoint: "https://other", Secure: true}},
		{"s3 endpoint first", map[string]string{"AWS_ENDPOINT_URL_S3": "https://s3only", "AWS_ENDPOINT_URL": "https://other"},
			Options{Endpoint: "https://s3only", Secure: true}},
	} {
		if got := optionsFromEnv(env(c.env)); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestOptionsFromURL(t *testing.T) {
	e := env(map[string]string{"AWS_ACCESS_KEY_ID": "ak", "AWS_SECRET_ACCESS_KEY": "sk", "SLUICE_S3_ENDPOINT": "http://h:1"})
	for _, c := range []struct {
		in      string
		want    Options
		wantErr string
	}{
		{in: "s3://b", want: Options{Bucket: "b", AccessKey: "ak", SecretKey: "sk", Endpoint: "http://h:1", Secure: true}},
		{in: "s3://b/", want: Options{Bucket: "b", AccessKey: "ak", SecretKey: "sk", Endpoint: "http://h:1", Secure: true}},
		{in: "s3://b/queries/q1/", want: Options{Bucket: "b", Prefix: "queries/q1", AccessKey: "ak", SecretKey: "sk", Endpoint: "http://h:1", Secure: true}},
		{in: "s3://b/p?endpoint=https://x:2&region=r", want: Options{Bucket: "b", Prefix: "p", AccessKey: "ak", SecretKey: "sk", Endpoint: "https://x:2", Region: "r", Secure: true}},
		{in: "s3://user:hunter2@b/p", wantErr: "credentials in the URL are not accepted"},
		{in: "s3:///p", wantErr: "names no bucket"},
		{in: "s3://b/p?acl=x", wantErr: `unknown parameter "acl"`},
		{in: "file:///tmp/x", wantErr: `scheme "file" is not s3`},
	} {
		u, err := url.Parse(c.in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := optionsFromURL(u, e)
		switch {
		case c.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: error %v, want one containing %q", c.in, err, c.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%s: error shows the password: %v", c.in, err)
			}
		case err != nil:
			t.Errorf("%s: %v", c.in, err)
		case got != c.want:
			t.Errorf("%s: got %v, want %v", c.in, got, c.want)
		}
	}
}

func TestOptionsDefaults(t *testing.T) {
	base := Options{Bucket: "b", AccessKey: "ak", SecretKey: "sk"}
	for _, c := range []struct {
		name       string
		edit       func(*Options)
		host       string
		secure     bool
		wantErr    string
		wantPrefix string
	}{
		{name: "aws", edit: func(*Options) {}, host: "s3.amazonaws.com", secure: true},
		{name: "aws ignores Secure=false", edit: func(o *Options) { o.Secure = false }, host: "s3.amazonaws.com", secure: true},
		{name: "bare host", edit: func(o *Options) { o.Endpoint = "h:9000" }, host: "h:9000"},
		{name: "bare host secure", edit: func(o *Options) { o.Endpoint = "h:9000"; o.Secure = true }, host: "h:9000", secure: true},
		{name: "http url", edit: func(o *Options) { o.Endpoint = "http://h:9000"; o.Secure = true }, host: "h:9000"},
		{name: "https url", edit: func(o *Options) { o.Endpoint = "https://h/" }, host: "h", secure: true},
		{name: "prefix slashes", edit: func(o *Options) { o.Prefix = "/a/b/" }, host: "s3.amazonaws.com", secure: true, wantPrefix: "a/b"},
		{name: "url path", edit: func(o *Options) { o.Endpoint = "https://h/x" }, wantErr: "want scheme://host[:port] only"},
		{name: "url scheme", edit: func(o *Options) { o.Endpoint = "ftp://h" }, wantErr: "scheme must be http or https"},
		{name: "no bucket", edit: func(o *Options) { o.Bucket = "" }, wantErr: "no bucket"},
		{name: "no secret", edit: func(o *Options) { o.SecretKey = "" }, wantErr: "AWS_SECRET_ACCESS_KEY"},
		{name: "small part", edit: func(o *Options) { o.PartSize = 1 << 20 }, wantErr: "below S3's minimum"},
		{name: "bad prefix", edit: func(o *Options) { o.Prefix = "a/../b" }, wantErr: `"a/../b"`},
	} {
		o := base
		c.edit(&o)
		got, err := o.withDefaults()
		switch {
		case c.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: error %v, want one containing %q", c.name, err, c.wantErr)
			}
		case err != nil:
			t.Errorf("%s: %v", c.name, err)
		case got.Endpoint != c.host || got.Secure != c.secure || got.Prefix != c.wantPrefix || got.PartSize != DefaultPartSize:
			t.Errorf("%s: got %v, want endpoint %q secure %v prefix %q", c.name, got, c.host, c.secure, c.wantPrefix)
		}
	}
}
