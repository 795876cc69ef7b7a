package rocksdb

import (
	"bytes"
	"context"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// TestReplayRowCount restores version 15 of commitVersion's history (puts
// of new keys, overwrites, deletes) from the snapshot at 10 and the
// changelogs 11-15 on fresh providers: with the row counts the committer
// wrote, without them (as in format 1 changelogs), some with and some
// without, and with wrong ones. Replay sets NumRowsTotal from a changelog's
// row count, reading no key, and counts with a MultiGet only when it has
// none.
func TestReplayRowCount(t *testing.T) {
	st := checkpoint.NewMem()
	p := newTestProvider(t, Options{Storage: st, SnapshotInterval: 10})
	var prev *statestore.Manifest
	for v := int64(1); v <= 15; v++ {
		prev = commitVersion(t, p, st, prev, v)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for v := int64(11); v <= 15; v++ {
		info := rewriteChangelog(t, st, v, -2) // unchanged: a check of what Commit wrote
		if want := int64(len(wantState(v))); !info.HasRows || info.Rows != want || info.Format != 2 {
			t.Fatalf("changelog %d: %+v, want format 2 with %d rows", v, info, want)
		}
	}
	snapshotKeys := restoreKeys(t, st, 10)
	if got := restoreKeys(t, st, 15); got != snapshotKeys {
		t.Fatalf("replaying changelogs with row counts read %d keys, the snapshot alone %d", got, snapshotKeys)
	}

	rewriteChangelog(t, st, 11, -1)
	rewriteChangelog(t, st, 13, -1)
	if got := restoreKeys(t, st, 15); got != snapshotKeys+2*51 {
		t.Fatalf("replaying two changelogs of 51 keys without row counts read %d keys, the snapshot alone %d", got, snapshotKeys)
	}
	for v := int64(11); v <= 15; v++ {
		rewriteChangelog(t, st, v, -1)
	}
	restoreKeys(t, st, 15)

	rewriteChangelog(t, st, 15, 1234)
	q := newTestProvider(t, Options{Storage: st, SnapshotInterval: 10})
	defer q.Close()
	if m := storeMetrics(t, q, testID, 15); m.NumRowsTotal != 1234 {
		t.Fatalf("NumRowsTotal %d, want the changelog's 1234", m.NumRowsTotal)
	}
}

// restoreKeys restores version on a fresh provider, checks it with
// checkVersion and returns the number of keys it read from RocksDB.
func restoreKeys(t *testing.T, st checkpoint.Storage, version int64) int64 {
	t.Helper()
	p := newTestProvider(t, Options{Storage: st, SnapshotInterval: 10})
	defer p.Close()
	checkVersion(t, p, version)
	return crossingsOf(p, testID).keys
}

// rewriteChangelog re-encodes the stored changelog of version v with the
// row count rows: none if -1, the one it has if -2. It returns what the
// changelog said before.
func rewriteChangelog(t testing.TB, st checkpoint.Storage, v, rows int64) statestore.ChangelogInfo {
	t.Helper()
	ctx := context.Background()
	path := testID.Path(statestore.ChangelogName(v))
	data, err := statestore.GetFile(ctx, st, path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := statestore.NewChangelogWriter(&buf, v)
	info, err := statestore.ReadChangelog(path, bytes.NewReader(data), v, func(key, value []byte, deleted bool) error {
		if deleted {
			return w.Delete(key)
		}
		return w.Put(key, value)
	})
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case rows == -2 && info.HasRows:
		w.SetRows(info.Rows)
	case rows >= 0:
		w.SetRows(rows)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := statestore.PutFile(ctx, st, path, buf.Bytes(), nil); err != nil {
		t.Fatal(err)
	}
	return info
}
