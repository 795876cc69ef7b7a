package checkpoint_test

import (
	"context"
	"errors"
	"io"
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

// TestOpenReaderHonoursContext: Mem's and Local's readers stop once the
// context of Open is done (the suite does not require it of every Storage).
func TestOpenReaderHonoursContext(t *testing.T) {
	local, err := checkpoint.OpenLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]checkpoint.Storage{"Mem": checkpoint.NewMem(), "Local": local} {
		t.Run(name, func(t *testing.T) {
			if err := st.Write(t.Context(), "f", make([]byte, 1<<16)); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			rc, err := st.Open(ctx, "f")
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			if _, err := rc.Read(make([]byte, 100)); err != nil {
				t.Fatal(err)
			}
			cancel()
			if _, err := io.ReadAll(rc); !errors.Is(err, context.Canceled) {
				t.Errorf("read after cancel: %v, want context.Canceled", err)
			}
		})
	}
}
