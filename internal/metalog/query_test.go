package metalog_test

import (
	"encoding/json"
	"regexp"
	"sync"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/metalog"
	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewQueryID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := metalog.NewQueryID()
		if !uuidV4.MatchString(id) {
			t.Fatalf("NewQueryID() = %q, not a lower-case v4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("NewQueryID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestQueryMetadataEncode(t *testing.T) {
	m := metalog.QueryMetadata{ID: "dddc5e7f-1e71-454c-8362-de184444fb5a"}
	b, err := m.Encode()
	if want := `{"id":"dddc5e7f-1e71-454c-8362-de184444fb5a"}`; err != nil || string(b) != want {
		t.Fatalf("Encode = %s, %v; want %s (no trailing newline)", b, err, want)
	}
	m.Extra = metalog.Fields{{"future", json.RawMessage(`{"a": 1}`)}}
	b, _ = m.Encode()
	if want := `{"id":"dddc5e7f-1e71-454c-8362-de184444fb5a","future":{"a": 1}}`; string(b) != want {
		t.Fatalf("Encode with extra = %s, want %s", b, want)
	}
	back, err := metalog.ParseQueryMetadata("metadata", b)
	if err != nil || back.ID != m.ID || len(back.Extra) != 1 || string(back.Extra[0].Value) != `{"a": 1}` {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	for _, bad := range []metalog.QueryMetadata{
		{ID: ""}, {ID: "not-a-uuid"},
		{ID: m.ID, Extra: metalog.Fields{{"id", json.RawMessage(`"x"`)}}},
	} {
		if _, err := bad.Encode(); err == nil {
			t.Errorf("Encode(%+v) succeeded", bad)
		}
	}
}

func TestQueryMetadataParse(t *testing.T) {
	m, err := metalog.ParseQueryMetadata("metadata", []byte(`{"id":"DDDC5E7F-1e71-454c-8362-de184444fb5a"}`+"\n"))
	if err != nil || m.ID != "DDDC5E7F-1e71-454c-8362-de184444fb5a" {
		t.Fatalf("trailing newline, upper case: %+v, %v", m, err)
	}
	for in, reason := range map[string]string{
		``:                                   "empty file",
		`{"id":"dddc5e7f-1e71-454c-8362-de1`: "truncated",
		`{}`:                                 "no query id",
		`{"id":7}`:                           "not a string",
		`{"id":"x"}`:                         "not a UUID",
		`["dddc5e7f-1e71-454c-8362-de184444fb5a"]`:                                                  "not a JSON object",
		`{"id":"dddc5e7f-1e71-454c-8362-de184444fb5a","id":"dddc5e7f-1e71-454c-8362-de184444fb5a"}`: "duplicate",
	} {
		_, err := metalog.ParseQueryMetadata("metadata", []byte(in))
		metalogtest.WantCorrupt(t, err, "metadata", reason)
	}
}

func TestLoadOrCreateQueryMetadata(t *testing.T) {
	ctx := t.Context()
	st := checkpoint.NewMem()
	m, created, err := metalog.LoadOrCreateQueryMetadata(ctx, st)
	if err != nil || !created || !uuidV4.MatchString(m.ID) {
		t.Fatalf("first: %+v, %v, %v", m, created, err)
	}
	again, created, err := metalog.LoadOrCreateQueryMetadata(ctx, st)
	if err != nil || created || again.ID != m.ID {
		t.Fatalf("second: %+v, %v, %v; want %s loaded", again, created, err, m.ID)
	}
	if err := metalog.CreateQueryMetadata(ctx, st, metalog.QueryMetadata{ID: metalog.NewQueryID()}); err == nil {
		t.Fatal("CreateQueryMetadata over an existing one succeeded")
	}

	// Racing starts of a new query agree on one id.
	st = checkpoint.NewMem()
	const starters = 8
	ids := make([]string, starters)
	createdBy := make([]bool, starters)
	var wg sync.WaitGroup
	for i := range starters {
		wg.Go(func() {
			m, c, err := metalog.LoadOrCreateQueryMetadata(ctx, st)
			if err != nil {
				t.Error(err)
			}
			ids[i], createdBy[i] = m.ID, c
		})
	}
	wg.Wait()
	n := 0
	for i := range starters {
		if ids[i] != ids[0] {
			t.Fatalf("starters disagree: %q", ids)
		}
		if createdBy[i] {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d starters created the metadata, want 1", n)
	}
}

func TestQueryMetadataIOError(t *testing.T) {
	ctx := t.Context()
	mem := checkpoint.NewMem()
	if _, _, err := metalog.LoadOrCreateQueryMetadata(ctx, mem); err != nil {
		t.Fatal(err)
	}
	_, err := metalog.ReadQueryMetadata(ctx, metalogtest.Failing(mem, "Read"))
	metalogtest.WantIOError(t, err)
	_, _, err = metalog.LoadOrCreateQueryMetadata(ctx, metalogtest.Failing(checkpoint.NewMem(), "Create"))
	metalogtest.WantIOError(t, err)
}
