package rocksdb

import (
	"context"
	"testing"
	"time"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// TestUploadWhileNextVersionBusy checks that a version's upload does not
// wait for the instance lock, which the next version's store holds for a
// whole MultiGet or Commit: the upload, and the batch commit that waits for
// it, would last as long as the next batch's state work.
func TestUploadWhileNextVersionBusy(t *testing.T) {
	ctx := context.Background()
	st := checkpoint.NewMem()
	p := newTestProvider(t, Options{Storage: st})
	id := statestore.StoreID{Operator: "agg", Partition: 0}
	s, err := p.Open(ctx, id, 0, statestore.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, []byte("k"), []byte("v"))
	snap, err := s.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Release()
	next, err := p.Open(ctx, id, 1, statestore.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer next.Abort()
	busy := next.(*store)
	if err := busy.lock(); err != nil { // as a MultiGet in progress does
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := snap.Upload(ctx, st, nil)
		done <- err
	}()
	select {
	case err := <-done:
		busy.unlock()
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		busy.unlock()
		<-done
		t.Fatal("the upload of version 1 waited for the lock the store of version 2 held")
	}
	if m := next.Metrics(); m.UploadedBytes == 0 {
		t.Errorf("metrics after the upload: %d bytes uploaded, want the upload's", m.UploadedBytes)
	}
}
