package mem_test

import (
	"context"
	"errors"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
	"github.com/sluicestream/sluice/statestore/mem"
)

var id = statestore.StoreID{Operator: "op", Partition: 0}

func open(t *testing.T, p *mem.Provider, v int64) statestore.Store {
	t.Helper()
	s, err := p.Open(t.Context(), id, v, statestore.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func commit(t *testing.T, s statestore.Store) statestore.Snapshot {
	t.Helper()
	snap, err := s.Commit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestReturnedValuesAreCopies checks that a caller writing into a value it
// got cannot change the committed data, which snapshots share.
func TestReturnedValuesAreCopies(t *testing.T) {
	p := mem.New(mem.Options{})
	s := open(t, p, 0)
	if err := s.Put([]byte("k"), []byte("value")); err != nil {
		t.Fatal(err)
	}
	commit(t, s)
	s = open(t, p, 1)
	defer s.Abort()
	v, _, _ := s.Get([]byte("k"))
	v[0] = 'X'
	vs, _ := s.MultiGet([][]byte{[]byte("k")})
	if string(vs[0]) != "value" {
		t.Fatalf("MultiGet after writing into Get's result = %q", vs[0])
	}
	vs[0][0] = 'Y'
	it := s.NewIter(nil)
	if !it.Next() || string(it.Value()) != "value" {
		t.Fatalf("scan after writing into results = %q", it.Value())
	}
	it.Value()[0] = 'Z'
	it.Close()
	if v, _, _ := s.Get([]byte("k")); string(v) != "value" {
		t.Fatalf("Get after writing into results = %q", v)
	}
}

func TestUseAfterEnd(t *testing.T) {
	p := mem.New(mem.Options{})
	s := open(t, p, 0)
	commit(t, s)
	for name, err := range map[string]error{
		"Put":    s.Put([]byte("k"), nil),
		"Delete": s.Delete([]byte("k")),
		"Get":    errOf3(s.Get([]byte("k"))),
		"Iter":   s.NewIter(nil).Err(),
		"Commit": errOf(s.Commit(t.Context())),
	} {
		if !errors.Is(err, mem.ErrClosed) {
			t.Errorf("%s after Commit: %v, want ErrClosed", name, err)
		}
	}
	s.Abort() // after Commit: no effect
	s = open(t, p, 1)
	s.Abort()
	if err := s.Put([]byte("k"), nil); !errors.Is(err, mem.ErrClosed) {
		t.Errorf("Put after Abort: %v, want ErrClosed", err)
	}
	s = open(t, p, 1)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Put([]byte("k"), nil); !errors.Is(err, mem.ErrClosed) {
		t.Errorf("Put after the provider closed: %v, want ErrClosed", err)
	}
	if _, err := p.Open(t.Context(), id, 0, statestore.OpenOptions{}); !errors.Is(err, mem.ErrClosed) {
		t.Errorf("Open after Close: %v, want ErrClosed", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func errOf[T any](_ T, err error) error { return err }

func errOf3[T, U any](_ T, _ U, err error) error { return err }

func TestOpenTwice(t *testing.T) {
	p := mem.New(mem.Options{})
	s := open(t, p, 0)
	if _, err := p.Open(t.Context(), id, 0, statestore.OpenOptions{}); err == nil {
		t.Fatal("a second Open of an open store succeeded")
	}
	s.Abort()
	open(t, p, 0).Abort()
}

func TestCommitWithOpenIterator(t *testing.T) {
	p := mem.New(mem.Options{})
	s := open(t, p, 0)
	it := s.NewIter(nil)
	if _, err := s.Commit(t.Context()); err == nil {
		t.Fatal("Commit with an open iterator succeeded")
	}
	it.Close()
	commit(t, s)
}

func TestNoStorage(t *testing.T) {
	p := mem.New(mem.Options{})
	s := open(t, p, 0)
	commit(t, s)
	s = open(t, p, 1)
	commit(t, s)
	if _, err := p.Open(t.Context(), id, 1, statestore.OpenOptions{}); err == nil {
		t.Fatal("Open of a version not held, without storage, succeeded")
	}
	open(t, p, 2).Abort()
	open(t, p, 0).Abort()
}

func TestDefaultSnapshotInterval(t *testing.T) {
	st := checkpoint.NewMem()
	p := mem.New(mem.Options{Storage: st})
	var prev *statestore.Manifest
	for v := range int64(statestore.DefaultSnapshotInterval) {
		snap := commit(t, open(t, p, v))
		m, err := snap.Upload(t.Context(), st, prev)
		if err != nil {
			t.Fatal(err)
		}
		if want := v + 1; (m.SnapshotVersion == want) != (want == statestore.DefaultSnapshotInterval) {
			t.Fatalf("version %d: snapshot version %d with the default interval %d", want, m.SnapshotVersion, statestore.DefaultSnapshotInterval)
		}
		prev = m
	}
}

func TestUploadAfterReleaseAndClose(t *testing.T) {
	st := checkpoint.NewMem()
	p := mem.New(mem.Options{Storage: st})
	snap := commit(t, open(t, p, 0))
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := snap.Upload(context.Background(), st, nil); err != nil {
		t.Fatalf("Upload after the provider closed: %v", err)
	}
	snap.Release()
	if _, err := snap.Upload(context.Background(), st, nil); err == nil {
		t.Fatal("Upload after Release succeeded")
	}
}
