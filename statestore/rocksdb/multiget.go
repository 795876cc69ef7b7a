package rocksdb

/*
#cgo LDFLAGS: -lrocksdb
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rocksdb/c.h"

// sluice_multi_get looks up n keys, packed back to back in keys with
// lengths klens, in one call of RocksDB's batched MultiGet (which sorts the
// keys and reads each data block once for all the keys in it). It packs the
// values found into one malloc'd buffer (*out, *outlen; the caller frees
// it) and sets vlens[i] to the length of value i, or -1 if key i is absent.
// It returns NULL or the first error (malloc'd; the caller frees it).
static char* sluice_multi_get(rocksdb_t* db, const rocksdb_readoptions_t* ro,
		rocksdb_column_family_handle_t* cf, size_t n, const char* keys,
		const size_t* klens, int64_t* vlens, char** out, size_t* outlen) {
	const char** kp = malloc(n * sizeof(char*));
	rocksdb_pinnableslice_t** vals = malloc(n * sizeof(rocksdb_pinnableslice_t*));
	char** errs = malloc(n * sizeof(char*));
	size_t off = 0, total = 0, len, i;
	const char* v;
	char* err = NULL;
	char* buf;
	for (i = 0; i < n; i++) {
		kp[i] = keys + off;
		off += klens[i];
	}
	rocksdb_batched_multi_get_cf(db, ro, cf, n, kp, klens, vals, errs, 0);
	for (i = 0; i < n; i++) {
		if (errs[i] != NULL) {
			if (err == NULL) err = errs[i]; else rocksdb_free(errs[i]);
		}
		if (vals[i] != NULL) {
			rocksdb_pinnableslice_value(vals[i], &len);
			total += len;
		}
	}
	buf = malloc(total > 0 ? total : 1);
	off = 0;
	for (i = 0; i < n; i++) {
		if (vals[i] == NULL) {
			vlens[i] = -1;
			continue;
		}
		v = rocksdb_pinnableslice_value(vals[i], &len);
		memcpy(buf + off, v, len);
		vlens[i] = (int64_t)len;
		off += len;
		rocksdb_pinnableslice_destroy(vals[i]);
	}
	free(kp);
	free(vals);
	free(errs);
	*out = buf;
	*outlen = total;
	return err;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unsafe"

	"github.com/linxGnu/grocksdb"
)

// grocksdb v1.7.15 has no binding of RocksDB's batched MultiGet, and its
// MultiGet crosses cgo about three times per key (it copies every key to C
// memory and frees every value separately). sluice_multi_get above crosses
// once for all keys, plus once to free the packed values. It needs the
// rocksdb_t* and rocksdb_column_family_handle_t* that grocksdb.DB and
// grocksdb.ColumnFamilyHandle keep in their unexported first fields;
// checkLayout makes sure at start-up that the fields are where dbHandle and
// cfHandle look (grocksdb is pinned at v1.7.15, see go.mod).

// dbHandle returns db's rocksdb_t*.
func dbHandle(db *grocksdb.DB) *C.rocksdb_t {
	return *(**C.rocksdb_t)(unsafe.Pointer(db))
}

// cfHandle returns cf's rocksdb_column_family_handle_t*.
func cfHandle(cf *grocksdb.ColumnFamilyHandle) *C.rocksdb_column_family_handle_t {
	return *(**C.rocksdb_column_family_handle_t)(unsafe.Pointer(cf))
}

func init() {
	if err := checkLayout(); err != nil {
		panic(err) // a grocksdb that does not match this package: a broken invariant
	}
}

// checkLayout verifies that grocksdb.DB and grocksdb.ColumnFamilyHandle
// start with their C pointers.
func checkLayout() error {
	for _, c := range []struct {
		t     reflect.Type
		cType string
	}{
		{reflect.TypeFor[grocksdb.DB](), "struct_rocksdb_t"},
		{reflect.TypeFor[grocksdb.ColumnFamilyHandle](), "struct_rocksdb_column_family_handle_t"},
	} {
		f := c.t.Field(0)
		if f.Offset != 0 || f.Type.Kind() != reflect.Pointer || !strings.HasSuffix(f.Type.Elem().Name(), c.cType) {
			return fmt.Errorf("rocksdb: grocksdb.%s's first field is %s %s, not the C pointer: grocksdb changed", c.t.Name(), f.Name, f.Type)
		}
	}
	return nil
}

// readOptions are the C read options of the multi-get path.
type readOptions struct{ c *C.rocksdb_readoptions_t }

func newReadOptions() readOptions { return readOptions{c: C.rocksdb_readoptions_create()} }

func (r readOptions) destroy() { C.rocksdb_readoptions_destroy(r.c) }

// multiGetter looks keys up in a store's RocksDB instance. The values it
// returns share one buffer, valid until its next call.
type multiGetter struct {
	keys  []byte // RocksDB keys, back to back
	klens []C.size_t
	vlens []int64
	arena []byte   // values, back to back
	out   [][]byte // per key: its stored value, or nil
}

// get looks up one user key, returning its stored value.
func (g *multiGetter) get(in *instance, key []byte) ([]byte, bool, error) {
	g.keys = dataKey(g.keys[:0], key)
	g.klens = append(g.klens[:0], C.size_t(len(g.keys)))
	if err := g.run(in); err != nil {
		return nil, false, err
	}
	return g.out[0], g.out[0] != nil, nil
}

// getMany looks up the user keys at idx of keys, returning their stored
// values (nil: absent) in idx order.
func (g *multiGetter) getMany(in *instance, keys [][]byte, idx []int) ([][]byte, error) {
	g.keys, g.klens = g.keys[:0], g.klens[:0]
	for _, i := range idx {
		g.keys = dataKey(g.keys, keys[i])
		g.klens = append(g.klens, C.size_t(1+len(keys[i])))
	}
	if err := g.run(in); err != nil {
		return nil, err
	}
	return g.out, nil
}

// getRaw looks up RocksDB keys as they are (not user keys).
func (g *multiGetter) getRaw(in *instance, keys [][]byte) ([][]byte, error) {
	g.keys, g.klens = g.keys[:0], g.klens[:0]
	for _, k := range keys {
		g.keys = append(g.keys, k...)
		g.klens = append(g.klens, C.size_t(len(k)))
	}
	if err := g.run(in); err != nil {
		return nil, err
	}
	return g.out, nil
}

// run looks up the keys packed in g.keys and g.klens.
func (g *multiGetter) run(in *instance) error {
	n := len(g.klens)
	g.out = g.out[:0]
	if n == 0 {
		return nil
	}
	in.stats.multiGets.Add(1)
	in.stats.keysFetched.Add(int64(n))
	if cap(g.vlens) < n {
		g.vlens = make([]int64, n)
	}
	g.vlens = g.vlens[:n]
	var keys *C.char
	if len(g.keys) > 0 {
		keys = (*C.char)(unsafe.Pointer(&g.keys[0]))
	}
	var out *C.char
	var outLen C.size_t
	cerr := C.sluice_multi_get(dbHandle(in.db), in.p.ro.c, cfHandle(in.cf), C.size_t(n), keys,
		&g.klens[0], (*C.int64_t)(unsafe.Pointer(&g.vlens[0])), &out, &outLen)
	defer C.free(unsafe.Pointer(out))
	if cerr != nil {
		msg := C.GoString(cerr)
		C.free(unsafe.Pointer(cerr))
		return errors.New(msg)
	}
	if cap(g.arena) < int(outLen) || g.arena == nil {
		g.arena = make([]byte, max(int(outLen), 64))
	}
	g.arena = g.arena[:outLen]
	copy(g.arena, unsafe.Slice((*byte)(unsafe.Pointer(out)), int(outLen)))
	off := 0
	for _, l := range g.vlens {
		if l < 0 {
			g.out = append(g.out, nil)
			continue
		}
		g.out = append(g.out, g.arena[off:off+int(l):off+int(l)])
		off += int(l)
	}
	return nil
}

// free drops the buffers.
func (g *multiGetter) free() { *g = multiGetter{} }
