package expr

import (
	"bytes"
	"testing"
)

// TestAggByteSlotsCompaction overwrites slots with ever longer values until
// the arena compacts, and checks every slot still reads back and the arena
// stays within its bound.
func TestAggByteSlotsCompaction(t *testing.T) {
	var b aggByteSlots
	const groups = 100
	b.grow(groups)
	want := make([][]byte, groups)
	compactions := 0
	for round := 1; round <= 60; round++ {
		for g := uint32(0); g < groups; g++ {
			v := bytes.Repeat([]byte{byte('a' + g%26)}, round*20+int(g%7))
			before := len(b.arena)
			b.set(g, v)
			if len(b.arena) < before {
				compactions++
			}
			want[g] = v
		}
		live := 0
		for g := uint32(0); g < groups; g++ {
			if got := b.get(g); !bytes.Equal(got, want[g]) {
				t.Fatalf("round %d, group %d: got %q, want %q", round, g, got, want[g])
			}
			live += len(want[g])
		}
		if len(b.arena) > 2*live+aggCompactMinGarbage+len(want[groups-1]) {
			t.Fatalf("round %d: arena %d bytes for %d live", round, len(b.arena), live)
		}
	}
	if compactions == 0 {
		t.Error("the arena never compacted")
	}
	// A shorter value reuses the slot without growing the arena.
	n := len(b.arena)
	b.set(0, []byte("x"))
	if len(b.arena) != n || string(b.get(0)) != "x" {
		t.Errorf("shorter value: arena %d -> %d, value %q", n, len(b.arena), b.get(0))
	}
}
