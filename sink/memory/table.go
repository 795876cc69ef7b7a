package memory

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/batch"
)

// ErrInUse: the table is held by an open Sink (New of a taken name, Drop
// of a table whose sink is open).
var ErrInUse = errors.New("memory table is in use by an open sink")

// registry holds the tables by name.
var registry = struct {
	mu     sync.Mutex
	tables map[string]*table
}{tables: map[string]*table{}}

// table is the output of one query.
type table struct {
	inUse bool // an open Sink holds it; guarded by registry.mu

	mu     sync.RWMutex
	schema *arrow.Schema // nil until the first batch
	recs   []arrow.RecordBatch
	last   batch.ID // the last batch applied; -1 before the first
}

// acquire returns the table called name for a new sink, creating it if
// needed.
func acquire(name string) (*table, error) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	t := registry.tables[name]
	if t == nil {
		t = &table{last: -1}
		registry.tables[name] = t
	}
	if t.inUse {
		return nil, fmt.Errorf("memory sink %q: %w", name, ErrInUse)
	}
	t.inUse = true
	return t, nil
}

// release gives the table back when its sink closes.
func (t *table) release() {
	registry.mu.Lock()
	t.inUse = false
	registry.mu.Unlock()
}

// Table returns the schema and records of the table called name, and
// whether it exists. Each record is retained for the caller, who releases
// it. The schema is nil if no batch has been written yet.
func Table(name string) (*arrow.Schema, []arrow.RecordBatch, bool) {
	registry.mu.Lock()
	t := registry.tables[name]
	registry.mu.Unlock()
	if t == nil {
		return nil, nil, false
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	recs := slices.Clone(t.recs)
	for _, r := range recs {
		r.Retain()
	}
	return t.schema, recs, true
}

// LastBatch returns the id of the last batch the table called name applied,
// or -1 and false if there is no such table or it has none.
func LastBatch(name string) (batch.ID, bool) {
	registry.mu.Lock()
	t := registry.tables[name]
	registry.mu.Unlock()
	if t == nil {
		return -1, false
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.last, t.last >= 0
}

// Drop removes the table called name and releases its records (records
// returned by Table stay valid). Dropping a missing table is not an error;
// dropping one whose sink is still open is ErrInUse.
func Drop(name string) error {
	registry.mu.Lock()
	t := registry.tables[name]
	if t != nil && t.inUse {
		registry.mu.Unlock()
		return fmt.Errorf("drop memory table %q: %w", name, ErrInUse)
	}
	delete(registry.tables, name)
	registry.mu.Unlock()
	if t != nil {
		t.mu.Lock()
		batch.Release(t.recs)
		t.recs, t.schema = nil, nil
		t.mu.Unlock()
	}
	return nil
}

// apply adds (or, if replace, substitutes) the records of batch id, taking
// ownership of them. If id was applied already it releases them and does
// nothing else.
func (t *table) apply(id batch.ID, schema *arrow.Schema, recs []arrow.RecordBatch, replace bool) error {
	t.mu.Lock()
	if id <= t.last {
		t.mu.Unlock()
		batch.Release(recs)
		return nil
	}
	if t.schema != nil && !t.schema.Equal(schema) {
		t.mu.Unlock()
		batch.Release(recs)
		return fmt.Errorf("batch %d has schema %s, the table has %s", id, schema, t.schema)
	}
	var old []arrow.RecordBatch
	if replace {
		old, t.recs = t.recs, recs
	} else {
		t.recs = append(t.recs, recs...)
	}
	t.schema, t.last = schema, id
	t.mu.Unlock()
	batch.Release(old)
	return nil
}
