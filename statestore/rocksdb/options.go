package rocksdb

import (
	"errors"
	"fmt"

	"github.com/linxGnu/grocksdb"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// Defaults of Options. They are RocksDB's own where RocksDB's fit a state
// store; the comments say why where they do not.
const (
	// DefaultWriteBufferSize is the memtable size of one store (DESIGN.md §5):
	// a micro-batch's updates fit in one memtable, so a commit does not flush
	// and only snapshots (every SnapshotInterval versions) write SSTs.
	DefaultWriteBufferSize = 64 << 20

	// DefaultBlockCacheSize is the LRU block cache shared by every store of a
	// provider: one bound on cached state, however many partitions a query
	// has (cf. SPARK-43311), rather than a cache per store.
	DefaultBlockCacheSize = 256 << 20

	// DefaultBloomBitsPerKey gives a ~1% false-positive full bloom filter,
	// so a Get of an absent key (a new group) rarely reads a data block.
	DefaultBloomBitsPerKey = 10

	// DefaultTargetFileSize is RocksDB's SST target size. Smaller files make
	// incremental snapshots finer (a compaction rewrites and re-uploads only
	// the files it touches) at the cost of more files.
	DefaultTargetFileSize = 64 << 20

	// DefaultL0CompactionTrigger: compact level 0 into level 1 once it holds
	// this many files; twice RocksDB's 4. Each snapshot flushes one L0 file,
	// and with keys updated at random every L0 file overlaps all of level 1,
	// so each L0 compaction rewrites the store's SSTs and the next snapshot
	// uploads them all again. Compacting half as often halves that cost:
	// BenchmarkSteadyUpload, 1 % of 1 M keys changed per version over 160
	// versions, uploads 3.1 % of a full snapshot per version at 4 and
	// 2.4 % at 8 (1.5 % of it changelogs and flushes). Reads pay a bloom-filter probe per extra
	// L0 file (its filter and index pinned in the block cache); RocksDB
	// slows writes only at 20 files.
	DefaultL0CompactionTrigger = 8

	// DefaultCacheSize is the write-back cache of one store. At ~150 bytes
	// an entry of a small aggregate (key, value and bookkeeping) it holds
	// about 200 K keys, twenty micro-batches of DESIGN.md §5's 10 K
	// distinct keys, so a store's hot keys stay out of cgo between batches
	// (BenchmarkMultiGet: a cached read-modify-write batch runs about three
	// times as fast as one through RocksDB). With the default 4 state
	// partitions it is 128 MiB, half the block cache. Per store rather than
	// shared, so that evicting (and writing back) is always the business of
	// the store being used, under its own lock.
	DefaultCacheSize = 32 << 20

	// maxOpenFilesPerStore bounds the table files one store keeps open, so
	// that many stores in one process do not run out of descriptors.
	maxOpenFilesPerStore = 256
)

// Options configure a Provider. New copies them, fills in defaults and
// validates them.
type Options struct {
	// LocalDir holds the local copy of every store, one RocksDB instance per
	// store under LocalDir/<operator>/<partition>/. Required.
	LocalDir string
	// Storage is the checkpoint storage stores restore from when the local
	// copy does not hold the version asked for. Nil: only versions held
	// locally (and version 0) can be opened.
	Storage checkpoint.Storage
	// SnapshotInterval: every version that is a multiple of it is uploaded
	// as a snapshot. Zero means statestore.DefaultSnapshotInterval.
	SnapshotInterval int
	// Cipher, if not nil, encrypts the files Upload writes and decrypts the
	// ones a restore reads.
	Cipher *statestore.Cipher

	// WriteBufferSize is the memtable size of one store in bytes. Zero means
	// DefaultWriteBufferSize.
	WriteBufferSize int64
	// BlockCacheSize is the size in bytes of the one LRU block cache shared
	// by every store of the provider. Zero means DefaultBlockCacheSize.
	BlockCacheSize int64
	// BloomBitsPerKey sizes the bloom filter of every SST. Zero means
	// DefaultBloomBitsPerKey; negative means no filter.
	BloomBitsPerKey int
	// TargetFileSize is the target size of SSTs written by compaction. Zero
	// means DefaultTargetFileSize.
	TargetFileSize int64
	// L0CompactionTrigger is the number of level-0 files that starts a
	// compaction into level 1. Zero means DefaultL0CompactionTrigger.
	L0CompactionTrigger int
	// CacheSize is the byte budget of each store's write-back cache of
	// committed entries (see doc.go). Zero means DefaultCacheSize; negative
	// disables the cache, so every commit writes to RocksDB and every read
	// not served by the pending updates goes to RocksDB.
	CacheSize int64
}

// withDefaults returns a copy of o with zero fields defaulted.
func (o Options) withDefaults() Options {
	if o.SnapshotInterval == 0 {
		o.SnapshotInterval = statestore.DefaultSnapshotInterval
	}
	if o.WriteBufferSize == 0 {
		o.WriteBufferSize = DefaultWriteBufferSize
	}
	if o.BlockCacheSize == 0 {
		o.BlockCacheSize = DefaultBlockCacheSize
	}
	if o.BloomBitsPerKey == 0 {
		o.BloomBitsPerKey = DefaultBloomBitsPerKey
	}
	if o.TargetFileSize == 0 {
		o.TargetFileSize = DefaultTargetFileSize
	}
	if o.L0CompactionTrigger == 0 {
		o.L0CompactionTrigger = DefaultL0CompactionTrigger
	}
	if o.CacheSize == 0 {
		o.CacheSize = DefaultCacheSize
	}
	return o
}

// validate reports the first invalid field of defaulted options.
func (o Options) validate() error {
	switch {
	case o.LocalDir == "":
		return errors.New("rocksdb: Options.LocalDir is empty")
	case o.SnapshotInterval < 0:
		return fmt.Errorf("rocksdb: Options.SnapshotInterval %d is negative", o.SnapshotInterval)
	case o.WriteBufferSize < 64<<10:
		return fmt.Errorf("rocksdb: Options.WriteBufferSize %d is below 64 KiB", o.WriteBufferSize)
	case o.BlockCacheSize < 0:
		return fmt.Errorf("rocksdb: Options.BlockCacheSize %d is negative", o.BlockCacheSize)
	case o.TargetFileSize < 64<<10:
		return fmt.Errorf("rocksdb: Options.TargetFileSize %d is below 64 KiB", o.TargetFileSize)
	case o.L0CompactionTrigger < 0:
		return fmt.Errorf("rocksdb: Options.L0CompactionTrigger %d is negative", o.L0CompactionTrigger)
	}
	return nil
}

// dbOptions are the RocksDB objects a provider shares among its stores; they
// are destroyed when the provider closes.
type dbOptions struct {
	cache *grocksdb.Cache
	bbto  *grocksdb.BlockBasedTableOptions
	base  *grocksdb.Options // opts before the string options
	opts  *grocksdb.Options
	read  *grocksdb.ReadOptions
	write *grocksdb.WriteOptions
	flush *grocksdb.FlushOptions
}

// newDBOptions builds the RocksDB options of every store of a provider:
// LZ4 blocks, a bloom filter, one shared block cache, no WAL (a committed
// version is durable through the local changelog and the checkpoint).
func newDBOptions(o Options) *dbOptions {
	d := &dbOptions{cache: grocksdb.NewLRUCache(uint64(o.BlockCacheSize))}
	d.bbto = grocksdb.NewDefaultBlockBasedTableOptions()
	d.bbto.SetBlockCache(d.cache)
	// Index and filter blocks are charged to the shared cache, so memory
	// stays bounded however large the state grows; they are partitioned
	// (two-level), so a lookup loads only the small partitions it needs,
	// with the top level pinned. A whole-file filter in the cache is megabytes
	// per 64 MiB SST: with 10 M keys, evicting and reloading it made random
	// reads 2.4× slower.
	d.bbto.SetCacheIndexAndFilterBlocks(true)
	d.bbto.SetCacheIndexAndFilterBlocksWithHighPriority(true)
	d.bbto.SetPinL0FilterAndIndexBlocksInCache(true)
	d.bbto.SetIndexType(grocksdb.KTwoLevelIndexSearchIndexType)
	d.bbto.SetPartitionFilters(true)
	d.bbto.SetMetadataBlockSize(4096)
	d.bbto.SetPinTopLevelIndexAndFilter(true)
	if o.BloomBitsPerKey > 0 {
		d.bbto.SetFilterPolicy(grocksdb.NewBloomFilterFull(float64(o.BloomBitsPerKey)))
	}
	b := grocksdb.NewDefaultOptions()
	b.SetCreateIfMissing(true)
	b.SetBlockBasedTableFactory(d.bbto)
	b.SetCompression(grocksdb.LZ4Compression)
	b.SetBottommostCompression(grocksdb.LZ4Compression)
	b.SetWriteBufferSize(uint64(o.WriteBufferSize))
	b.SetTargetFileSizeBase(uint64(o.TargetFileSize))
	b.SetMaxBytesForLevelBase(uint64(o.TargetFileSize) * 4)
	b.SetLevel0FileNumCompactionTrigger(o.L0CompactionTrigger)
	b.SetMaxOpenFiles(maxOpenFilesPerStore)
	b.SetInfoLogLevel(grocksdb.WarnInfoLogLevel)
	b.SetKeepLogFileNum(2)
	b.SetMaxLogFileSize(1 << 20)
	// Closing a store's instance does not flush its memtable: most closes
	// are of instances about to be replaced by a restore, and
	// Provider.Close flushes the others first. The C API sets this option
	// only through an options string.
	opts, err := grocksdb.GetOptionsFromString(b, "avoid_flush_during_shutdown=true")
	if err != nil {
		panic(fmt.Sprintf("rocksdb: constant options string rejected: %v", err)) // a broken invariant
	}
	d.base, d.opts = b, opts
	d.read = grocksdb.NewDefaultReadOptions()
	d.write = grocksdb.NewDefaultWriteOptions()
	d.write.DisableWAL(true)
	d.write.SetMemtableInsertHintPerBatch(true) // a commit writes its keys in order
	d.flush = grocksdb.NewDefaultFlushOptions()
	d.flush.SetWait(true)
	return d
}

func (d *dbOptions) destroy() {
	d.flush.Destroy()
	d.write.Destroy()
	d.read.Destroy()
	d.opts.Destroy()
	d.base.Destroy()
	d.bbto.Destroy()
	d.cache.Destroy()
}
