package killtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/engine"
	"github.com/sluicestream/sluice/expr"
	"github.com/sluicestream/sluice/internal/fileformat"
	"github.com/sluicestream/sluice/plan"
	"github.com/sluicestream/sluice/sink"
	sinkfile "github.com/sluicestream/sluice/sink/file"
	"github.com/sluicestream/sluice/source"
	srcfile "github.com/sluicestream/sluice/source/file"
	"github.com/sluicestream/sluice/statestore"
	staterocks "github.com/sluicestream/sluice/statestore/rocksdb"
)

// The environment of a child process.
const (
	childEnv  = "SLUICE_KILLTEST_CHILD"  // "1": run the query, not the tests
	configEnv = "SLUICE_KILLTEST_CONFIG" // the config, as JSON
)

// The queries a child runs.
const (
	queryWordCount = "wordcount" // stateful: word counts, Complete mode, Parquet
	queryWords     = "words"     // stateless: one row per word, Append mode, CSV
)

// The directories of a run directory.
const (
	checkpointDir = "checkpoint"
	outDir        = "out"
	stateDir      = "state"
)

// config is what a child runs.
type config struct {
	Query      string // queryWordCount or queryWords
	Input      string // the directory of text files
	Run        string // the run directory
	Sync       bool   // engine.Options.SyncCheckpoint
	Partitions int    // engine.Options.StatePartitions
	MaxFiles   int    // files per batch (engine.Options.ReadLimit)

	// Pause, PauseAt and PauseMs: at the PauseAt-th call of OnPhase for
	// phase Pause (1-based), the child prints "pause", sleeps PauseMs on
	// that goroutine and prints "resume". No pause if PauseAt is 0.
	Pause   engine.Phase
	PauseAt int
	PauseMs int
}

// isChild reports whether this process is a child.
func isChild() bool { return os.Getenv(childEnv) == "1" }

// childMain runs the query of the config in the environment, reporting on
// stdout, and returns the exit code.
func childMain() int {
	var cfg config
	if err := json.Unmarshal([]byte(os.Getenv(configEnv)), &cfg); err != nil {
		fmt.Fprintf(os.Stderr, "killtest child: %s: %v\n", configEnv, err)
		return 2
	}
	if err := runQuery(context.Background(), cfg, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "killtest child: %v\n", err)
		return 1
	}
	fmt.Fprintln(os.Stdout, "done")
	return 0
}

// reporter writes a line per OnPhase call to w and pauses where the config
// says. OnPhase is called from the query's goroutine and the uploader's.
type reporter struct {
	cfg config
	mu  sync.Mutex
	w   io.Writer // unbuffered: each line is one write
	n   int       // calls for cfg.Pause so far
}

func (r *reporter) onPhase(id batch.ID, p engine.Phase) {
	r.mu.Lock()
	fmt.Fprintf(r.w, "phase %d %s\n", id, p)
	pause := false
	if p == r.cfg.Pause && r.cfg.PauseAt > 0 {
		r.n++
		pause = r.n == r.cfg.PauseAt
	}
	if pause {
		fmt.Fprintf(r.w, "pause %d %s\n", id, p)
	}
	r.mu.Unlock()
	if !pause {
		return
	}
	time.Sleep(time.Duration(r.cfg.PauseMs) * time.Millisecond)
	r.mu.Lock()
	fmt.Fprintf(r.w, "resume %d %s\n", id, p)
	r.mu.Unlock()
}

// runQuery runs the query of cfg with trigger AvailableNow until the input
// is exhausted or ctx is done, writing the OnPhase lines to w.
func runQuery(ctx context.Context, cfg config, w io.Writer) (err error) {
	st, err := checkpoint.OpenLocal(filepath.Join(cfg.Run, checkpointDir))
	if err != nil {
		return err
	}
	src, err := srcfile.New(ctx, srcfile.Options{Storage: st, Dir: "sources/0", Path: cfg.Input, Format: srcfile.Text})
	if err != nil {
		return err
	}
	defer closeInto(&err, src.Close)
	format := fileformat.CSV
	if cfg.Query == queryWordCount {
		format = fileformat.Parquet
	}
	snk, err := sinkfile.New(ctx, sinkfile.Options{Path: filepath.Join(cfg.Run, outDir), Format: format})
	if err != nil {
		return err
	}
	defer closeInto(&err, snk.Close)
	rep := &reporter{cfg: cfg, w: w}
	opts := engine.Options{
		Sources:         map[string]source.Source{"lines": src},
		Sink:            snk,
		Checkpoint:      st,
		Trigger:         engine.AvailableNow(),
		ReadLimit:       source.ReadLimit{MaxFiles: cfg.MaxFiles},
		Name:            "killtest-" + cfg.Query,
		StatePartitions: cfg.Partitions,
		SyncCheckpoint:  cfg.Sync,
		OnPhase:         rep.onPhase,
	}
	table := engine.NewStreamTable("lines", src.Schema())
	switch cfg.Query {
	case queryWordCount:
		opts.Mode = sink.Complete
		if opts.Plan, err = wordCountPlan(table); err != nil {
			return err
		}
		if opts.StateProvider, err = newProvider(cfg, st); err != nil {
			return err
		}
		defer closeInto(&err, opts.StateProvider.Close)
	case queryWords:
		opts.Mode = sink.Append
		if opts.Plan, err = wordsPlan(table); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown query %q", cfg.Query)
	}
	q, err := engine.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer context.AfterFunc(ctx, q.Stop)()
	if err := q.AwaitTermination(); err != nil {
		return err
	}
	return ctx.Err()
}

// snapshotInterval is small so that a run of a few dozen batches restores
// from snapshots and from changelogs after them.
const snapshotInterval = 4

func newProvider(cfg config, st checkpoint.Storage) (statestore.Provider, error) {
	return staterocks.New(staterocks.Options{
		LocalDir:         filepath.Join(cfg.Run, stateDir),
		Storage:          st,
		SnapshotInterval: snapshotInterval,
		WriteBufferSize:  1 << 20,
		BlockCacheSize:   8 << 20,
	})
}

// wordsPlan: SELECT explode(split(value, " ")) AS word FROM lines
func wordsPlan(lines *engine.StreamTable) (plan.Node, error) {
	ex, err := plan.NewExplode(plan.NewScan(lines), expr.Split(expr.Col("value"), " "), "word")
	if err != nil {
		return nil, err
	}
	return plan.NewProject(ex, []expr.Expr{expr.Col("word")})
}

// wordCountPlan: SELECT word, count(*) AS count FROM (wordsPlan) GROUP BY word
func wordCountPlan(lines *engine.StreamTable) (plan.Node, error) {
	words, err := wordsPlan(lines)
	if err != nil {
		return nil, err
	}
	return plan.NewAggregate(words, []expr.Expr{expr.Col("word")}, []expr.Expr{expr.As(expr.CountStar(), "count")})
}

// closeInto calls close and joins its error to *err.
func closeInto(err *error, close func() error) {
	*err = errors.Join(*err, close())
}
