package s3_test

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/checkpoint/s3"
	"github.com/sluicestream/sluice/checkpoint/storagetest"
	"github.com/sluicestream/sluice/internal/testutil"
)

// TestConformance runs the shared Storage suite against a real S3 server,
// each subtest under a fresh prefix of one bucket. Its ConcurrentCreate
// (8 goroutines, exactly one wins) holds only because the server honours
// If-None-Match.
func TestConformance(t *testing.T) {
	srv := testutil.StartVersityGW(t)
	var n atomic.Int64
	storagetest.Run(t, func(t *testing.T) checkpoint.Storage {
		return open(t, srv, func(o *s3.Options) { o.Prefix = fmt.Sprintf("conformance/%d", n.Add(1)) })
	})
}

// TestBucketRoot checks a checkpoint at the root of a bucket (no prefix):
// keys are the paths themselves and List("") lists the bucket. (The whole
// suite runs under a prefix above; twice would double its 15 s.)
func TestBucketRoot(t *testing.T) {
	srv := testutil.StartVersityGW(t)
	st := open(t, srv, nil)
	ctx := t.Context()
	for _, p := range []string{"metadata", "offsets/0", "offsets/1", "commits/0"} {
		if err := st.Create(ctx, p, []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Create(ctx, "offsets/1", nil); !errors.Is(err, checkpoint.ErrExist) {
		t.Fatalf("Create(offsets/1) again: %v, want ErrExist", err)
	}
	if names, err := st.List(ctx, ""); err != nil || fmt.Sprint(names) != "[commits/ metadata offsets/]" {
		t.Fatalf("List(\"\") = %q, %v", names, err)
	}
	if err := st.Delete(ctx, "commits/0"); err != nil {
		t.Fatal(err)
	}
	if names, err := st.List(ctx, ""); err != nil || fmt.Sprint(names) != "[metadata offsets/]" {
		t.Fatalf("List(\"\") after Delete = %q, %v", names, err)
	}
	if got, err := st.Read(ctx, "offsets/1"); err != nil || string(got) != "offsets/1" {
		t.Fatalf("Read(offsets/1) = %q, %v", got, err)
	}
}

// open connects to srv's bucket with its root credentials, after edit
// changes the options, and closes the storage at the end of the test.
func open(t testing.TB, srv *testutil.S3Server, edit func(*s3.Options)) *s3.Storage {
	t.Helper()
	o := serverOptions(srv)
	if edit != nil {
		edit(&o)
	}
	st, err := s3.New(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func serverOptions(srv *testutil.S3Server) s3.Options {
	return s3.Options{
		Endpoint:  srv.Endpoint,
		Bucket:    srv.Bucket,
		AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey,
		Region:    srv.Region,
	}
}
