package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/checkpoint/s3"
	"github.com/sluicestream/sluice/internal/testutil"
)

// TestMultipartPut puts 20 MiB and a bit with 5 MiB parts and checks, from
// the ETag S3 gives a multipart object ("<md5>-<parts>"), that it really
// went up in five parts, and that it reads back whole.
func TestMultipartPut(t *testing.T) {
	srv := testutil.StartVersityGW(t)
	st := open(t, srv, func(o *s3.Options) { o.Prefix = "q"; o.PartSize = s3.MinPartSize })
	ctx := t.Context()
	data := make([]byte, 20<<20+1234)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	const p = "state/0/0/sst/000007.sst"
	if err := st.Put(ctx, p, struct{ io.Reader }{bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
	info, err := rawClient(t, srv).StatObject(ctx, srv.Bucket, "q/"+p, minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(info.ETag, "-5") || info.Size != int64(len(data)) {
		t.Errorf("object ETag %q size %d, want a 5-part multipart object of %d bytes", info.ETag, info.Size, len(data))
	}
	rc, err := st.Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, not the %d put", len(got), len(data))
	}
	// A failed multipart upload leaves no object and no pending upload.
	err = st.Put(ctx, "state/0/0/sst/000008.sst", io.MultiReader(bytes.NewReader(data[:12<<20]), failingReader{}))
	if !errors.Is(err, errFailing) {
		t.Fatalf("Put with a failing reader: %v, want errFailing", err)
	}
	if names, err := st.List(ctx, "state/0/0/sst"); err != nil || fmt.Sprint(names) != "[000007.sst]" {
		t.Errorf("List after failed Put = %q, %v; want only 000007.sst", names, err)
	}
	for up := range rawClient(t, srv).ListIncompleteUploads(ctx, srv.Bucket, "q/", true) {
		t.Errorf("incomplete upload left behind: %+v", up)
	}
}

var errFailing = errors.New("failing reader")

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errFailing }

// TestConcurrentCreateTwoClients races Creates of one name from two
// independent Storages (as two processes would), 8 goroutines in all.
func TestConcurrentCreateTwoClients(t *testing.T) {
	srv := testutil.StartVersityGW(t)
	sts := []*s3.Storage{
		open(t, srv, func(o *s3.Options) { o.Prefix = "q" }),
		open(t, srv, func(o *s3.Options) { o.Prefix = "q" }),
	}
	ctx := t.Context()
	for round := range 20 {
		p := fmt.Sprintf("commits/%d", round)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				err := sts[i%2].Create(ctx, p, []byte{byte(i)})
				switch {
				case err == nil:
					wins.Add(1)
				case !errors.Is(err, checkpoint.ErrExist):
					t.Errorf("%s: creator %d: %v", p, i, err)
				}
			})
		}
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Fatalf("%s: %d creators won, want exactly 1", p, n)
		}
	}
}

// TestErrorsNamePathNotSecret collects the errors of every kind a caller
// can meet and checks that each names the path and none shows a secret.
func TestErrorsNamePathNotSecret(t *testing.T) {
	srv := testutil.StartVersityGW(t)
	o := serverOptions(srv)
	o.Prefix = "q"
	o.SessionToken = "" // versitygw's root account takes no token
	st := open(t, srv, func(x *s3.Options) { *x = o })
	ctx := t.Context()
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := st.Create(ctx, "offsets/0", []byte("x")); err != nil {
		t.Fatal(err)
	}
	check := func(what, path string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", what)
			return
		}
		for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err)} {
			if strings.Contains(text, srv.SecretKey) {
				t.Errorf("%s: error shows the secret key: %s", what, text)
			}
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %q does not name %q", what, err, path)
		}
	}
	_, err := st.Read(ctx, "offsets/9")
	check("read missing", "offsets/9", err)
	_, err = st.Open(ctx, "offsets/9")
	check("open missing", "offsets/9", err)
	check("create existing", "offsets/0", st.Create(ctx, "offsets/0", nil))
	check("invalid path", "a/../b", st.Write(ctx, "a/../b", nil))
	check("canceled write", "offsets/1", st.Write(canceled, "offsets/1", nil))
	_, err = st.List(canceled, "offsets")
	check("canceled list", "offsets", err)

	for _, c := range []struct {
		name  string
		ctx   context.Context
		edit  func(*s3.Options)
		where string // what the error must name
	}{
		{"wrong secret", ctx, func(x *s3.Options) { x.SecretKey = srv.SecretKey[:len(srv.SecretKey)-1] + "x" }, "s3://sluice-test/q/"},
		{"unknown key", ctx, func(x *s3.Options) { x.AccessKey = "NOSUCHKEY" }, "s3://sluice-test/q/"},
		{"no bucket", ctx, func(x *s3.Options) { x.Bucket = "no-such-bucket" }, "s3://no-such-bucket/q/"},
		{"invalid prefix", ctx, func(x *s3.Options) { x.Prefix = "a/../b" }, `"a/../b"`},
		{"canceled context", canceled, func(*s3.Options) {}, "s3://sluice-test/q/"},
	} {
		x := o
		c.edit(&x)
		st, err := s3.New(c.ctx, x)
		if st != nil {
			st.Close()
		}
		check("New with "+c.name, c.where, err)
		if err != nil && strings.Contains(err.Error(), x.SecretKey) {
			t.Errorf("New with %s: error shows the secret key in use: %v", c.name, err)
		}
	}
	if s := fmt.Sprintf("%v %+v %#v", o, o, o); strings.Contains(s, srv.SecretKey) {
		t.Errorf("printed Options show the secret key: %s", s)
	}
}

// TestBadCredentials checks that refused credentials give an error that
// says what is wrong and where to look.
func TestBadCredentials(t *testing.T) {
	srv := testutil.StartVersityGW(t)
	for _, c := range []struct {
		name     string
		edit     func(*s3.Options)
		wantCode string // S3's; versitygw says XAdminUserNotFound for InvalidAccessKeyId
	}{
		{"wrong secret", func(o *s3.Options) { o.SecretKey += "x" }, "SignatureDoesNotMatch"},
		{"unknown access key", func(o *s3.Options) { o.AccessKey = "AKNOTKNOWN" }, "XAdminUserNotFound"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := serverOptions(srv)
			c.edit(&o)
			st, err := s3.New(t.Context(), o)
			if err == nil {
				st.Close()
				t.Fatal("New succeeded with bad credentials")
			}
			var e *s3.Error
			if !errors.As(err, &e) || e.Code != c.wantCode {
				t.Fatalf("New: %v; want an *s3.Error with code %s", err, c.wantCode)
			}
			if !strings.Contains(err.Error(), "check the credentials") || !strings.Contains(err.Error(), s3.EnvAccessKey) {
				t.Errorf("error %q does not say to check the credentials", err)
			}
			t.Log(err)
		})
	}
}

// TestMissingBucket checks that New refuses a bucket that does not exist.
func TestMissingBucket(t *testing.T) {
	srv := testutil.StartVersityGW(t)
	o := serverOptions(srv)
	o.Bucket = "absent"
	_, err := s3.New(t.Context(), o)
	var e *s3.Error
	if !errors.As(err, &e) || e.Code != "NoSuchBucket" || !strings.Contains(err.Error(), "s3://absent/") {
		t.Fatalf("New with a missing bucket: %v; want NoSuchBucket naming s3://absent/", err)
	}
}

// TestServerIgnoringIfNoneMatch puts a proxy in front of versitygw that
// answers a refused conditional PUT with 200, as a server ignoring
// If-None-Match would; New must notice and refuse.
func TestServerIgnoringIfNoneMatch(t *testing.T) {
	srv := testutil.StartVersityGW(t)
	endpoint := proxy(t, srv, func(resp *http.Response) {
		if resp.Request.Method == http.MethodPut && resp.StatusCode == http.StatusPreconditionFailed {
			replace(resp, http.StatusOK, "")
			resp.Header.Set("ETag", `"d41d8cd98f00b204e9800998ecf8427e"`)
		}
	})
	o := serverOptions(srv)
	o.Endpoint = endpoint
	_, err := s3.New(t.Context(), o)
	if !errors.Is(err, s3.ErrNoConditionalPut) {
		t.Fatalf("New against a server ignoring If-None-Match: %v, want ErrNoConditionalPut", err)
	}
	t.Log(err)
	// The probe cleaned up after itself.
	if names, err := open(t, srv, nil).List(t.Context(), ""); err != nil || len(names) != 0 {
		t.Errorf("bucket after the probe: %q, %v; want empty", names, err)
	}
	// Skipping the check is possible, e.g. for read-only use.
	o.SkipConditionalCheck = true
	st, err := s3.New(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
}

// TestCreateLostResponse makes the first answer to a conditional PUT get
// lost (a 503 after the server stored the object): the client retries, the
// retry gets 412, and Create must see that the object is its own.
func TestCreateLostResponse(t *testing.T) {
	srv := testutil.StartVersityGW(t)
	var puts atomic.Int32
	endpoint := proxy(t, srv, func(resp *http.Response) {
		r := resp.Request
		if r.Method != http.MethodPut || r.Header.Get("If-None-Match") != "*" || !strings.Contains(r.URL.Path, "/offsets/") {
			return
		}
		if puts.Add(1) == 1 && resp.StatusCode == http.StatusOK {
			replace(resp, http.StatusServiceUnavailable,
				`<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code><Message>lost</Message></Error>`)
		}
	})
	st := open(t, srv, func(o *s3.Options) { o.Endpoint = endpoint; o.Prefix = "q" })
	ctx := t.Context()
	if err := st.Create(ctx, "offsets/0", []byte("mine")); err != nil {
		t.Fatalf("Create whose first response was lost: %v", err)
	}
	if n := puts.Load(); n < 2 {
		t.Fatalf("the client did not retry (%d conditional PUTs seen)", n)
	}
	if err := st.Create(ctx, "offsets/0", []byte("theirs")); !errors.Is(err, checkpoint.ErrExist) {
		t.Fatalf("second Create: %v, want ErrExist", err)
	}
	if got, err := st.Read(ctx, "offsets/0"); err != nil || string(got) != "mine" {
		t.Fatalf("Read = %q, %v", got, err)
	}
}

// proxy starts a reverse proxy to srv whose responses pass through modify,
// and returns its endpoint.
func proxy(t *testing.T, srv *testutil.S3Server, modify func(*http.Response)) string {
	t.Helper()
	target := &url.URL{Scheme: "http", Host: srv.Endpoint}
	tr := &http.Transport{}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host // the client signed the Host it sent
		},
		Transport:      tr,
		ModifyResponse: func(resp *http.Response) error { modify(resp); return nil },
	}
	ts := httptest.NewServer(rp)
	t.Cleanup(func() {
		ts.Close()
		tr.CloseIdleConnections()
	})
	return ts.Listener.Addr().String()
}

// replace gives resp a new status and body.
func replace(resp *http.Response, status int, body string) {
	resp.Body.Close()
	resp.StatusCode, resp.Status = status, fmt.Sprintf("%d %s", status, http.StatusText(status))
	resp.Body = io.NopCloser(strings.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", fmt.Sprint(len(body)))
	if body == "" {
		resp.Header.Del("Content-Type")
	} else {
		resp.Header.Set("Content-Type", "application/xml")
	}
}

// rawClient is a plain minio client of srv, to look at what Storage did.
func rawClient(t *testing.T, srv *testutil.S3Server) *minio.Client {
	t.Helper()
	tr, err := minio.DefaultTransport(false)
	if err != nil {
		t.Fatal(err)
	}
	c, err := minio.New(srv.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, ""),
		Region:    srv.Region,
		Transport: tr,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.CloseIdleConnections)
	return c
}
