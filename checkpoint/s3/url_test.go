package s3_test

import (
	"io"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/checkpoint/s3"
	"github.com/sluicestream/sluice/internal/testutil"
)

// TestOpenURL opens the storage as a checkpoint location with the
// credentials and endpoint in the environment.
func TestOpenURL(t *testing.T) {
	srv := testutil.StartVersityGW(t)
	t.Setenv(s3.EnvEndpoint, "http://"+srv.Endpoint)
	t.Setenv(s3.EnvAccessKey, srv.AccessKey)
	t.Setenv(s3.EnvSecretKey, srv.SecretKey)
	t.Setenv(s3.EnvRegion, srv.Region)
	ctx := t.Context()
	st, err := checkpoint.Open(ctx, "s3://"+srv.Bucket+"/queries/q1")
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := st.(io.Closer); ok {
		defer c.Close()
	}
	if err := st.Create(ctx, "metadata", []byte(`{"id":"q1"}`)); err != nil {
		t.Fatal(err)
	}
	got, err := open(t, srv, func(o *s3.Options) { o.Prefix = "queries/q1" }).Read(ctx, "metadata")
	if err != nil || string(got) != `{"id":"q1"}` {
		t.Fatalf("Read through New = %q, %v", got, err)
	}
	// Credentials come from the environment only.
	t.Setenv(s3.EnvSecretKey, "")
	if _, err := checkpoint.Open(ctx, "s3://"+srv.Bucket+"/queries/q1"); err == nil || !strings.Contains(err.Error(), s3.EnvSecretKey) {
		t.Errorf("Open without a secret key: %v, want an error naming %s", err, s3.EnvSecretKey)
	}
}
