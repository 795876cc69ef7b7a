package memory

import (
	"context"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/source"
)

func TestRegistry(t *testing.T) {
	ctx := context.Background()
	s := New(schema)
	defer s.Release()
	unpublish, err := Publish("events", s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Publish("events", s); err == nil {
		t.Fatal("publishing a name twice: no error")
	}
	src, err := source.Open(ctx, Name, map[string]string{"name": "events"})
	if err != nil {
		t.Fatal(err)
	}
	if src != source.Source(s) {
		t.Fatal("the factory did not return the published stream")
	}
	for _, c := range []struct {
		opts map[string]string
		want string
	}{
		{map[string]string{}, `option "name" is required`},
		{map[string]string{"name": "nope"}, `option "name": no stream published as "nope"`},
		{map[string]string{"name": "events", "schema": "x"}, `unknown option "schema"`},
	} {
		if _, err := source.Open(ctx, Name, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("open %v: %v, want an error containing %q", c.opts, err, c.want)
		}
	}
	unpublish()
	unpublish()
	if _, err := source.Open(ctx, Name, map[string]string{"name": "events"}); err == nil {
		t.Fatal("open after unpublish: no error")
	}
}
