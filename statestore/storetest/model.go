package storetest

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/sluicestream/sluice/statestore"
)

// model is what a store should hold: key -> value.
type model map[string]string

func (m model) clone() model { return maps.Clone(m) }

// sortedKeys returns m's keys with prefix, in order.
func (m model) sortedKeys(prefix string) []string {
	var keys []string
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// keyAlphabet makes keys that share prefixes and sit at the edges of the
// byte order, so prefix scans have neighbours to get wrong.
var keyAlphabet = []byte{0x00, 'a', 'b', 'c', 0xff}

// scanPrefixes are the prefixes checkState scans.
var scanPrefixes = []string{"", "\x00", "a", "ab", "b\xff", "\xff", "\xff\xff", "zz"}

// randomKey returns a key of 1 to 3 letters of keyAlphabet (155 keys).
func randomKey(r *rand.Rand) string {
	k := make([]byte, 1+r.IntN(3))
	for i := range k {
		k[i] = keyAlphabet[r.IntN(len(keyAlphabet))]
	}
	return string(k)
}

// absentKey returns a key randomKey never makes.
func absentKey(r *rand.Rand) string { return fmt.Sprintf("absent-%d", r.IntN(1000)) }

// randomValue returns a value: often short, sometimes empty, now and then
// a few KiB that compress well.
func randomValue(r *rand.Rand) string {
	switch n := r.IntN(50); {
	case n < 5:
		return ""
	case n == 5:
		return strings.Repeat(fmt.Sprintf("big-%d|", r.IntN(100)), 200+r.IntN(800))
	default:
		b := make([]byte, 1+r.IntN(24))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return string(b)
	}
}

// randomUpdates applies up to 40 random puts and deletes to s and m.
func randomUpdates(t failer, r *rand.Rand, s statestore.Store, m model) {
	t.Helper()
	for range r.IntN(41) {
		switch n := r.IntN(10); {
		case n < 6:
			k, v := randomKey(r), randomValue(r)
			mustPut(t, s, k, v)
			m[k] = v
		case n < 9 && len(m) > 0:
			keys := m.sortedKeys("")
			k := keys[r.IntN(len(keys))]
			mustDelete(t, s, k)
			delete(m, k)
		default:
			k := randomKey(r)
			mustDelete(t, s, k)
			delete(m, k)
		}
	}
}

// checkState checks that s holds exactly m, through Get, MultiGet and
// prefix scans.
func checkState(t failer, s statestore.Store, m model, what string) {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(len(m)), 7))
	keys := m.sortedKeys("")
	for _, k := range keys {
		v, ok, err := s.Get([]byte(k))
		if err != nil || !ok || string(v) != m[k] {
			t.Fatalf("%s: Get(%q) = %q, %v, %v; want %q, true, nil", what, k, short(v), ok, err, short([]byte(m[k])))
		}
	}
	for range 3 {
		k := absentKey(r)
		if v, ok, err := s.Get([]byte(k)); err != nil || ok || v != nil {
			t.Fatalf("%s: Get(absent %q) = %q, %v, %v; want nil, false, nil", what, k, v, ok, err)
		}
	}
	checkMultiGet(t, s, m, append(slices.Clone(keys), absentKey(r), absentKey(r)), what)
	for _, p := range scanPrefixes {
		checkScan(t, s, m, p, what)
	}
}

// checkMultiGet checks MultiGet(keys) against m: nil for an absent key, a
// non-nil (maybe empty) slice for a present one.
func checkMultiGet(t failer, s statestore.Store, m model, keys []string, what string) {
	t.Helper()
	in := make([][]byte, len(keys))
	for i, k := range keys {
		in[i] = []byte(k)
	}
	got, err := s.MultiGet(in)
	if err != nil {
		t.Fatalf("%s: MultiGet: %v", what, err)
	}
	if len(got) != len(keys) {
		t.Fatalf("%s: MultiGet of %d keys returned %d values", what, len(keys), len(got))
	}
	for i, k := range keys {
		want, ok := m[k]
		switch {
		case !ok && got[i] != nil:
			t.Fatalf("%s: MultiGet: key %d (%q) is absent, got %q, want nil", what, i, k, short(got[i]))
		case ok && got[i] == nil:
			t.Fatalf("%s: MultiGet: key %d (%q) = nil, want %q", what, i, k, short([]byte(want)))
		case ok && string(got[i]) != want:
			t.Fatalf("%s: MultiGet: key %d (%q) = %q, want %q", what, i, k, short(got[i]), short([]byte(want)))
		}
	}
}

// checkScan checks that NewIter(prefix) yields m's keys with prefix, in
// order, with their values.
func checkScan(t failer, s statestore.Store, m model, prefix, what string) {
	t.Helper()
	got := scan(t, s, prefix)
	want := m.sortedKeys(prefix)
	for i := 0; i < len(got) || i < len(want); i++ {
		switch {
		case i >= len(got):
			t.Fatalf("%s: scan %q stopped after %d keys; missing %q", what, prefix, len(got), want[i])
		case i >= len(want):
			t.Fatalf("%s: scan %q yielded extra key %q after the %d expected", what, prefix, got[i].key, len(want))
		case got[i].key != want[i]:
			t.Fatalf("%s: scan %q key %d = %q, want %q", what, prefix, i, got[i].key, want[i])
		case got[i].value != m[want[i]]:
			t.Fatalf("%s: scan %q key %q = %q, want %q", what, prefix, want[i], short([]byte(got[i].value)), short([]byte(m[want[i]])))
		}
	}
}

type kv struct{ key, value string }

// scan returns what NewIter(prefix) yields.
func scan(t failer, s statestore.Store, prefix string) []kv {
	t.Helper()
	var p []byte
	if prefix != "" {
		p = []byte(prefix)
	}
	it := s.NewIter(p)
	var out []kv
	for it.Next() {
		if !bytes.HasPrefix(it.Key(), p) {
			t.Fatalf("scan %q yielded key %q without the prefix", prefix, it.Key())
		}
		out = append(out, kv{string(it.Key()), string(it.Value())})
	}
	if err := it.Err(); err != nil {
		t.Fatalf("scan %q: Err: %v", prefix, err)
	}
	if err := it.Close(); err != nil {
		t.Fatalf("scan %q: Close: %v", prefix, err)
	}
	return out
}

// short abbreviates a long value in a message.
func short(b []byte) string {
	if len(b) <= 40 {
		return string(b)
	}
	return fmt.Sprintf("%s…(%d bytes)", b[:32], len(b))
}

func mustPut(t failer, s statestore.Store, k, v string) {
	t.Helper()
	if err := s.Put([]byte(k), []byte(v)); err != nil {
		t.Fatalf("Put(%q): %v", k, err)
	}
}

func mustDelete(t failer, s statestore.Store, k string) {
	t.Helper()
	if err := s.Delete([]byte(k)); err != nil {
		t.Fatalf("Delete(%q): %v", k, err)
	}
}
