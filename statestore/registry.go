package statestore

import (
	"context"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/registry"
)

// ProviderFactory opens a provider that keeps its local copies under
// localDir and restores from storage, configured by string options (as a
// YAML pipeline gives them). Unknown or bad options are errors naming the
// option.
type ProviderFactory func(ctx context.Context, localDir string, storage checkpoint.Storage, opts map[string]string) (Provider, error)

var providers = registry.New[ProviderFactory]("state store provider")

// RegisterProvider makes a provider available by name (as Spark's
// spark.sql.streaming.stateStore.providerClass); it panics on a duplicate
// name, which is a programming error.
func RegisterProvider(name string, f ProviderFactory) { providers.Register(name, f) }

// OpenProvider opens the provider registered as name.
func OpenProvider(ctx context.Context, name, localDir string, storage checkpoint.Storage, opts map[string]string) (Provider, error) {
	f, err := providers.Lookup(name)
	if err != nil {
		return nil, err
	}
	return f(ctx, localDir, storage, opts)
}

// ProviderNames lists the registered providers, sorted.
func ProviderNames() []string { return providers.Names() }
