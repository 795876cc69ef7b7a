package sinklog

import (
	"slices"
	"testing"

	"github.com/sluicestream/sluice/batch"
)

func add(p string) Status { return Status{Path: p, Action: ActionAdd} }
func del(p string) Status { return Status{Path: p, Action: ActionDelete} }

func paths(sts []Status) []string {
	out := []string{}
	for _, st := range sts {
		out = append(out, st.Path)
	}
	return out
}

func TestStateApply(t *testing.T) {
	s := emptyState()
	s.apply([]Status{add("a"), add("b"), add("c")})
	s.apply([]Status{del("b"), add("d"), del("zz")})
	s.apply([]Status{{Path: "a", Size: 9, Action: ActionAdd}}) // re-add: replaced in place
	s.apply([]Status{add("e"), del("e")})                      // delete wins within an entry
	if got := paths(s.live); !slices.Equal(got, []string{"a", "c", "d"}) || s.live[0].Size != 9 {
		t.Fatalf("live %v (%+v)", got, s.live)
	}
	checkPos(t, s)
}

func checkPos(t *testing.T, s state) {
	t.Helper()
	if len(s.pos) != len(s.live) {
		t.Fatalf("pos has %d paths, live %d", len(s.pos), len(s.live))
	}
	for p, i := range s.pos {
		if s.live[i].Path != p {
			t.Fatalf("pos[%s] = %d, which is %s", p, i, s.live[i].Path)
		}
	}
}

// next decides what a commit writes; done applies it. A table over the
// state before, the batch and the mode, with no storage.
func TestNext(t *testing.T) {
	before := emptyState()
	before.apply([]Status{add("a"), add("b")})
	before.latest, before.compact = 3, 2
	for _, c := range []struct {
		name     string
		id       batch.ID
		added    []Status
		replace  bool
		interval int
		file     string
		lines    []Status
		after    []string
		compact  batch.ID
	}{
		{"append", 4, []Status{{Path: "c"}}, false, 10, "4", []Status{add("c")}, []string{"a", "b", "c"}, 2},
		{"append nothing", 4, nil, false, 10, "4", []Status{}, []string{"a", "b"}, 2},
		{"complete", 4, []Status{{Path: "c"}}, true, 10, "4", []Status{add("c"), del("a"), del("b")}, []string{"c"}, 2},
		{"complete, empty", 4, nil, true, 10, "4", []Status{del("a"), del("b")}, []string{}, 2},
		{"compaction", 4, []Status{{Path: "c"}}, false, 5, "4.compact", []Status{add("a"), add("b"), add("c")}, []string{"a", "b", "c"}, 4},
		{"compaction, complete", 9, []Status{{Path: "c"}}, true, 5, "9.compact", []Status{add("c")}, []string{"c"}, 9},
		{"compaction, complete, empty", 9, nil, true, 5, "9.compact", []Status{}, []string{}, 9},
	} {
		s := before.clone()
		got := s.next(c.id, c.added, c.replace, c.interval)
		if got.name != c.file || !slices.Equal(got.lines, c.lines) {
			t.Errorf("%s: next writes %s %v, want %s %v", c.name, got.name, got.lines, c.file, c.lines)
			continue
		}
		if p := paths(s.live); !slices.Equal(p, []string{"a", "b"}) || s.latest != 3 {
			t.Errorf("%s: next changed the state: %v, latest %d", c.name, p, s.latest)
		}
		s.done(got)
		if p := paths(s.live); !slices.Equal(p, c.after) || s.latest != c.id || s.compact != c.compact {
			t.Errorf("%s: after done: %v latest %d compact %d; want %v latest %d compact %d",
				c.name, p, s.latest, s.compact, c.after, c.id, c.compact)
		}
		checkPos(t, s)
	}
}

func TestIsCompaction(t *testing.T) {
	for _, c := range []struct {
		id       batch.ID
		interval int
		want     bool
	}{
		{0, 1, true}, {5, 1, true}, {9, 10, true}, {10, 10, false}, {19, 10, true}, {0, 10, false}, {2, 3, true},
	} {
		if got := IsCompaction(c.id, c.interval); got != c.want {
			t.Errorf("IsCompaction(%d, %d) = %v", c.id, c.interval, got)
		}
	}
}
