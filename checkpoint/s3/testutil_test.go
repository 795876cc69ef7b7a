package s3_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/internal/testutil"
)

// fatalRecorder is a testing.TB whose Fatal ends only the calling goroutine
// and records the message, so that a helper's failure can be checked.
type fatalRecorder struct {
	testing.TB
	msg     string
	skipped bool
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fatalRecorder) Fatal(args ...any)                { f.Fatalf("%s", fmt.Sprint(args...)) }
func (f *fatalRecorder) Skip(args ...any)                 { f.skipped = true; runtime.Goexit() }
func (f *fatalRecorder) Skipf(format string, args ...any) { f.skipped = true; runtime.Goexit() }
func (f *fatalRecorder) SkipNow()                         { f.skipped = true; runtime.Goexit() }

// TestVersityGWMissingFails checks that without the versitygw binary the
// S3 tests fail, saying to run `make deps`, instead of skipping.
func TestVersityGWMissingFails(t *testing.T) {
	t.Setenv("PATH", "")
	t.Setenv("GOBIN", "")
	t.Setenv("GOPATH", t.TempDir())
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		testutil.StartVersityGW(rec)
		rec.msg = "returned"
	}()
	<-done
	if rec.skipped || !strings.Contains(rec.msg, "make deps") {
		t.Fatalf("StartVersityGW without the binary: skipped=%v, message %q; want a failure saying to run make deps", rec.skipped, rec.msg)
	}
	t.Log(rec.msg)
}
