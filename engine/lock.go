package engine

import (
	"fmt"
	"sync"

	"github.com/sluicestream/sluice/checkpoint"
)

// active holds the ids of the queries running in this process, as Spark's
// StreamingQueryManager does: two runs of one query would write the same
// logs and state.
var active = struct {
	sync.Mutex
	ids map[string]bool
}{ids: map[string]bool{}}

// lock claims the checkpoint of query id for this run: in this process by
// the query id, and across processes where the storage can lock (a local
// directory: an advisory lock the OS drops when the process dies, so a
// killed query never leaves it held). Object storage has no such lock; a
// second process on an s3:// checkpoint is the user's to prevent.
func lock(st checkpoint.Storage, id string) (func(), error) {
	active.Lock()
	defer active.Unlock()
	if active.ids[id] {
		return nil, fmt.Errorf("engine: cannot start query %s: a run of it is already active in this process on the same checkpoint", id)
	}
	release := func() {}
	if l, ok := st.(interface{ Lock() (func() error, error) }); ok {
		unlock, err := l.Lock()
		if err != nil {
			return nil, fmt.Errorf("engine: cannot start query %s: %w", id, err)
		}
		release = func() { _ = unlock() }
	}
	active.ids[id] = true
	return func() {
		release()
		active.Lock()
		delete(active.ids, id)
		active.Unlock()
	}, nil
}
