package storetest

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/sluicestream/sluice/statestore"
)

var testID = statestore.StoreID{Operator: "agg", Partition: 3}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func testGetPutDelete(t *testing.T, f Factory) {
	e := newEnv(t, f)
	p := e.provider()
	s := mustOpen(t, p, testID, 0, statestore.OpenOptions{})
	m := model{}
	checkState(t, s, m, "empty version 0")
	for _, kv := range []kv{{"a", "1"}, {"b", "2"}, {"a", "one"}, {"c", ""}, {"\x00", "zero"}, {"\xff\xff", "top"}} {
		mustPut(t, s, kv.key, kv.value)
		m[kv.key] = kv.value
	}
	checkState(t, s, m, "after puts")
	v, ok, err := s.Get([]byte("c"))
	if err != nil || !ok || len(v) != 0 {
		t.Fatalf("Get of an empty value = %q, %v, %v; want empty, true, nil", v, ok, err)
	}
	mustDelete(t, s, "b")
	mustDelete(t, s, "never-put")
	delete(m, "b")
	checkState(t, s, m, "after deletes")
	mustPut(t, s, "b", "back")
	m["b"] = "back"
	checkState(t, s, m, "after a put of a deleted key")
	commitRelease(t, s)

	s = mustOpen(t, p, testID, 1, statestore.OpenOptions{})
	checkState(t, s, m, "version 1")
	mustDelete(t, s, "a")
	mustDelete(t, s, "c")
	mustPut(t, s, "d", "4")
	delete(m, "a")
	delete(m, "c")
	m["d"] = "4"
	checkState(t, s, m, "version 1 updated")
	commitRelease(t, s)
	s = mustOpen(t, p, testID, 2, statestore.OpenOptions{})
	defer s.Abort()
	checkState(t, s, m, "version 2")
}

// testBuffersNotShared checks that a store copies the keys and values it
// is given.
func testBuffersNotShared(t *testing.T, f Factory) {
	e := newEnv(t, f)
	p := e.provider()
	s := mustOpen(t, p, testID, 0, statestore.OpenOptions{})
	k, v := []byte("key"), []byte("value")
	if err := s.Put(k, v); err != nil {
		t.Fatal(err)
	}
	k[0], v[0] = 'X', 'X'
	m := model{"key": "value"}
	checkState(t, s, m, "after changing the caller's buffers")
	commitRelease(t, s)
	s = mustOpen(t, p, testID, 1, statestore.OpenOptions{})
	defer s.Abort()
	checkState(t, s, m, "version 1")
}

func testMultiGet(t *testing.T, f Factory) {
	e := newEnv(t, f)
	p := e.provider()
	h := newHistory(e, testID)
	h.commit(p, func(s statestore.Store, m model) {
		for _, kv := range []kv{{"a", "1"}, {"b", "2"}, {"c", ""}, {"d", "4"}} {
			mustPut(t, s, kv.key, kv.value)
			m[kv.key] = kv.value
		}
	}, false)
	s := mustOpen(t, p, testID, 1, statestore.OpenOptions{})
	defer s.Abort()
	m := h.models[1].clone()
	mustPut(t, s, "e", "pending")
	mustPut(t, s, "a", "overwritten")
	mustDelete(t, s, "b")
	m["e"], m["a"] = "pending", "overwritten"
	delete(m, "b")
	// Committed, pending, overwritten, deleted, empty, absent, repeated.
	keys := []string{"a", "b", "c", "d", "e", "zz", "a", "", "d"}
	checkMultiGet(t, s, m, keys, "MultiGet")
	got, err := s.MultiGet(nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("MultiGet(nil) = %q, %v; want no values", got, err)
	}
}

func testPrefixScan(t *testing.T, f Factory) {
	e := newEnv(t, f)
	p := e.provider()
	h := newHistory(e, testID)
	committed := []string{"a", "a\x00", "ab", "abc", "ac", "b", "b\xff", "b\xff\xff", "c", "\xff", "\xff\xff"}
	h.commit(p, func(s statestore.Store, m model) {
		for _, k := range committed {
			mustPut(t, s, k, "v-"+k)
			m[k] = "v-" + k
		}
	}, false)
	s := mustOpen(t, p, testID, 1, statestore.OpenOptions{})
	defer s.Abort()
	m := h.models[1].clone()
	checkState(t, s, m, "committed only")
	for _, k := range []string{"aa", "abd", "b\xff\x00", "\x00"} { // pending puts between committed keys
		mustPut(t, s, k, "new-"+k)
		m[k] = "new-" + k
	}
	for _, k := range []string{"ab", "\xff", "a"} { // pending deletes of committed keys
		mustDelete(t, s, k)
		delete(m, k)
	}
	mustPut(t, s, "ac", "overwritten")
	m["ac"] = "overwritten"
	mustPut(t, s, "abd", "twice")
	m["abd"] = "twice"
	mustPut(t, s, "gone", "x")
	mustDelete(t, s, "gone")
	checkState(t, s, m, "pending puts and deletes")
	for _, prefix := range []string{"a", "ab", "b\xff", "\xff", "\xff\xff", "", "q", "abcd"} {
		checkScan(t, s, m, prefix, "prefix scan")
	}
}

// testPrefixScanRandom compares scans of every prefix against the model
// over random committed and pending updates.
func testPrefixScanRandom(t *testing.T, f Factory) {
	e := newEnv(t, f)
	p := e.provider()
	h := newHistory(e, testID)
	r := rand.New(rand.NewPCG(1, 2))
	for range 10 {
		h.commitRandom(p, r, 1, false)
		s := mustOpen(t, p, testID, h.latest(), statestore.OpenOptions{})
		m := h.models[h.latest()].clone()
		randomUpdates(t, r, s, m)
		checkState(t, s, m, "pending over version "+itoa(h.latest()))
		for range 5 {
			checkScan(t, s, m, randomKey(r)[:1], "random prefix")
			checkScan(t, s, m, randomKey(r), "random prefix")
		}
		s.Abort()
	}
}

func testAbort(t *testing.T, f Factory) {
	e := newEnv(t, f)
	p := e.provider()
	h := newHistory(e, testID)
	r := rand.New(rand.NewPCG(3, 4))
	h.commitRandom(p, r, 3, false)
	for range 3 {
		s := mustOpen(t, p, testID, 3, statestore.OpenOptions{})
		randomUpdates(t, r, s, h.models[3].clone())
		mustPut(t, s, "aborted", "x")
		s.Abort()
		h.check(p, 3, "version 3 after an abort")
	}
	s := mustOpen(t, p, testID, 3, statestore.OpenOptions{})
	s.Abort() // with no updates
	h.commitRandom(p, r, 1, false)
	h.check(p, 4, "version 4 committed after aborts")
}

func testVersionZeroEmpty(t *testing.T, f Factory) {
	e := newEnv(t, f)
	p := e.provider()
	h := newHistory(e, testID)
	h.commitRandom(p, rand.New(rand.NewPCG(5, 6)), 6, true)
	h.check(p, 0, "version 0 after commits")
	h.check(e.provider(), 0, "version 0 on a fresh provider")
	// Committing over version 0 again starts from empty.
	s := mustOpen(t, p, testID, 0, statestore.OpenOptions{})
	mustPut(t, s, "only", "this")
	commitRelease(t, s)
	s = mustOpen(t, p, testID, 1, statestore.OpenOptions{})
	defer s.Abort()
	checkState(t, s, model{"only": "this"}, "version 1 recommitted over version 0")
}

func testUnknownVersion(t *testing.T, f Factory) {
	e := newEnv(t, f)
	p := e.provider()
	ctx := t.Context()
	if s, err := p.Open(ctx, testID, 1, statestore.OpenOptions{}); err == nil {
		s.Abort()
		t.Fatal("Open of version 1 of a store never committed succeeded")
	}
	if s, err := p.Open(ctx, testID, -1, statestore.OpenOptions{}); err == nil {
		s.Abort()
		t.Fatal("Open of version -1 succeeded")
	}
	h := newHistory(e, testID)
	h.commitRandom(p, rand.New(rand.NewPCG(7, 8)), 5, true)
	for _, q := range []statestore.Provider{p, e.provider()} {
		for _, v := range []int64{6, 7, 100} {
			if s, err := q.Open(ctx, testID, v, statestore.OpenOptions{}); err == nil {
				s.Abort()
				t.Fatalf("Open of version %d succeeded; only 0..5 were committed", v)
			}
		}
		h.check(q, 5, "version 5 after failed opens")
	}
	other := statestore.StoreID{Operator: testID.Operator, Partition: testID.Partition + 1}
	if s, err := p.Open(ctx, other, 1, statestore.OpenOptions{}); err == nil {
		s.Abort()
		t.Fatal("Open of version 1 of another partition succeeded")
	}
}

// testReopenLocal checks that a provider reopens the version it committed
// last without anything uploaded.
func testReopenLocal(t *testing.T, f Factory) {
	e := newEnv(t, f)
	p := e.provider()
	h := newHistory(e, testID)
	r := rand.New(rand.NewPCG(9, 10))
	for range 2 * e.interval {
		h.commitRandom(p, r, 1, false)
		h.check(p, h.latest(), "newest version, nothing uploaded")
	}
	if names, err := e.st.List(t.Context(), testID.Dir()); err != nil || len(names) != 0 {
		t.Fatalf("commits without Upload wrote %q (%v) to checkpoint storage", names, err)
	}
}
