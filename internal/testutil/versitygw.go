package testutil

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// S3Server is a running versitygw: an S3 API over plain HTTP on 127.0.0.1,
// backed by a temporary directory, with one root account.
type S3Server struct {
	Endpoint  string // "127.0.0.1:port", plain HTTP
	AccessKey string // random per server
	SecretKey string // random per server; tests may check it never leaks
	Region    string // the region the server signs for: "us-east-1"
	Bucket    string // an empty bucket created at start
	Dir       string // the posix backend's root: one subdirectory per bucket
}

const (
	// versitygwVersion is the release `make deps` installs; see the Makefile.
	versitygwVersion = "v1.8.0"
	// gwRegion is versitygw's default region, passed explicitly so that
	// clients and server agree whatever the environment says.
	gwRegion = "us-east-1"
	// gwStartTimeout bounds the wait for the first answer: a cold start on
	// a loaded 2-core machine takes well under a second.
	gwStartTimeout = 20 * time.Second
	// gwStartTries: the free port is found by binding and releasing it, so
	// another process may take it before the gateway binds; try again then.
	gwStartTries = 3
)

// StartVersityGW starts versitygw with the posix backend on a t.TempDir()
// directory and a free 127.0.0.1 port, waits until it answers HTTP, creates
// an empty bucket (S3Server.Bucket), and stops it (kill, wait) in t.Cleanup.
//
// The binary is looked up on PATH, then in $(go env GOBIN) and
// $(go env GOPATH)/bin, where `make deps` installs it. If it is missing the
// test fails with a message saying so: it never skips.
func StartVersityGW(t testing.TB) *S3Server {
	t.Helper()
	bin := findVersityGW(t)
	root := t.TempDir()
	srv := &S3Server{
		AccessKey: "SLUICETEST" + randomHex(t, 5),
		SecretKey: randomHex(t, 20),
		Region:    gwRegion,
		Dir:       filepath.Join(root, "data"),
	}
	if err := os.Mkdir(srv.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for try := 1; try <= gwStartTries; try++ {
		logPath := filepath.Join(root, fmt.Sprintf("versitygw-%d.log", try))
		err := srv.start(t, bin, logPath)
		if err == nil {
			srv.Bucket = "sluice-test"
			srv.CreateBucket(t, srv.Bucket)
			return srv
		}
		lastErr = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	t.Fatalf("start versitygw: %v", lastErr)
	return nil
}

// start runs the gateway on a fresh port and waits for it to answer. On
// success the process is stopped by a t.Cleanup registered here.
func (s *S3Server) start(t testing.TB, bin, logPath string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logf.Close() // the child holds its own descriptor
	endpoint := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(bin, "--port", endpoint, "--region", gwRegion, "--quiet", "posix", s.Dir)
	// Credentials go through the environment, not argv, so ps does not show them.
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY_ID="+s.AccessKey, "ROOT_SECRET_ACCESS_KEY="+s.SecretKey)
	cmd.Stdout, cmd.Stderr = logf, logf
	DieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if gone, err := waitAnswering(endpoint, exited); err != nil {
		if !gone {
			_ = cmd.Process.Kill()
			<-exited
		}
		out, _ := os.ReadFile(logPath)
		return fmt.Errorf("%w\nversitygw output:\n%s", err, tail(out, 2000))
	}
	s.Endpoint = endpoint
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	return nil
}

// waitAnswering polls endpoint until it answers any HTTP request (an
// unsigned GET gets 403), the process exits (gone is then true: exited has
// been drained), or gwStartTimeout passes.
func waitAnswering(endpoint string, exited <-chan error) (gone bool, err error) {
	client := &http.Client{
		Timeout:   time.Second,
		Transport: &http.Transport{DisableKeepAlives: true},
	}
	deadline := time.Now().Add(gwStartTimeout)
	for {
		select {
		case err := <-exited:
			return true, fmt.Errorf("versitygw exited before answering: %v", err)
		default:
		}
		resp, err := client.Get("http://" + endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return false, nil
		}
		if time.Now().After(deadline) {
			return false, fmt.Errorf("versitygw did not answer on %s within %v: %v", endpoint, gwStartTimeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// CreateBucket creates an empty bucket through the S3 API.
func (s *S3Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, "http://"+s.Endpoint+"/"+name, http.NoBody)
	if err != nil {
		t.Fatal(err)
	}
	signV4(req, s.AccessKey, s.SecretKey, s.Region, time.Now().UTC())
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var body bytes.Buffer
		_, _ = body.ReadFrom(resp.Body)
		t.Fatalf("create bucket %s: %s: %s", name, resp.Status, tail(body.Bytes(), 500))
	}
}

// signV4 signs a request with an empty body using AWS Signature Version 4
// for service s3 (the subset CreateBucket needs).
func signV4(req *http.Request, accessKey, secretKey, region string, now time.Time) {
	const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	amzDate := now.Format("20060102T150405Z")
	day := now.Format("20060102")
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	const signed = "host;x-amz-content-sha256;x-amz-date"
	canonical := strings.Join([]string{
		req.Method,
		req.URL.EscapedPath(),
		req.URL.RawQuery,
		"host:" + req.URL.Host,
		"x-amz-content-sha256:" + emptySHA256,
		"x-amz-date:" + amzDate,
		"",
		signed,
		emptySHA256,
	}, "\n")
	scope := day + "/" + region + "/s3/aws4_request"
	sum := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := []byte("AWS4" + secretKey)
	for _, part := range []string{day, region, "s3", "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	sig := hex.EncodeToString(hmacSHA256(key, toSign))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+accessKey+"/"+scope+
		", SignedHeaders="+signed+", Signature="+sig)
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// findVersityGW returns the path of the versitygw binary or fails the test.
func findVersityGW(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	var dirs []string
	for _, d := range goBinDirs() {
		p := filepath.Join(d, "versitygw")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
		dirs = append(dirs, d)
	}
	t.Fatalf("versitygw (the S3 server these tests run against) is not installed: not on PATH nor in %s; "+
		"run `make deps`, which installs github.com/versity/versitygw/cmd/versitygw@%s",
		strings.Join(dirs, ", "), versitygwVersion)
	return ""
}

// goBinDirs lists where `go install` puts binaries: $(go env GOBIN) if set,
// else each $(go env GOPATH) entry's bin.
func goBinDirs() []string {
	gobin, gopath := os.Getenv("GOBIN"), os.Getenv("GOPATH")
	if out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); err == nil {
		lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
		if len(lines) == 2 {
			gobin, gopath = lines[0], lines[1]
		}
	}
	if gopath == "" {
		if home, err := os.UserHomeDir(); err == nil {
			gopath = filepath.Join(home, "go")
		}
	}
	var dirs []string
	if gobin != "" {
		dirs = append(dirs, gobin)
	}
	for _, p := range filepath.SplitList(gopath) {
		if p != "" {
			dirs = append(dirs, filepath.Join(p, "bin"))
		}
	}
	return dirs
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("listener address is not TCP")
	}
	return addr.Port, nil
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

// tail returns the last max bytes of b, as text.
func tail(b []byte, max int) string {
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}
