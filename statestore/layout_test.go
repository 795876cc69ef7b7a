package statestore

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
)

func TestNames(t *testing.T) {
	id := StoreID{Operator: "agg", Partition: 3}
	if got := id.Path(ChangelogName(12)); got != "state/agg/3/12.changelog" {
		t.Fatal(got)
	}
	if got := id.Path(ManifestName(20)); got != "state/agg/3/20.manifest" {
		t.Fatal(got)
	}
}

func TestParseListing(t *testing.T) {
	l := ParseListing([]string{
		"1.changelog", "10.changelog", "10.manifest", "2.changelog", SSTDir + "/",
		"0.changelog", "007.changelog", "-1.manifest", "x.changelog", "3.changelog.tmp", ".3.changelog.tmp-0123456789abcdef", "5.snapshot",
	})
	want := Listing{Changelogs: []int64{1, 2, 10}, Manifests: []int64{10}}
	if !reflect.DeepEqual(l, want) {
		t.Fatalf("got %+v, want %+v", l, want)
	}
	if l.Latest() != 10 || (Listing{}).Latest() != 0 || (Listing{Manifests: []int64{4}}).Latest() != 4 {
		t.Fatal("Latest")
	}
}

func vs(from, to int64) []int64 {
	var out []int64
	for v := from; v <= to; v++ {
		out = append(out, v)
	}
	return out
}

func TestPlanRestoreDecision(t *testing.T) {
	id := StoreID{Operator: "0", Partition: 1}
	for _, tc := range []struct {
		name    string
		l       Listing
		version int64
		snap    int64
		logs    []int64
		missing string // the path the error names, "" for none
	}{
		{"changelogs only", Listing{Changelogs: vs(1, 5)}, 5, 0, vs(1, 5), ""},
		{"below the newest", Listing{Changelogs: vs(1, 5)}, 3, 0, vs(1, 3), ""},
		{"snapshot then changelogs", Listing{Changelogs: vs(1, 15), Manifests: []int64{10}}, 15, 10, vs(11, 15), ""},
		{"exactly a snapshot", Listing{Changelogs: vs(1, 15), Manifests: []int64{10}}, 10, 10, []int64{}, ""},
		{"newest snapshot at or below", Listing{Changelogs: vs(1, 25), Manifests: []int64{10, 20}}, 19, 10, vs(11, 19), ""},
		{"a future snapshot is ignored", Listing{Changelogs: vs(1, 25), Manifests: []int64{10, 20}}, 9, 0, vs(1, 9), ""},
		{"purged history", Listing{Changelogs: vs(11, 25), Manifests: []int64{10, 20}}, 22, 20, vs(21, 22), ""},
		{"changelogs after the snapshot suffice", Listing{Changelogs: vs(11, 12), Manifests: []int64{10}}, 12, 10, vs(11, 12), ""},
		{"missing in the middle", Listing{Changelogs: []int64{1, 2, 4}}, 4, 0, nil, "state/0/1/3.changelog"},
		{"missing at the end", Listing{Changelogs: vs(1, 3)}, 4, 0, nil, "state/0/1/4.changelog"},
		{"empty storage", Listing{}, 2, 0, nil, "state/0/1/1.changelog"},
		{"purged too far", Listing{Changelogs: vs(11, 25), Manifests: []int64{10, 20}}, 9, 0, nil, "state/0/1/1.changelog"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap, logs, err := planRestore(id, tc.l, tc.version)
			if tc.missing != "" {
				if !errors.Is(err, ErrNotRestorable) || !strings.Contains(err.Error(), tc.missing+" is missing") {
					t.Fatalf("got %v, want ErrNotRestorable naming %s", err, tc.missing)
				}
				return
			}
			if err != nil || snap != tc.snap || !reflect.DeepEqual(logs, tc.logs) {
				t.Fatalf("got snapshot %d, changelogs %v, %v; want %d, %v", snap, logs, err, tc.snap, tc.logs)
			}
		})
	}
}

// fakeStore writes a store's checkpoint files into st: a changelog for
// every version in logs, and for every version in snaps a manifest listing
// the given files, which are written too.
func fakeStore(t testing.TB, st checkpoint.Storage, id StoreID, logs []int64, snaps map[int64][]string) {
	t.Helper()
	ctx := context.Background()
	for _, v := range logs {
		data := writeChangelog(t, v, []clEntry{{Key: []byte(fmt.Sprint(v)), Value: []byte("x")}})
		if _, err := PutFile(ctx, st, id.Path(ChangelogName(v)), data, nil); err != nil {
			t.Fatal(err)
		}
	}
	for v, files := range snaps {
		m := &Manifest{Version: v, SnapshotVersion: v}
		for _, name := range files {
			fi, err := PutFile(ctx, st, id.Path(name), []byte(name), nil)
			if err != nil {
				t.Fatal(err)
			}
			fi.Name = name
			m.Files = append(m.Files, fi)
		}
		if err := st.Write(ctx, id.Path(ManifestName(v)), EncodeManifest(m)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPlanRestoreStorage(t *testing.T) {
	ctx := context.Background()
	id := StoreID{Operator: "agg", Partition: 2}
	st := checkpoint.NewMem()
	fakeStore(t, st, id, vs(1, 23), map[int64][]string{
		10: {"SSTs/1.sst", "SSTs/2.sst"},
		20: {"SSTs/2.sst", "SSTs/3.sst"},
	})
	plan, err := PlanRestore(ctx, st, id, 23)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Snapshot == nil || plan.Snapshot.Version != 20 || len(plan.Snapshot.Files) != 2 || !reflect.DeepEqual(plan.Changelogs, vs(21, 23)) {
		t.Fatalf("plan %+v", plan)
	}
	if plan, err := PlanRestore(ctx, st, id, 0); err != nil || plan.Snapshot != nil || len(plan.Changelogs) != 0 {
		t.Fatalf("version 0: %+v, %v", plan, err)
	}
	if _, err := PlanRestore(ctx, st, id, -1); err == nil {
		t.Fatal("negative version accepted")
	}
	if _, err := PlanRestore(ctx, st, id, 24); !errors.Is(err, ErrNotRestorable) {
		t.Fatalf("version 24: %v", err)
	}
	// A snapshot's data file missing.
	st.Delete(ctx, id.Path("SSTs/3.sst"))
	if _, err := PlanRestore(ctx, st, id, 21); !errors.Is(err, ErrNotRestorable) || !strings.Contains(err.Error(), "state/agg/2/SSTs/3.sst") {
		t.Fatalf("missing data file: %v", err)
	}
	// A garbled manifest.
	st.Write(ctx, id.Path(ManifestName(10)), []byte("v1\n{}\ncrc32c:00000000\n"))
	_, err = PlanRestore(ctx, st, id, 12)
	wantCorruption(t, err, "state/agg/2/10.manifest", "garbled manifest")
	// A manifest stored under another version.
	st.Write(ctx, id.Path(ManifestName(10)), EncodeManifest(&Manifest{Version: 11, SnapshotVersion: 11}))
	_, err = PlanRestore(ctx, st, id, 12)
	wantCorruption(t, err, "state/agg/2/10.manifest", "misplaced manifest")
}
