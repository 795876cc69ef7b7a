package mem_test

import (
	"encoding/binary"
	"testing"

	"github.com/sluicestream/sluice/statestore"
	"github.com/sluicestream/sluice/statestore/mem"
)

// benchStore returns a provider holding version 1 of a store of n keys.
func benchStore(b *testing.B, n int) *mem.Provider {
	p := mem.New(mem.Options{SnapshotInterval: 1 << 30})
	s, err := p.Open(b.Context(), id, 0, statestore.OpenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if err := s.Put(benchKey(i), make([]byte, 32)); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.Commit(b.Context()); err != nil {
		b.Fatal(err)
	}
	return p
}

func benchKey(i int) []byte { return binary.BigEndian.AppendUint64([]byte("key"), uint64(i)) }

// BenchmarkCommit is one micro-batch over a store of 100 K keys: 1 K
// read-modify-writes through MultiGet, then Commit.
func BenchmarkCommit(b *testing.B) {
	const keys, updates = 100_000, 1_000
	p := benchStore(b, keys)
	batch := make([][]byte, updates)
	for i := range batch {
		batch[i] = benchKey(i * (keys / updates))
	}
	v := int64(1)
	for b.Loop() {
		s, err := p.Open(b.Context(), id, v, statestore.OpenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		vals, err := s.MultiGet(batch)
		if err != nil {
			b.Fatal(err)
		}
		for i, k := range batch {
			if err := s.Put(k, vals[i]); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.Commit(b.Context()); err != nil {
			b.Fatal(err)
		}
		v++
	}
}

func BenchmarkGet(b *testing.B) {
	const keys = 100_000
	p := benchStore(b, keys)
	s, err := p.Open(b.Context(), id, 1, statestore.OpenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Abort()
	i := 0
	for b.Loop() {
		if _, ok, _ := s.Get(benchKey(i % keys)); !ok {
			b.Fatal("missing key")
		}
		i += 7919
	}
}
