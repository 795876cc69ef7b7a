package rocksdb

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// TestCorruptSST damages one uploaded SST of a sizeable store: a restore
// from storage alone fails with a *checkpoint.CorruptionError naming it.
func TestCorruptSST(t *testing.T) {
	ctx := context.Background()
	st := checkpoint.NewMem()
	p := newTestProvider(t, Options{Storage: st, SnapshotInterval: 1})
	defer p.Close()
	s, err := p.Open(ctx, testID, 0, statestore.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var k, v []byte
	for i := range 50_000 {
		k, v = testKey(k, i), testValue(v, i, 0)
		mustPut(t, s, k, v)
	}
	snap, err := s.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, err := snap.Upload(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	snap.Release()
	var sst statestore.FileInfo
	for _, f := range m.Files {
		if filepath.Ext(f.Name) == ".sst" && f.Size > sst.Size {
			sst = f
		}
	}
	path := testID.Path(sst.Name)
	data, err := st.Read(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x40
	if err := st.Write(ctx, path, data); err != nil {
		t.Fatal(err)
	}
	q := newTestProvider(t, Options{Storage: st})
	defer q.Close()
	_, err = q.Open(ctx, testID, 1, statestore.OpenOptions{})
	var ce *checkpoint.CorruptionError
	if !errors.As(err, &ce) || ce.Path != path {
		t.Fatalf("Open of version 1 with %s damaged: %v; want a *checkpoint.CorruptionError naming it", path, err)
	}
}

// TestUploadAfterFailures: when earlier uploads failed (prev is older than
// the version before), Upload sends the changelogs since prev as well, as
// long as the snapshot keeps them (back to the last snapshot version); a
// gap that spans a snapshot version fails until the next snapshot version.
func TestUploadAfterFailures(t *testing.T) {
	ctx := context.Background()
	st := checkpoint.NewMem()
	p := newTestProvider(t, Options{Storage: st, SnapshotInterval: 5})
	defer p.Close()
	var prev *statestore.Manifest
	snaps := make(map[int64]statestore.Snapshot)
	for v := int64(1); v <= 15; v++ {
		s, err := p.Open(ctx, testID, v-1, statestore.OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		mustPut(t, s, []byte(fmt.Sprint(v)), []byte("x"))
		snap, err := s.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		snaps[v] = snap
		defer snap.Release()
	}
	upload := func(v int64, wantOK bool) {
		t.Helper()
		m, err := snaps[v].Upload(ctx, st, prev)
		if (err == nil) != wantOK {
			t.Fatalf("Upload of version %d after prev %d: %v, want ok %v", v, prev.Version, err, wantOK)
		}
		if err == nil {
			prev = m
		}
	}
	for v := int64(1); v <= 2; v++ {
		upload(v, true)
	}
	upload(4, true) // 3 failed: 3 goes with 4
	q := newTestProvider(t, Options{Storage: st})
	defer q.Close()
	for _, v := range []int64{3, 4} {
		s, err := q.Open(ctx, testID, v, statestore.OpenOptions{})
		if err != nil {
			t.Fatalf("restore of version %d: %v", v, err)
		}
		if m := s.Metrics(); m.NumRowsTotal != v {
			t.Fatalf("version %d restored with %d rows", v, m.NumRowsTotal)
		}
		s.Abort()
	}
	// 5 (a snapshot version) fails: 6-9 cannot be made restorable, 10 can.
	for v := int64(6); v <= 9; v++ {
		upload(v, false)
	}
	upload(10, true)
	upload(11, true)
	s, err := q.Open(ctx, testID, 11, statestore.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abort()
	if m := s.Metrics(); m.NumRowsTotal != 11 {
		t.Fatalf("version 11 restored with %d rows", m.NumRowsTotal)
	}
}
