package engine

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/metalog"
)

// statePartitions returns P for a stateful query: the checkpoint's, from
// its latest offset entry, or Options.StatePartitions (default
// DefaultStatePartitions()) for a new checkpoint. A query asking for another
// P than its checkpoint has is refused: every key would be looked for in
// the wrong store.
func (q *Query) statePartitions(ctx context.Context) (int, error) {
	want := q.opts.StatePartitions
	id, e, err := q.offsets.Latest(ctx)
	switch {
	case errors.Is(err, metalog.ErrEmpty):
		return cmp.Or(want, DefaultStatePartitions()), nil
	case err != nil:
		return 0, fmt.Errorf("engine: %w", err)
	}
	v, ok := e.Metadata.Conf.Get(ConfStatePartitions)
	if !ok {
		return cmp.Or(want, DefaultStatePartitions()), nil // a stateless checkpoint: recover refuses it
	}
	have, err := strconv.Atoi(v)
	if err != nil || have < 1 {
		return 0, fmt.Errorf("engine: %s: %s=%q is not a positive number", q.offsets.Path(id), ConfStatePartitions, v)
	}
	if want != 0 && want != have {
		return 0, fmt.Errorf("engine: %s: the checkpoint has %s=%d, the query asks for %d: the number of state partitions cannot change for a checkpoint (start a new checkpoint to change it)",
			q.offsets.Path(id), ConfStatePartitions, have, want)
	}
	return have, nil
}

// stateSchemaPath is where a stateful operator's key and value schemas are
// kept (Spark keeps its state schema under state/<op>/_metadata/schema).
const stateSchemaPath = "state/" + aggOperator + "/_metadata/schema"

// stateSchemaFile is the JSON of stateSchemaPath.
type stateSchemaFile struct {
	Version     int           `json:"version"`
	Operator    string        `json:"operator"`
	KeySchema   []schemaField `json:"keySchema"`
	ValueSchema []schemaField `json:"valueSchema"`
}

type schemaField struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
}

func schemaFields(s *arrow.Schema) []schemaField {
	out := make([]schemaField, s.NumFields())
	for i, f := range s.Fields() {
		out[i] = schemaField{Name: f.Name, Type: f.Type.String(), Nullable: f.Nullable}
	}
	return out
}

// checkStateSchema writes the aggregation's state schema on the first run
// and refuses a query whose state would not read the checkpoint's: another
// grouping or other aggregates. Names may change (an alias is not state);
// types and their order may not.
func (q *Query) checkStateSchema(ctx context.Context) error {
	want := stateSchemaFile{Version: 1, Operator: "aggregate",
		KeySchema: schemaFields(q.agg.keySchema()), ValueSchema: schemaFields(q.agg.stateSchema)}
	data, err := json.Marshal(want)
	if err != nil {
		return fmt.Errorf("engine: state schema: %w", err)
	}
	have, err := q.opts.Checkpoint.Read(ctx, stateSchemaPath)
	if errors.Is(err, checkpoint.ErrNotExist) {
		err = q.opts.Checkpoint.Create(ctx, stateSchemaPath, data)
		if err == nil || !errors.Is(err, checkpoint.ErrExist) {
			if err != nil {
				return fmt.Errorf("engine: write %s: %w", stateSchemaPath, err)
			}
			return nil
		}
		have, err = q.opts.Checkpoint.Read(ctx, stateSchemaPath) // another run created it first
	}
	if err != nil {
		return fmt.Errorf("engine: read %s: %w", stateSchemaPath, err)
	}
	if bytes.Equal(have, data) {
		return nil
	}
	var got stateSchemaFile
	if err := json.Unmarshal(have, &got); err != nil {
		return &checkpoint.CorruptionError{Path: stateSchemaPath, Offset: -1, Reason: "not a state schema", Err: err}
	}
	if err := sameStateFields("key", got.KeySchema, want.KeySchema); err != nil {
		return fmt.Errorf("engine: %s: %w", stateSchemaPath, err)
	}
	if err := sameStateFields("value", got.ValueSchema, want.ValueSchema); err != nil {
		return fmt.Errorf("engine: %s: %w", stateSchemaPath, err)
	}
	return nil
}

func sameStateFields(what string, have, want []schemaField) error {
	if len(have) != len(want) {
		return fmt.Errorf("the checkpoint's state %s has %d columns %v, this query's %d %v: the query's grouping or aggregates changed; start a new checkpoint",
			what, len(have), have, len(want), want)
	}
	for i := range have {
		if have[i].Type != want[i].Type {
			return fmt.Errorf("the checkpoint's state %s column %d (%s) is %s, this query's (%s) is %s: the query's grouping or aggregates changed; start a new checkpoint",
				what, i, have[i].Name, have[i].Type, want[i].Name, want[i].Type)
		}
	}
	return nil
}
