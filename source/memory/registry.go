package memory

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/sluicestream/sluice/source"
)

// Name is the name the source is registered under.
const Name = "memory"

func init() { source.Register(Name, open) }

var (
	pubMu     sync.Mutex
	published = map[string]*Stream{}
)

// Publish makes s available to the "memory" source factory under name,
// until the returned function is called. A name already published is an
// error.
func Publish(name string, s *Stream) (unpublish func(), err error) {
	if name == "" || s == nil {
		return nil, fmt.Errorf("memory stream: publish needs a name and a stream")
	}
	pubMu.Lock()
	defer pubMu.Unlock()
	if _, dup := published[name]; dup {
		return nil, fmt.Errorf("memory stream: %q is already published", name)
	}
	published[name] = s
	var once sync.Once
	return func() {
		once.Do(func() {
			pubMu.Lock()
			defer pubMu.Unlock()
			delete(published, name)
		})
	}, nil
}

// open is the registered factory: option "name" (required) names a
// published stream.
func open(ctx context.Context, opts map[string]string) (source.Source, error) {
	var name string
	for k, v := range opts {
		if !strings.EqualFold(k, "name") {
			return nil, fmt.Errorf("memory source: unknown option %q (known: name)", k)
		}
		name = v
	}
	if len(opts) > 1 {
		return nil, fmt.Errorf("memory source: option \"name\" given more than once (in different cases)")
	}
	if name == "" {
		return nil, fmt.Errorf("memory source: option \"name\" is required: the name a stream was published under")
	}
	pubMu.Lock()
	defer pubMu.Unlock()
	s := published[name]
	if s == nil {
		return nil, fmt.Errorf("memory source: option \"name\": no stream published as %q (published: %v)", name, publishedNames())
	}
	return s, nil
}

// publishedNames lists the published names, sorted. REQUIRES: pubMu held.
func publishedNames() []string {
	out := make([]string, 0, len(published))
	for n := range published {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
