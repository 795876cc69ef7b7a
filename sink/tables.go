package sink

import (
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// TableFunc returns the schema and records of the in-memory table called
// name, each record retained for the caller, and whether it exists.
type TableFunc func(name string) (*arrow.Schema, []arrow.RecordBatch, bool)

var tables struct {
	sync.RWMutex
	fn TableFunc
}

// RegisterTables makes a sink's named in-memory tables (the memory sink's)
// readable by the batch API, which sits below the sink implementations and
// cannot import them. The last registration wins.
func RegisterTables(fn TableFunc) {
	tables.Lock()
	tables.fn = fn
	tables.Unlock()
}

// Table reads the in-memory table called name through the registered
// TableFunc; false if there is none or no such table.
func Table(name string) (*arrow.Schema, []arrow.RecordBatch, bool) {
	tables.RLock()
	fn := tables.fn
	tables.RUnlock()
	if fn == nil {
		return nil, nil, false
	}
	return fn(name)
}
