package registry

import (
	"reflect"
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	r := New[func() int]("source")
	r.Register("b", func() int { return 2 })
	r.Register("a", func() int { return 1 })
	if got := r.Names(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("names %v", got)
	}
	f, err := r.Lookup("b")
	if err != nil || f() != 2 {
		t.Fatalf("lookup b: %v", err)
	}
	_, err = r.Lookup("c")
	if err == nil || !strings.Contains(err.Error(), `unknown source "c"`) || !strings.Contains(err.Error(), "[a b]") {
		t.Fatalf("lookup c: %v", err)
	}
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), `source "a" registered twice`) {
			t.Fatalf("duplicate: recovered %v", p)
		}
	}()
	r.Register("a", func() int { return 3 })
}
