package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/sluicestream/sluice/statestore"
)

// testCommitReopen is the model-based property: whatever updates versions
// 1..N made, reopening any of them gives exactly its committed state, on
// the provider that committed them and on a fresh provider that has only
// the checkpoint storage. rapid draws the updates, so a failure shrinks to
// a short history.
func testCommitReopen(t *testing.T, f Factory) {
	rapid.Check(t, func(rt *rapid.T) {
		e := newEnv(t, f)
		e.interval = rapid.IntRange(1, 5).Draw(rt, "interval")
		versions := rapid.SliceOfN(rapid.SliceOfN(stepGen, 0, 12), 1, 10).Draw(rt, "versions")
		p := e.provider()
		h := newHistory(e, testID)
		h.t = rt
		for _, steps := range versions {
			h.commit(p, func(s statestore.Store, m model) { applySteps(rt, s, m, steps) }, true)
		}
		// Newest first, so the provider's own copy is used before restores
		// replace it.
		for v := h.latest(); v >= 0; v-- {
			h.check(p, v, fmt.Sprintf("same provider, version %d", v))
		}
		h.checkAll(e.provider(), 0, "fresh provider")
	})
}

// step is one update rapid draws: a put, or a delete.
type step struct {
	key, value string
	del        bool
}

var stepGen = rapid.Custom(func(t *rapid.T) step {
	k := rapid.SliceOfN(rapid.SampledFrom(keyAlphabet), 1, 2).Draw(t, "key")
	if rapid.IntRange(0, 3).Draw(t, "kind") == 0 {
		return step{key: string(k), del: true}
	}
	return step{key: string(k), value: string(rapid.SliceOfN(rapid.Byte(), 0, 8).Draw(t, "value"))}
})

func applySteps(t failer, s statestore.Store, m model, steps []step) {
	t.Helper()
	for _, st := range steps {
		if st.del {
			mustDelete(t, s, st.key)
			delete(m, st.key)
		} else {
			mustPut(t, s, st.key, st.value)
			m[st.key] = st.value
		}
	}
}

// testRestore commits 50 versions of random updates, uploading each, and
// restores every one of them on a fresh provider from storage alone.
func testRestore(t *testing.T, f Factory) {
	e := newEnv(t, f)
	h := newHistory(e, testID)
	h.commitRandom(e.provider(), rand.New(rand.NewPCG(11, 12)), 50, true)
	h.checkAll(e.provider(), 0, "fresh provider")
	// In reverse too, so a provider that keeps what it restored is made to
	// go back.
	q := e.provider()
	for v := h.latest(); v >= 0; v-- {
		h.check(q, v, fmt.Sprintf("fresh provider, backwards, version %d", v))
	}
}

// testRestoreIntervals restores with a snapshot at every version and with
// none at all.
func testRestoreIntervals(t *testing.T, f Factory) {
	for _, k := range []int{1, 2, 1000} {
		t.Run(fmt.Sprintf("K=%d", k), func(t *testing.T) {
			e := newEnv(t, f)
			e.interval = k
			h := newHistory(e, testID)
			h.commitRandom(e.provider(), rand.New(rand.NewPCG(uint64(k), 13)), 12, true)
			h.checkAll(e.provider(), 0, "fresh provider")
		})
	}
}

// testReplayVersion reruns a version after a restart, as recovery does:
// versions 1..5 are uploaded, then a fresh provider opens 4 and commits 5
// again with the same updates. The replayed 5 uploads, and 5 restores as
// committed.
func testReplayVersion(t *testing.T, f Factory) {
	e := newEnv(t, f)
	h := newHistory(e, testID)
	r := rand.New(rand.NewPCG(14, 15))
	h.commitRandom(e.provider(), r, 4, true)
	h.commitRandom(e.provider(), rand.New(rand.NewPCG(5, 5)), 1, true)

	replay := newHistory(e, testID)
	replay.models, replay.manifests = slices.Clone(h.models[:5]), slices.Clone(h.manifests[:5])
	replay.prev = h.manifests[4]
	p := e.provider()
	replay.commitRandom(p, rand.New(rand.NewPCG(5, 5)), 1, true) // the same updates
	if !equalModels(replay.models[5], h.models[5]) {
		t.Fatal("replaying version 5 with the same updates made a different model")
	}
	replay.check(p, 5, "replayed version 5, same provider")
	replay.checkAll(e.provider(), 0, "after a replay, fresh provider")
	replay.commitRandom(p, r, 3, true)
	replay.checkAll(e.provider(), 0, "versions after a replay, fresh provider")
}

func equalModels(a, b model) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// testConcurrentStores runs stores of different partitions from several
// goroutines at once, sharing one provider, and restores them all.
func testConcurrentStores(t *testing.T, f Factory) {
	const parts, versions = 6, 12
	e := newEnv(t, f)
	p := e.provider()
	hs := make([]*history, parts)
	var wg sync.WaitGroup
	for i := range parts {
		id := statestore.StoreID{Operator: "join", Partition: i}
		hs[i] = newHistory(e, id)
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), 16))
			for range versions {
				if err := hs[i].tryCommit(p, r); err != nil {
					t.Errorf("partition %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	q := e.provider()
	for _, h := range hs {
		h.checkAll(p, versions, "same provider")
		h.checkAll(q, 0, "fresh provider")
	}
}

// tryCommit is commit with random updates for a goroutine other than the
// test's: it returns errors instead of failing the test.
func (h *history) tryCommit(p statestore.Provider, r *rand.Rand) error {
	ctx := context.Background()
	v := h.latest()
	s, err := p.Open(ctx, h.id, v, statestore.OpenOptions{})
	if err != nil {
		return err
	}
	m := h.models[v].clone()
	if err := tryUpdates(r, s, m); err != nil {
		s.Abort()
		return err
	}
	snap, err := s.Commit(ctx)
	if err != nil {
		s.Abort()
		return err
	}
	man, err := snap.Upload(ctx, h.e.st, h.prev)
	if rerr := snap.Release(); err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("upload of version %d: %w", v+1, err)
	}
	h.models = append(h.models, m)
	h.manifests = append(h.manifests, man)
	h.prev = man
	return nil
}

// tryUpdates applies up to 30 random puts and deletes to s and m.
func tryUpdates(r *rand.Rand, s statestore.Store, m model) error {
	for range 1 + r.IntN(30) {
		k := randomKey(r)
		if r.IntN(4) == 0 {
			delete(m, k)
			if err := s.Delete([]byte(k)); err != nil {
				return err
			}
			continue
		}
		v := randomValue(r)
		m[k] = v
		if err := s.Put([]byte(k), []byte(v)); err != nil {
			return err
		}
	}
	return nil
}

// testPurge purges after every few versions and checks that every version
// Purge promises to keep still restores, and that it deleted something.
func testPurge(t *testing.T, f Factory) {
	const versions, retain = 40, 7
	e := newEnv(t, f)
	h := newHistory(e, testID)
	p := e.provider()
	r := rand.New(rand.NewPCG(27, 28))
	var deleted int
	for range versions / 5 {
		h.commitRandom(p, r, 5, true)
		stats, err := statestore.Purge(t.Context(), e.st, h.id, retain)
		if err != nil {
			t.Fatalf("Purge after version %d: %v", h.latest(), err)
		}
		deleted += stats.Changelogs + stats.Manifests + stats.Files
		first := h.latest() - retain + 1
		if stats.Base > max(first, 0) {
			t.Fatalf("Purge after version %d kept from version %d; want %d retained", h.latest(), stats.Base, retain)
		}
		q := e.provider()
		for v := max(first, 0); v <= h.latest(); v++ {
			h.check(q, v, fmt.Sprintf("after Purge at %d, version %d", h.latest(), v))
		}
	}
	if deleted == 0 {
		t.Fatalf("Purge of %d versions keeping %d deleted nothing", versions, retain)
	}
	// Purge with nothing new deletes nothing more.
	stats, err := statestore.Purge(t.Context(), e.st, h.id, retain)
	if err != nil || stats.Changelogs+stats.Manifests+stats.Files != 0 {
		t.Fatalf("a second Purge: %+v, %v; want nothing deleted", stats, err)
	}
	h.checkAll(e.provider(), versions-retain+1, "after Purge, fresh provider")
}
