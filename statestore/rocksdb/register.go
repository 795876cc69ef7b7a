package rocksdb

import (
	"context"
	"fmt"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// Name is the provider's registered name, the default state store of a
// stateful streaming query.
const Name = "rocksdb"

func init() {
	statestore.RegisterProvider(Name, func(_ context.Context, dir string, st checkpoint.Storage, opts map[string]string) (statestore.Provider, error) {
		for k := range opts {
			return nil, fmt.Errorf("rocksdb state store: unknown option %q", k)
		}
		return New(Options{LocalDir: dir, Storage: st})
	})
}
