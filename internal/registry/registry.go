// Package registry is the named-factory table behind source.Register and
// sink.Register: components register themselves by name in init(), and a
// pipeline opens them by name. It is safe for concurrent use.
package registry

import (
	"fmt"
	"sort"
	"sync"
)

// Registry maps names to factories of type F.
type Registry[F any] struct {
	kind string // "source" or "sink", for messages

	mu        sync.RWMutex
	factories map[string]F
}

// New returns an empty registry; kind names what it holds in messages.
func New[F any](kind string) *Registry[F] {
	return &Registry[F]{kind: kind, factories: map[string]F{}}
}

// Register adds a factory; it panics on a duplicate name, which is a
// programming error.
func (r *Registry[F]) Register(name string, f F) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.factories[name]; dup {
		panic(fmt.Sprintf("%s %q registered twice", r.kind, name))
	}
	r.factories[name] = f
}

// Lookup returns the factory registered as name, or an error that lists the
// registered names.
func (r *Registry[F]) Lookup(name string) (F, error) {
	r.mu.RLock()
	f, ok := r.factories[name]
	r.mu.RUnlock()
	if !ok {
		var zero F
		return zero, fmt.Errorf("unknown %s %q; registered: %v", r.kind, name, r.Names())
	}
	return f, nil
}

// Names lists the registered names, sorted.
func (r *Registry[F]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.factories))
	for n := range r.factories {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
