// Package testutil holds helpers that tests across the module share: today,
// StartVersityGW, which runs a real S3 server (versitygw over a temporary
// directory) on 127.0.0.1 for the object-storage tests.
//
//	srv := testutil.StartVersityGW(t) // stopped in t.Cleanup
//	st, err := s3.New(ctx, s3.Options{Endpoint: srv.Endpoint, Bucket: srv.Bucket, ...})
//
// It sits on the lowest layer and imports only the standard library, so any
// package's tests may use it. Helpers fail the test (t.Fatal) when something
// they need is missing; they never skip, so a machine without the tool shows
// up as a failure that says how to install it.
package testutil
