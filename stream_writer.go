package sluice

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/engine"
	"github.com/sluicestream/sluice/internal/metalog"
	"github.com/sluicestream/sluice/sink"
	"github.com/sluicestream/sluice/statestore"
)

// DataStreamWriter starts a streaming query that writes a streaming
// DataFrame's result to a sink, as Spark's df.writeStream. Set the output
// mode, the sink and its options, the trigger and the checkpoint, then
// Start. Setters record the first bad value; Start returns it.
//
// Sinks are found by name in the sink registry (sink.Open): link in the
// package that implements the sink, e.g.
//
//	import _ "github.com/sluicestream/sluice/sink/console" // console
//	import _ "github.com/sluicestream/sluice/sink/memory"  // memory
//	import _ "github.com/sluicestream/sluice/sink/file"    // parquet, csv, json, text
//
// Options go to the sink (console: numRows, truncate; files: path,
// compression, …) except these, which the query reads itself (any case):
//
//	checkpointLocation                 the query's checkpoint: a directory or s3://bucket/prefix
//	sluice.statePartitions             state partitions of a stateful query (fixed for its checkpoint)
//	sluice.syncCheckpoint              "true": wait for batch N's state upload before batch N+1
//	sluice.checkpointTimeout           bound of one state upload attempt ("90s")
//	sluice.tolerableCheckpointFailures failed upload attempts retried before the query fails
//	sluice.minBatchesToRetain          batches of logs and state kept
//	sluice.stateStore.localDir         local directory of the state store (default: a temporary one)
//	sluice.stateStore.provider         registered state store: "rocksdb" (default) or "memory"
//
// Without a checkpoint location a query writing to the console or memory
// sink checkpoints to a temporary directory, removed when it ends (as
// Spark's); any other sink needs one, so that a restart resumes exactly
// once.
type DataStreamWriter struct {
	df         *DataFrame
	mode       sink.OutputMode
	format     string
	opts       map[string]string // as the caller spelled the keys; one per key in any case
	trigger    Trigger
	name       string
	foreach    func(df *DataFrame, batchID int64) error
	listener   StreamingQueryListener
	stateStore StateStoreFactory
	err        error // the first bad setting
}

// StateStoreFactory opens the state store provider of one run of a
// stateful query (a streaming aggregation). localDir is a directory the
// run owns for the stores' local copies; storage is the query's
// checkpoint, which the stores must restore from and upload to. The query
// closes the provider when it ends. Without one, the provider registered
// under the sluice.stateStore.provider option opens (default "rocksdb":
// import _ "github.com/sluicestream/sluice/statestore/rocksdb"). A factory
// sets a provider's own options; with statestore/rocksdb:
//
//	func(ctx context.Context, dir string, st checkpoint.Storage) (statestore.Provider, error) {
//		return rocksdb.New(rocksdb.Options{LocalDir: dir, Storage: st})
//	}
type StateStoreFactory func(ctx context.Context, localDir string, storage checkpoint.Storage) (statestore.Provider, error)

// WriteStream starts writing the streaming DataFrame's result.
func (df *DataFrame) WriteStream() *DataStreamWriter {
	return &DataStreamWriter{df: df, mode: sink.Append, format: defaultSinkFormat, opts: map[string]string{}}
}

// defaultSinkFormat is the sink without Format: Spark's default data source.
const defaultSinkFormat = "parquet"

// OutputMode sets which rows each batch writes: "append" (the default; rows
// that never change), "update" (rows changed by the batch) or "complete"
// (the whole result; needs an aggregation).
func (w *DataStreamWriter) OutputMode(mode string) *DataStreamWriter {
	m, err := sink.ParseOutputMode(mode)
	if err != nil {
		w.fail(fmt.Errorf("write stream: %w", err))
	}
	w.mode = m
	return w
}

// Format sets the sink: console, memory, parquet (the default), csv, json,
// text, or another registered sink.
func (w *DataStreamWriter) Format(name string) *DataStreamWriter {
	w.format = name
	return w
}

// Option sets an option of the sink or of the query (see the type's doc).
// Keys match in any case; a later value replaces an earlier one.
func (w *DataStreamWriter) Option(key, value string) *DataStreamWriter {
	deleteOption(w.opts, key)
	w.opts[key] = value
	return w
}

// Options sets several options.
func (w *DataStreamWriter) Options(opts map[string]string) *DataStreamWriter {
	for k, v := range opts {
		w.Option(k, v)
	}
	return w
}

// CheckpointLocation is Option("checkpointLocation", location).
func (w *DataStreamWriter) CheckpointLocation(location string) *DataStreamWriter {
	return w.Option(optCheckpointLocation, location)
}

// Trigger sets when batches run: ProcessingTime(d) (the default is
// ProcessingTime(0), a batch as soon as data arrives), Once or
// AvailableNow.
func (w *DataStreamWriter) Trigger(t Trigger) *DataStreamWriter {
	w.trigger = t
	return w
}

// QueryName names the query, in its progress and for the memory sink,
// whose table it names (as in Spark). Two active queries of a session may
// not share a name.
func (w *DataStreamWriter) QueryName(name string) *DataStreamWriter {
	w.name = name
	return w
}

// ForeachBatch makes fn the sink: it is called with each batch's output as
// a batch DataFrame (valid during the call only) and the batch id. After a
// restart a batch may be given again with the same id; fn must make that
// harmless (write idempotently by id), as in Spark.
func (w *DataStreamWriter) ForeachBatch(fn func(df *DataFrame, batchID int64) error) *DataStreamWriter {
	if fn == nil {
		w.fail(errors.New("write stream: ForeachBatch: nil function"))
	}
	w.foreach = fn
	return w
}

// Listener makes l hear about the query's start, every batch's progress
// and its end, on the query's goroutine.
func (w *DataStreamWriter) Listener(l StreamingQueryListener) *DataStreamWriter {
	w.listener = l
	return w
}

// StateStore sets how a stateful query keeps its state, instead of the
// provider named by the sluice.stateStore.provider option (RocksDB by
// default); a stateless query ignores it.
func (w *DataStreamWriter) StateStore(f StateStoreFactory) *DataStreamWriter {
	w.stateStore = f
	return w
}

func (w *DataStreamWriter) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// The options the query reads itself.
const (
	optCheckpointLocation = "checkpointLocation"
	optStatePartitions    = "sluice.statePartitions"
	optSyncCheckpoint     = "sluice.syncCheckpoint"
	optCheckpointTimeout  = "sluice.checkpointTimeout"
	optTolerableFailures  = "sluice.tolerableCheckpointFailures"
	optMinBatchesToRetain = "sluice.minBatchesToRetain"
	optStateDir           = "sluice.stateStore.localDir"
	optStateProvider      = "sluice.stateStore.provider"
)

// defaultStateProvider is the state store of a stateful query that names
// none (DESIGN.md §5).
const defaultStateProvider = "rocksdb"

var queryOptionNames = []string{optCheckpointLocation, optStatePartitions, optSyncCheckpoint,
	optCheckpointTimeout, optTolerableFailures, optMinBatchesToRetain, optStateDir, optStateProvider}

// queryConfig is what the writer's options say about the query itself.
type queryConfig struct {
	location string // checkpoint location; "" for a temporary one
	stateDir string // "" for a temporary one
	provider string // registered state store provider; "" for the default
	engine   engine.Options
	sinkOpts map[string]string
}

// config splits the options into the query's, checked, and the sink's.
func (w *DataStreamWriter) config() (queryConfig, error) {
	c := queryConfig{sinkOpts: map[string]string{}}
	for k, v := range w.opts {
		i := slices.IndexFunc(queryOptionNames, func(n string) bool { return strings.EqualFold(n, k) })
		if i < 0 {
			if strings.HasPrefix(strings.ToLower(k), "sluice.") {
				return c, fmt.Errorf("write stream: unknown option %q (known: %s)", k, strings.Join(queryOptionNames, ", "))
			}
			c.sinkOpts[k] = v
			continue
		}
		if err := c.set(queryOptionNames[i], v); err != nil {
			return c, fmt.Errorf("write stream: option %s: %w", queryOptionNames[i], err)
		}
	}
	return c, nil
}

func (c *queryConfig) set(name, v string) error {
	var err error
	switch name {
	case optCheckpointLocation:
		c.location = v
	case optStateDir:
		c.stateDir = v
	case optStateProvider:
		c.provider = v
	case optStatePartitions:
		c.engine.StatePartitions, err = positive(v, 1)
	case optTolerableFailures:
		c.engine.TolerableCheckpointFailures, err = positive(v, 0)
	case optMinBatchesToRetain:
		c.engine.MinBatchesToRetain, err = positive(v, 1)
	case optSyncCheckpoint:
		if c.engine.SyncCheckpoint, err = strconv.ParseBool(v); err != nil {
			err = fmt.Errorf("%q is not true or false", v)
		}
	case optCheckpointTimeout:
		d, perr := time.ParseDuration(v)
		if perr != nil || d <= 0 {
			err = fmt.Errorf("%q is not a positive duration such as \"90s\"", v)
		}
		c.engine.CheckpointTimeout = d
	}
	return err
}

// positive parses an integer of at least least.
func positive(v string, least int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < least {
		return 0, fmt.Errorf("%q is not an integer >= %d", v, least)
	}
	return n, nil
}

// Start checks the query, opens its checkpoint, sources, sink and state
// store, and starts it. ctx bounds Start only: the query runs until Stop,
// the end of a Once or AvailableNow trigger, or an error. A query Spark
// would refuse fails here with an *UnsupportedOperationError.
func (w *DataStreamWriter) Start(ctx context.Context) (*StreamingQuery, error) {
	if w.df.err != nil {
		return nil, w.df.err
	}
	if w.err != nil {
		return nil, w.err
	}
	if err := checkStreaming(w.df.node, w.mode); err != nil {
		return nil, err
	}
	cfg, err := w.config()
	if err != nil {
		return nil, err
	}
	res := &resources{}
	q, err := w.start(ctx, cfg, res)
	if err != nil {
		if rerr := res.release(); rerr != nil {
			err = fmt.Errorf("%w (and releasing what it opened: %v)", err, rerr)
		}
		return nil, err
	}
	return q, nil
}

// start does Start's work; whatever it opens it records in res, for the
// caller to release if it fails.
func (w *DataStreamWriter) start(ctx context.Context, cfg queryConfig, res *resources) (*StreamingQuery, error) {
	if err := w.checkpoint(&cfg, res); err != nil {
		return nil, err
	}
	st, err := checkpoint.Open(ctx, cfg.location)
	if err != nil {
		return nil, fmt.Errorf("write stream: option %s: %w", optCheckpointLocation, err)
	}
	meta, _, err := metalog.LoadOrCreateQueryMetadata(ctx, st)
	if err != nil {
		return nil, fmt.Errorf("write stream: checkpoint %s: %w", cfg.location, err)
	}
	if err := reserve(w.df.s, meta.ID, w.name, res); err != nil {
		return nil, err
	}
	opts := cfg.engine
	opts.Checkpoint, opts.Mode, opts.Trigger, opts.Name = st, w.mode, w.trigger, w.name
	opts.Listener, opts.Mem = w.listener, w.df.s.mem
	if opts.Plan, opts.Sources, opts.ReadLimit, err = bindSources(ctx, w.df.node, cfg.location, res); err != nil {
		return nil, fmt.Errorf("write stream: %w", err)
	}
	if opts.Sink, err = w.openSink(ctx, cfg.sinkOpts); err != nil {
		return nil, fmt.Errorf("write stream: %w", err)
	}
	res.sink = opts.Sink
	if len(streamingAggregates(w.df.node)) > 0 {
		if opts.StateProvider, err = w.openStateStore(ctx, cfg.stateDir, cfg.provider, st, res); err != nil {
			return nil, err
		}
	}
	eq, err := engine.Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	return newStreamingQuery(w.df.s, eq, w.name, res), nil
}

// checkpoint sets cfg.location to a temporary directory if none is given
// and the sink allows it.
func (w *DataStreamWriter) checkpoint(cfg *queryConfig, res *resources) error {
	if cfg.location != "" {
		return nil
	}
	if w.foreach != nil || (w.format != "console" && w.format != "memory") {
		return errors.New(`write stream: checkpointLocation must be specified either through Option("checkpointLocation", ...) or CheckpointLocation(...): ` +
			"only the console and memory sinks run on a temporary checkpoint")
	}
	dir, err := os.MkdirTemp("", "sluice-checkpoint-")
	if err != nil {
		return fmt.Errorf("write stream: temporary checkpoint: %w", err)
	}
	res.tempDirs = append(res.tempDirs, dir)
	cfg.location = dir
	return nil
}

// openSink opens the query's sink.
func (w *DataStreamWriter) openSink(ctx context.Context, opts map[string]string) (sink.Sink, error) {
	if w.foreach != nil {
		return &foreachBatchSink{s: w.df.s, fn: w.foreach}, nil
	}
	if w.format == "memory" {
		if w.name == "" {
			return nil, errors.New("queryName must be specified for memory sink: it names the table")
		}
		opts = withOptions(opts, map[string]string{"queryName": w.name})
	}
	if !slices.Contains(sink.Names(), w.format) {
		return nil, notRegistered("sink", w.format, sink.Names())
	}
	return sink.Open(ctx, w.format, opts)
}

// openStateStore opens the state store of a stateful query in dir, or in a
// temporary directory if dir is "".
func (w *DataStreamWriter) openStateStore(ctx context.Context, dir, provider string, st checkpoint.Storage, res *resources) (statestore.Provider, error) {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "sluice-state-")
		if err != nil {
			return nil, fmt.Errorf("write stream: temporary state directory: %w", err)
		}
		res.tempDirs = append(res.tempDirs, tmp)
		dir = tmp
	}
	var p statestore.Provider
	var err error
	if w.stateStore != nil {
		p, err = w.stateStore(ctx, dir, st)
	} else {
		name := cmp.Or(provider, defaultStateProvider)
		if !slices.Contains(statestore.ProviderNames(), name) {
			return nil, fmt.Errorf("write stream: the query keeps state: %w", notRegistered("state store provider", name, statestore.ProviderNames()))
		}
		p, err = statestore.OpenProvider(ctx, name, dir, st, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("write stream: state store in %s: %w", dir, err)
	}
	res.provider = p
	return p, nil
}
