package mem_test

import (
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
	"github.com/sluicestream/sluice/statestore/mem"
	"github.com/sluicestream/sluice/statestore/storetest"
)

func newProvider(t *testing.T, c storetest.Config) statestore.Provider {
	return mem.New(mem.Options{Storage: c.Storage, SnapshotInterval: c.SnapshotInterval, Cipher: c.Cipher})
}

func TestConformanceMemStorage(t *testing.T) {
	storetest.Run(t, storetest.Factory{New: newProvider})
}

func TestConformanceLocalStorage(t *testing.T) {
	storetest.Run(t, storetest.Factory{
		New: newProvider,
		Storage: func(t *testing.T) checkpoint.Storage {
			st, err := checkpoint.OpenLocal(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	})
}
