package rocksdb

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// TestCloseWhileOpen: Provider.Close with a store and an iterator open makes
// them fail with ErrClosed; a snapshot still uploads afterwards.
func TestCloseWhileOpen(t *testing.T) {
	ctx := context.Background()
	st := checkpoint.NewMem()
	p := newTestProvider(t, Options{Storage: st, SnapshotInterval: 1})
	s, err := p.Open(ctx, testID, 0, statestore.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, []byte("a"), []byte("1"))
	snap, err := s.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s, err = p.Open(ctx, testID, 1, statestore.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	it := s.NewIter(nil)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if it.Next() || !errors.Is(it.Err(), ErrClosed) {
		t.Fatalf("iterator after Close: Err %v, want ErrClosed", it.Err())
	}
	if _, _, err := s.Get([]byte("a")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Get after Close: %v, want ErrClosed", err)
	}
	if err := s.Put([]byte("b"), nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Put after Close: %v, want ErrClosed", err)
	}
	if _, err := s.Commit(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("Commit after Close: %v, want ErrClosed", err)
	}
	s.Abort()
	_ = s.Metrics()
	if _, err := p.Open(ctx, testID, 1, statestore.OpenOptions{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Open after Close: %v, want ErrClosed", err)
	}
	m, err := snap.Upload(ctx, st, nil)
	if err != nil || m.SnapshotVersion != 1 {
		t.Fatalf("Upload after Close: %+v, %v", m, err)
	}
	if err := snap.Release(); err != nil {
		t.Fatal(err)
	}
	q := newTestProvider(t, Options{Storage: st})
	defer q.Close()
	s, err = q.Open(ctx, testID, 1, statestore.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abort()
	if v, ok, err := s.Get([]byte("a")); err != nil || !ok || !bytes.Equal(v, []byte("1")) {
		t.Fatalf("Get(a) after restore = %q, %v, %v", v, ok, err)
	}
}

func TestOptions(t *testing.T) {
	for i, c := range []struct {
		o  Options
		ok bool
	}{
		{Options{LocalDir: "x"}, true},
		{Options{}, false},
		{Options{LocalDir: "x", SnapshotInterval: -1}, false},
		{Options{LocalDir: "x", WriteBufferSize: 1000}, false},
		{Options{LocalDir: "x", BlockCacheSize: -1}, false},
		{Options{LocalDir: "x", TargetFileSize: 10}, false},
		{Options{LocalDir: "x", L0CompactionTrigger: -2}, false},
		{Options{LocalDir: "x", BloomBitsPerKey: -1}, true},
	} {
		if err := c.o.withDefaults().validate(); (err == nil) != c.ok {
			t.Errorf("case %d: validate(%+v) = %v, want ok %v", i, c.o, err, c.ok)
		}
	}
	d := Options{LocalDir: "x"}.withDefaults()
	if d.SnapshotInterval != statestore.DefaultSnapshotInterval || d.WriteBufferSize != DefaultWriteBufferSize ||
		d.BlockCacheSize != DefaultBlockCacheSize || d.BloomBitsPerKey != DefaultBloomBitsPerKey {
		t.Fatalf("defaults: %+v", d)
	}
	p, err := New(Options{LocalDir: testDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Open(context.Background(), statestore.StoreID{Operator: "../x"}, 0, statestore.OpenOptions{}); err == nil {
		t.Fatal("Open with operator ../x succeeded")
	}
	if _, err := p.Open(context.Background(), testID, 0, statestore.OpenOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Open(context.Background(), testID, 0, statestore.OpenOptions{}); err == nil {
		t.Fatal("a second Open of an open store succeeded")
	}
	if got := p.storeDir(testID); got != filepath.Join(p.opts.LocalDir, "agg", strconv.Itoa(testID.Partition)) {
		t.Fatalf("storeDir = %s", got)
	}
}
