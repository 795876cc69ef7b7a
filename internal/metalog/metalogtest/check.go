package metalogtest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/metalog"
)

// WantCorrupt fails t unless err is a *checkpoint.CorruptionError naming
// path whose message contains every one of want, and returns it.
func WantCorrupt(t *testing.T, err error, path string, want ...string) *checkpoint.CorruptionError {
	t.Helper()
	var ce *checkpoint.CorruptionError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T), want a *checkpoint.CorruptionError", err, err)
	}
	if ce.Path != path {
		t.Errorf("CorruptionError.Path = %q, want %q", ce.Path, path)
	}
	msg := err.Error()
	if !strings.Contains(msg, path) {
		t.Errorf("error %q does not name %s", msg, path)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not say %q", msg, w)
		}
	}
	return ce
}

// WantIOError fails t unless err wraps ErrInjected and is not a corruption
// error.
func WantIOError(t *testing.T, err error) {
	t.Helper()
	var ce *checkpoint.CorruptionError
	switch {
	case err == nil:
		t.Fatal("no error, want the injected I/O error")
	case errors.As(err, &ce):
		t.Fatalf("I/O error reported as corruption: %v", err)
	case !errors.Is(err, ErrInjected):
		t.Fatalf("error %v does not wrap the injected I/O error", err)
	}
}

// Fields builds metalog.Fields from name, value pairs.
//
// REQUIRES: len(kv) is even.
func Fields(kv ...string) metalog.Fields {
	var f metalog.Fields
	for i := 0; i < len(kv); i += 2 {
		f = append(f, metalog.Field{Name: kv[i], Value: json.RawMessage(kv[i+1])})
	}
	return f
}
