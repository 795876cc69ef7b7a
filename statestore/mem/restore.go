package mem

import (
	"bytes"
	"context"
	"errors"

	"github.com/sluicestream/sluice/statestore"
)

// restore rebuilds version of store id from the provider's checkpoint
// storage: the newest snapshot at or below it, then the changelogs after
// that snapshot.
func (p *Provider) restore(ctx context.Context, id statestore.StoreID, version int64) (*table, error) {
	st := p.opts.Storage
	if st == nil {
		return nil, errors.New("version not held in memory, and no checkpoint storage to restore from")
	}
	plan, err := statestore.PlanRestore(ctx, st, id, version)
	if err != nil {
		return nil, err
	}
	state := make(map[string]entry)
	if m := plan.Snapshot; m != nil {
		for i := range m.Files {
			fi := m.Files[i]
			if err := p.applyFile(ctx, id.Path(fi.Name), &fi, m.SnapshotVersion, state); err != nil {
				return nil, err
			}
		}
	}
	for _, v := range plan.Changelogs {
		if err := p.applyFile(ctx, id.Path(statestore.ChangelogName(v)), nil, v, state); err != nil {
			return nil, err
		}
	}
	return tableFromMap(state), nil
}

// applyFile reads the changelog or data file of version at path (checked
// against want, if not nil) into state.
func (p *Provider) applyFile(ctx context.Context, path string, want *statestore.FileInfo, version int64, state map[string]entry) error {
	data, err := statestore.GetFile(ctx, p.opts.Storage, path, want, p.opts.Cipher)
	if err != nil {
		return err
	}
	return apply(path, bytes.NewReader(data), version, state)
}
