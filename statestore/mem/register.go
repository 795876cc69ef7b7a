package mem

import (
	"context"
	"fmt"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// Name is the provider's registered name.
const Name = "memory"

func init() {
	statestore.RegisterProvider(Name, func(_ context.Context, _ string, st checkpoint.Storage, opts map[string]string) (statestore.Provider, error) {
		for k := range opts {
			return nil, fmt.Errorf("memory state store: unknown option %q", k)
		}
		return New(Options{Storage: st}), nil
	})
}
