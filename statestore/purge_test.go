package statestore

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
)

func TestPlanPurge(t *testing.T) {
	for _, tc := range []struct {
		name   string
		l      Listing
		retain int
		want   purgePlan
	}{
		{"nothing", Listing{}, 10, purgePlan{}},
		{"too young", Listing{Changelogs: vs(1, 30), Manifests: []int64{10, 20, 30}}, 30, purgePlan{}},
		{"no snapshot", Listing{Changelogs: vs(1, 300)}, 10, purgePlan{}},
		{"snapshot after the retained range", Listing{Changelogs: vs(1, 30), Manifests: []int64{25}}, 10, purgePlan{}},
		{"base at the oldest retained", Listing{Changelogs: vs(1, 29), Manifests: []int64{10, 20}}, 10,
			purgePlan{base: 20, changelogs: vs(1, 20), manifests: []int64{10}, keepManifests: []int64{20}}},
		{"base below the oldest retained", Listing{Changelogs: vs(1, 35), Manifests: []int64{10, 20, 30}}, 10,
			purgePlan{base: 20, changelogs: vs(1, 20), manifests: []int64{10}, keepManifests: []int64{20, 30}}},
		{"retain 1", Listing{Changelogs: vs(1, 35), Manifests: []int64{10, 20, 30}}, 1,
			purgePlan{base: 30, changelogs: vs(1, 30), manifests: []int64{10, 20}, keepManifests: []int64{30}}},
		{"already purged", Listing{Changelogs: vs(21, 35), Manifests: []int64{20, 30}}, 10,
			purgePlan{base: 20, changelogs: []int64{}, manifests: []int64{}, keepManifests: []int64{20, 30}}},
		{"latest is a manifest", Listing{Changelogs: vs(1, 19), Manifests: []int64{10, 20}}, 1,
			purgePlan{base: 20, changelogs: vs(1, 19), manifests: []int64{10}, keepManifests: []int64{20}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := planPurge(tc.l, tc.retain)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if got.base == 0 {
				return
			}
			// Every retained version stays restorable from what is kept.
			kept := Listing{
				Changelogs: slices.DeleteFunc(slices.Clone(tc.l.Changelogs), func(v int64) bool { return slices.Contains(got.changelogs, v) }),
				Manifests:  got.keepManifests,
			}
			for v := tc.l.Latest() - int64(tc.retain) + 1; v <= tc.l.Latest(); v++ {
				if _, _, err := planRestore(StoreID{}, kept, v); err != nil {
					t.Fatalf("version %d: %v", v, err)
				}
			}
		})
	}
}

func TestUnreferencedFiles(t *testing.T) {
	m := func(names ...string) *Manifest {
		var fs []FileInfo
		for _, n := range names {
			fs = append(fs, FileInfo{Name: n})
		}
		return &Manifest{Files: fs}
	}
	got := unreferencedFiles([]*Manifest{m("c", "a", "b"), m("b", "d")}, []*Manifest{m("b", "e"), m("d")})
	if !reflect.DeepEqual(got, []string{"a", "c"}) {
		t.Fatal(got)
	}
}

var purgeSnaps = map[int64][]string{
	10: {"SSTs/a.sst", "SSTs/b.sst"},
	20: {"SSTs/b.sst", "SSTs/c.sst"},
	30: {"SSTs/c.sst", "SSTs/d.sst"},
	40: {"SSTs/d.sst", "SSTs/e.sst"},
}

func TestPurgeStorage(t *testing.T) {
	ctx := context.Background()
	id := StoreID{Operator: "0", Partition: 0}
	st := checkpoint.NewMem()
	fakeStore(t, st, id, vs(1, 45), purgeSnaps)
	stats, err := Purge(ctx, st, id, 12) // keeps 34..45: base 30
	if err != nil {
		t.Fatal(err)
	}
	want := PurgeStats{Changelogs: 30, Manifests: 2, Files: 2, Base: 30}
	if stats != want {
		t.Fatalf("stats %+v, want %+v", stats, want)
	}
	names, _ := st.List(ctx, id.Path(SSTDir))
	if !reflect.DeepEqual(names, []string{"c.sst", "d.sst", "e.sst"}) {
		t.Fatalf("data files left: %v", names)
	}
	for v := int64(30); v <= 45; v++ {
		if _, err := PlanRestore(ctx, st, id, v); err != nil {
			t.Fatalf("version %d: %v", v, err)
		}
	}
	if stats, err := Purge(ctx, st, id, 12); err != nil || stats != (PurgeStats{Base: 30}) {
		t.Fatalf("second purge: %+v, %v", stats, err)
	}
	if _, err := Purge(ctx, st, id, 0); err == nil {
		t.Fatal("minVersionsToRetain 0 accepted")
	}
}

// failingDeletes is a Storage whose Deletes fail after the first n.
type failingDeletes struct {
	checkpoint.Storage
	left atomic.Int64
}

var errInjected = errors.New("injected failure")

func (s *failingDeletes) Delete(ctx context.Context, path string) error {
	if s.left.Add(-1) < 0 {
		return errInjected
	}
	return s.Storage.Delete(ctx, path)
}

func TestPurgeInterrupted(t *testing.T) {
	ctx := context.Background()
	id := StoreID{Operator: "0", Partition: 0}
	for n := int64(0); ; n++ {
		mem := checkpoint.NewMem()
		fakeStore(t, mem, id, vs(1, 45), purgeSnaps)
		st := &failingDeletes{Storage: mem}
		st.left.Store(n)
		_, err := Purge(ctx, st, id, 12)
		for v := int64(34); v <= 45; v++ {
			if _, err := PlanRestore(ctx, mem, id, v); err != nil {
				t.Fatalf("interrupted after %d deletes: version %d: %v", n, v, err)
			}
		}
		// A later Purge finishes the job: nothing is left orphaned.
		if _, err := Purge(ctx, mem, id, 12); err != nil {
			t.Fatal(err)
		}
		names, _ := mem.List(ctx, id.Path(SSTDir))
		if !reflect.DeepEqual(names, []string{"c.sst", "d.sst", "e.sst"}) {
			t.Fatalf("interrupted after %d deletes: data files left: %v", n, names)
		}
		if err == nil {
			return
		}
		if !errors.Is(err, errInjected) {
			t.Fatal(err)
		}
	}
}

func TestPurgeCorruptManifests(t *testing.T) {
	ctx := context.Background()
	id := StoreID{Operator: "0", Partition: 0}
	st := checkpoint.NewMem()
	fakeStore(t, st, id, vs(1, 45), purgeSnaps)
	// A kept manifest that cannot be read stops Purge before any delete.
	st.Write(ctx, id.Path(ManifestName(40)), []byte("garbage"))
	_, err := Purge(ctx, st, id, 12)
	wantCorruption(t, err, id.Path(ManifestName(40)), "kept manifest")
	if names, _ := st.List(ctx, id.Dir()); len(ParseListing(names).Changelogs) != 45 {
		t.Fatal("Purge deleted files before failing")
	}
	// A dropped one is deleted; the files only it lists stay.
	fakeStore(t, st, id, nil, map[int64][]string{40: purgeSnaps[40]})
	st.Write(ctx, id.Path(ManifestName(10)), []byte("garbage"))
	stats, err := Purge(ctx, st, id, 12)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Unreadable != 1 || stats.Manifests != 2 || stats.Files != 1 {
		t.Fatalf("stats %+v", stats)
	}
}
