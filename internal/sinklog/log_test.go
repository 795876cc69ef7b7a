package sinklog

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
)

func TestIndexLog(t *testing.T) {
	for _, c := range []struct {
		names   []string
		compact batch.ID
		entries []batch.ID
		latest  batch.ID
		err     string
	}{
		{nil, -1, nil, -1, ""},
		{[]string{"0", "1", "10", "2", "3", "4", "5", "6", "7", "8", "9"}, -1, []batch.ID{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10, ""},
		{[]string{"50", "51"}, -1, []batch.ID{50, 51}, 51, ""}, // a sink first used at batch 50
		{[]string{"0", "1", "2.compact", "3"}, 2, []batch.ID{3}, 3, ""},
		{[]string{"2.compact", "5.compact", "3", "4", "6"}, 5, []batch.ID{6}, 6, ""},
		{[]string{"5.compact"}, 5, nil, 5, ""},
		{[]string{"5", "5.compact"}, 5, nil, 5, ""}, // the compact file wins
		{[]string{".5.tmp-0123456789abcdef", "5.crc", "x", "007", "-1", "sub/", "5.compact.crc", "0"}, -1, []batch.ID{0}, 0, ""},
		{[]string{"0", "1", "3"}, -1, nil, 0, "_sluice_metadata/2: missing: the log holds batch 1 and batch 3"},
		{[]string{"2.compact", "4"}, -1, nil, 0, "_sluice_metadata/3: missing"},
	} {
		ix, err := indexLog(c.names)
		if c.err != "" {
			var ce *checkpoint.CorruptionError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("indexLog(%v) = %v, want corruption %q", c.names, err, c.err)
			}
			continue
		}
		if err != nil || ix.compact != c.compact || !slices.Equal(ix.entries, c.entries) || ix.latest != c.latest {
			t.Errorf("indexLog(%v) = %+v, %v; want compact %d entries %v latest %d", c.names, ix, err, c.compact, c.entries, c.latest)
		}
	}
}

func openLog(t testing.TB, st checkpoint.Storage, interval int) *Log {
	t.Helper()
	l, err := Open(context.Background(), st, interval)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mustCommit(t testing.TB, l *Log, id batch.ID, replace bool, files ...string) {
	t.Helper()
	var added []Status
	for _, f := range files {
		added = append(added, Status{Path: f, Size: int64(len(f))})
	}
	if err := l.Commit(context.Background(), id, added, replace); err != nil {
		t.Fatalf("Commit(%d): %v", id, err)
	}
}

func names(t testing.TB, st checkpoint.Storage) []string {
	t.Helper()
	ns, err := st.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(ns, func(a, b string) int {
		ia, _, _ := ParseName(a)
		ib, _, _ := ParseName(b)
		return int(ia - ib)
	})
	return ns
}

// A writer's log through compactions and expiry, and what a fresh reader
// of the same storage sees after every batch.
func TestLogCompaction(t *testing.T) {
	ctx := context.Background()
	st := checkpoint.NewMem()
	l := openLog(t, st, 3)
	wantNames := map[batch.ID][]string{
		1: {"0", "1"},
		2: {"0", "1", "2.compact"},
		4: {"0", "1", "2.compact", "3", "4"},
		5: {"2.compact", "3", "4", "5.compact"},
		8: {"5.compact", "6", "7", "8.compact"},
	}
	var want []string
	for id := batch.ID(0); id <= 8; id++ {
		f := "part-" + string(rune('a'+id))
		mustCommit(t, l, id, false, f)
		want = append(want, f)
		if IsCompaction(id, 3) {
			if err := l.Expire(ctx, id-3); err != nil {
				t.Fatal(err)
			}
		}
		if w, ok := wantNames[id]; ok && !slices.Equal(names(t, st), w) {
			t.Fatalf("after batch %d: files %v, want %v", id, names(t, st), w)
		}
		if got := paths(l.Files()); !slices.Equal(got, want) || l.Latest() != id {
			t.Fatalf("after batch %d: writer sees %v latest %d, want %v", id, got, l.Latest(), want)
		}
		r := openLog(t, st, 3)
		if got := paths(r.Files()); !slices.Equal(got, want) || r.Latest() != id || r.LatestCompact() != l.LatestCompact() {
			t.Fatalf("after batch %d: reader sees %v latest %d compact %d", id, got, r.Latest(), r.LatestCompact())
		}
	}
	sts, err := l.ReadCompact(ctx, 5)
	if err != nil || !slices.Equal(paths(sts), want[:6]) {
		t.Fatalf("ReadCompact(5) = %v, %v", paths(sts), err)
	}
	if _, err := l.ReadCompact(ctx, 2); !errors.Is(err, checkpoint.ErrNotExist) {
		t.Fatalf("ReadCompact of an expired file: %v", err)
	}
}

func TestLogComplete(t *testing.T) {
	st := checkpoint.NewMem()
	l := openLog(t, st, 2)
	mustCommit(t, l, 0, true, "a", "b")
	mustCommit(t, l, 1, true, "c") // compact: c only
	mustCommit(t, l, 2, true)      // empty result
	if got := paths(l.Files()); len(got) != 0 {
		t.Fatalf("after an empty complete batch: %v", got)
	}
	mustCommit(t, l, 3, true, "d")
	if got := paths(openLog(t, st, 2).Files()); !slices.Equal(got, []string{"d"}) {
		t.Fatalf("reader sees %v", got)
	}
}

func TestLogRefusals(t *testing.T) {
	ctx := context.Background()
	st := checkpoint.NewMem()
	if _, err := Open(ctx, st, 0); err == nil {
		t.Fatal("Open with interval 0")
	}
	l := openLog(t, st, 10)
	mustCommit(t, l, 50, false, "a") // the first id may be any
	for _, c := range []struct {
		id  batch.ID
		err string
	}{
		{-1, "negative batch id"},
		{50, "the log holds batches up to 50"},
		{7, "the log holds batches up to 50"},
		{52, "the log ends at batch 50; a gap"},
	} {
		if err := l.Commit(ctx, c.id, nil, false); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("Commit(%d) = %v, want %q", c.id, err, c.err)
		}
	}
	if l.Latest() != 50 || !slices.Equal(names(t, st), []string{"50"}) {
		t.Fatalf("refusals changed the log: latest %d, files %v", l.Latest(), names(t, st))
	}
}

// Two writers race for one batch: one commits, the other gets ErrExist,
// its Log unchanged until Reload.
func TestLogCommitExists(t *testing.T) {
	ctx := context.Background()
	st := checkpoint.NewMem()
	a, b := openLog(t, st, 10), openLog(t, st, 10)
	mustCommit(t, a, 0, false, "a")
	if err := b.Commit(ctx, 0, []Status{{Path: "b"}}, false); !errors.Is(err, checkpoint.ErrExist) {
		t.Fatalf("losing Commit: %v, want ErrExist", err)
	}
	if b.Latest() != -1 || len(b.Files()) != 0 {
		t.Fatalf("the loser's log changed: latest %d, %v", b.Latest(), paths(b.Files()))
	}
	if err := b.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if b.Latest() != 0 || !slices.Equal(paths(b.Files()), []string{"a"}) {
		t.Fatalf("after Reload: latest %d, %v", b.Latest(), paths(b.Files()))
	}
	mustCommit(t, b, 1, false, "b")
}

// Random damage to a real manifest: reading returns the committed files or
// a corruption error naming a manifest file, never panics, never another
// error.
func TestManifestDamage(t *testing.T) {
	ctx := context.Background()
	src := checkpoint.NewMem()
	l := openLog(t, src, 3)
	for id := batch.ID(0); id <= 4; id++ {
		mustCommit(t, l, id, true, "part-"+string(rune('a'+id))+"-0", "part-"+string(rune('a'+id))+"-1")
	}
	ns := names(t, src) // 0 1 2.compact 3 4
	orig := map[string][]byte{}
	for _, n := range ns {
		orig[n], _ = src.Read(ctx, n)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	corrupt := 0
	for i := range 300 {
		st := checkpoint.NewMem()
		victim := ns[rng.IntN(len(ns))]
		for _, n := range ns {
			data := orig[n]
			if n == victim {
				data = damage(rng, slices.Clone(data))
			}
			if err := st.Write(ctx, n, data); err != nil {
				t.Fatal(err)
			}
		}
		_, err := readState(ctx, st)
		if err == nil {
			continue
		}
		var ce *checkpoint.CorruptionError
		if !errors.As(err, &ce) || !strings.HasPrefix(ce.Path, MetadataDir+"/") {
			data, _ := st.Read(ctx, victim)
			t.Fatalf("damage %d to %s (%q): %v, want a corruption error naming the file", i, victim, data, err)
		}
		corrupt++
	}
	if corrupt < 60 {
		t.Fatalf("only %d of 300 damaged manifests were reported corrupt", corrupt)
	}
}

// damage changes data in one of a few ways.
func damage(rng *rand.Rand, data []byte) []byte {
	switch rng.IntN(4) {
	case 0: // truncate
		return data[:rng.IntN(len(data)+1)]
	case 1: // flip a byte
		if len(data) > 0 {
			data[rng.IntN(len(data))] ^= byte(1 + rng.IntN(255))
		}
		return data
	case 2: // insert a JSON-ish character
		i := rng.IntN(len(data) + 1)
		c := `{}":,\n0a `[rng.IntN(10)]
		return slices.Insert(data, i, c)
	default: // drop a range
		i := rng.IntN(len(data) + 1)
		j := i + rng.IntN(len(data)-i+1)
		return slices.Delete(data, i, j)
	}
}
