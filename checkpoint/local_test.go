package checkpoint_test

import (
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/checkpoint/storagetest"
	"github.com/sluicestream/sluice/internal/fsutil"
)

func TestLocalConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) checkpoint.Storage {
		st, err := checkpoint.OpenLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

func TestLocalCrashFSConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) checkpoint.Storage {
		st, err := checkpoint.OpenLocalFS(fsutil.NewCrashFS(), "/ck")
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}
