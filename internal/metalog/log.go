package metalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
)

// DefaultMinBatchesToRetain is how many of the newest entries Purge keeps
// unless told otherwise: Spark's spark.sql.streaming.minBatchesToRetain
// default, so a checkpoint keeps as much history as Spark's would.
const DefaultMinBatchesToRetain = 100

// Log is a log of one file per batch id in one directory of a Storage.
type Log struct {
	st      checkpoint.Storage
	dir     string
	version int
}

// New returns the log in directory dir of st (e.g. "offsets"). It writes
// entries with version line v<version> and reads versions up to version.
//
// REQUIRES: dir is a valid checkpoint path without a trailing slash;
// version >= 1.
func New(st checkpoint.Storage, dir string, version int) *Log {
	if version < 1 {
		panic(fmt.Sprintf("metalog.New(%q): version %d < 1", dir, version))
	}
	return &Log{st: st, dir: dir, version: version}
}

// Dir returns the log's directory.
func (l *Log) Dir() string { return l.dir }

// Path returns the path of batch id's entry, e.g. "offsets/7".
func (l *Log) Path(id batch.ID) string {
	return l.dir + "/" + strconv.FormatInt(int64(id), 10)
}

// Add writes the entry of batch id: the version line, then body. If the
// entry exists it returns *AlreadyLoggedError and leaves the file unchanged;
// of concurrent Adds of one id exactly one succeeds.
func (l *Log) Add(ctx context.Context, id batch.ID, body []byte) error {
	if id < 0 {
		return fmt.Errorf("add %s/%d: negative batch id", l.dir, id)
	}
	path := l.Path(id)
	err := l.st.Create(ctx, path, Format(l.version, body))
	if errors.Is(err, checkpoint.ErrExist) {
		return &AlreadyLoggedError{Path: path, ID: id, Err: err}
	}
	return err
}

// Get reads and splits the entry of batch id. A missing entry is an error
// wrapping checkpoint.ErrNotExist; a malformed one a
// *checkpoint.CorruptionError (see ParseRecord).
func (l *Log) Get(ctx context.Context, id batch.ID) (Record, error) {
	path := l.Path(id)
	data, err := l.st.Read(ctx, path)
	if err != nil {
		return Record{}, err
	}
	return ParseRecord(path, data, l.version)
}

// List returns the ids of the entries present, ascending. Names that are not
// entries (see the package doc) are skipped.
func (l *Log) List(ctx context.Context) ([]batch.ID, error) {
	names, err := l.st.List(ctx, l.dir)
	if err != nil {
		return nil, err
	}
	ids := make([]batch.ID, 0, len(names))
	for _, name := range names {
		if id, ok := ParseID(name); ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids) // List sorts bytewise: "10" before "9"
	return ids, nil
}

// Latest returns the highest id present, or ErrEmpty.
func (l *Log) Latest(ctx context.Context) (batch.ID, error) {
	ids, err := l.List(ctx)
	if err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, fmt.Errorf("%s: %w", l.dir, ErrEmpty)
	}
	return ids[len(ids)-1], nil
}

// ListDense is List, then CheckDense.
func (l *Log) ListDense(ctx context.Context) ([]batch.ID, error) {
	ids, err := l.List(ctx)
	if err != nil {
		return nil, err
	}
	return ids, CheckDense(l.dir, ids)
}

// Purge deletes all but the keepNewest entries with the highest ids, oldest
// first, so that a purge cut short leaves the log without gaps. Spark keeps
// spark.sql.streaming.minBatchesToRetain (DefaultMinBatchesToRetain).
func (l *Log) Purge(ctx context.Context, keepNewest int) error {
	if keepNewest < 1 {
		return fmt.Errorf("purge %s: keepNewest %d < 1 would delete the latest entry", l.dir, keepNewest)
	}
	ids, err := l.List(ctx)
	if err != nil {
		return err
	}
	if len(ids) <= keepNewest {
		return nil
	}
	return l.deleteAll(ctx, ids[:len(ids)-keepNewest])
}

// PurgeBefore deletes the entries with ids below threshold, oldest first.
// It is Spark's HDFSMetadataLog.purge: the engine purges offsets and commits
// below one threshold so the two logs keep the same batches.
func (l *Log) PurgeBefore(ctx context.Context, threshold batch.ID) error {
	ids, err := l.List(ctx)
	if err != nil {
		return err
	}
	n, _ := slices.BinarySearch(ids, threshold)
	return l.deleteAll(ctx, ids[:n])
}

func (l *Log) deleteAll(ctx context.Context, ids []batch.ID) error {
	for _, id := range ids {
		if err := l.st.Delete(ctx, l.Path(id)); err != nil {
			return err
		}
	}
	return nil
}

// ParseID returns the batch id a file name stands for, if it is an entry's
// name: decimal digits, no sign, no leading zero (except "0"), in range.
func ParseID(name string) (batch.ID, bool) {
	if name == "" || len(name) > 1 && name[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(name); i++ {
		if name[i] < '0' || name[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(name, 10, 64)
	if err != nil {
		return 0, false
	}
	return batch.ID(n), true
}
