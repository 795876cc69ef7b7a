package sluice_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sluicestream/sluice"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
	"github.com/sluicestream/sluice/statestore/rocksdb"

	// The file source and the console sink, registered by name.
	_ "github.com/sluicestream/sluice/sink/console"
	_ "github.com/sluicestream/sluice/source/file"
)

// Example_streamingWordCount counts the words of a directory's text files
// as they arrive, keeping the counts in RocksDB and its progress in a
// checkpoint: the second run takes only the new file and adds its words to
// the counts the first run left.
func Example_streamingWordCount() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	in, ck := filepath.Join(dir, "in"), filepath.Join(dir, "checkpoint")
	os.Mkdir(in, 0o755)
	os.WriteFile(filepath.Join(in, "1.txt"), []byte("To be, or not to be\n"), 0o644)

	s := sluice.NewSession()
	defer s.Close()
	rocks := func(_ context.Context, local string, st checkpoint.Storage) (statestore.Provider, error) {
		return rocksdb.New(rocksdb.Options{LocalDir: local, Storage: st})
	}
	run := func() {
		lines := s.ReadStream().Text(in)
		counts := lines.
			Select(sluice.Explode(sluice.Split(sluice.Lower(sluice.Col("value")), "[^a-z]+")).As("word")).
			Filter(sluice.Col("word").NotEq("")).
			GroupBy("word").Count().
			OrderBy(sluice.Col("count").Desc(), sluice.Col("word"))
		q, err := counts.WriteStream().
			OutputMode("complete").
			Format("console").Option("numRows", "3").
			CheckpointLocation(ck).
			StateStore(rocks).
			Trigger(sluice.AvailableNow()).
			Start(context.Background())
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := q.AwaitTermination(); err != nil {
			fmt.Println(err)
		}
	}
	run()
	os.WriteFile(filepath.Join(in, "2.txt"), []byte("to do is to be\n"), 0o644)
	run()
	// Output:
	// -------------------------------------------
	// Batch: 0
	// -------------------------------------------
	// +----+-----+
	// |word|count|
	// +----+-----+
	// |  be|    2|
	// |  to|    2|
	// | not|    1|
	// +----+-----+
	// only showing top 3 rows
	//
	// -------------------------------------------
	// Batch: 1
	// -------------------------------------------
	// +----+-----+
	// |word|count|
	// +----+-----+
	// |  to|    4|
	// |  be|    3|
	// |  do|    1|
	// +----+-----+
	// only showing top 3 rows
}
