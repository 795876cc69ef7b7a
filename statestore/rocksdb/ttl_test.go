package rocksdb

import (
	"context"
	"testing"
	"time"

	"github.com/sluicestream/sluice/statestore"
)

// TestTTLIndex follows the TTL index through updates made without a TTL
// (which leave it incomplete, so the next commit with a TTL scans every key
// and rebuilds it) and through stale entries (a key put again keeps its old
// index entry until that expires, and is not evicted by it).
func TestTTLIndex(t *testing.T) {
	const ttl = 10 * time.Second
	ctx := context.Background()
	p := newTestProvider(t, Options{})
	defer p.Close()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	version := int64(0)
	step := func(at time.Duration, withTTL bool, puts []string, wantEvicted, wantRows int64, wantIndexed bool) {
		t.Helper()
		o := statestore.OpenOptions{Now: func() time.Time { return t0.Add(at) }}
		if withTTL {
			o.TTL = ttl
		}
		s, err := p.Open(ctx, testID, version, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range puts {
			mustPut(t, s, []byte(k), []byte(k))
		}
		snap, err := s.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		snap.Release()
		version++
		m := s.Metrics()
		in := p.stores[testID]
		if m.NumRowsEvicted != wantEvicted || m.NumRowsTotal != wantRows || in.meta.ttlIndexed != wantIndexed {
			t.Fatalf("version %d at %v: evicted %d, rows %d, index complete %v; want %d, %d, %v",
				version, at, m.NumRowsEvicted, m.NumRowsTotal, in.meta.ttlIndexed, wantEvicted, wantRows, wantIndexed)
		}
	}
	step(0, true, []string{"a", "b"}, 0, 2, true)
	step(5*time.Second, false, []string{"c"}, 0, 3, false)  // no index entry for c
	step(12*time.Second, true, nil, 2, 1, true)             // scan: a, b evicted, c indexed
	step(16*time.Second, true, nil, 1, 0, true)             // c (5 s) through the index
	step(20*time.Second, true, []string{"d"}, 0, 1, true)   // d at 20 s
	step(25*time.Second, true, []string{"d"}, 0, 1, true)   // d again at 25 s; d@20 stale
	step(31*time.Second, true, nil, 0, 1, true)             // d@20 expired, but d is from 25 s
	step(35*time.Second, true, nil, 1, 0, true)             // d@25 expired
	step(36*time.Second, true, []string{"e"}, 0, 1, true)   // and the index is empty again
	step(36*time.Second, false, nil, 0, 1, true)            // no puts: still complete
	step(50*time.Second, true, []string{"f"}, 1, 1, true)   // e evicted, f kept
	step(50*time.Second, false, []string{"g"}, 0, 2, false) // g without a TTL
	step(65*time.Second, true, []string{"h"}, 2, 1, true)   // scan: f, g evicted, h kept
	assertIndexSize(t, p, 1)
}

// assertIndexSize checks the number of TTL index entries of testID.
func assertIndexSize(t *testing.T, p *Provider, want int) {
	t.Helper()
	in := p.stores[testID]
	in.mu.Lock()
	defer in.mu.Unlock()
	it := in.db.NewIterator(p.dbo.read)
	defer it.Close()
	n := 0
	for it.Seek([]byte{spaceTTL}); it.Valid(); it.Next() {
		n++
	}
	if n != want {
		t.Fatalf("TTL index holds %d entries, want %d", n, want)
	}
}
