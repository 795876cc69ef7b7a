package rocksdb

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/linxGnu/grocksdb"

	"github.com/sluicestream/sluice/checkpoint"
)

// TestBatchEncoding checks that RocksDB parses the write batches encoded in
// Go as what was meant.
func TestBatchEncoding(t *testing.T) {
	var b batch
	long := bytes.Repeat([]byte("x"), 300) // a two-byte varint length
	b.put(spaceData, []byte("k1"), []byte("hdr"), []byte("v1"))
	b.del(spaceData, []byte("k2"))
	b.putRaw(long, long)
	b.delRaw([]byte{})
	b.delRange([]byte{spaceTTL}, []byte{spaceTTL + 1})
	binaryCount := b.len()
	if binaryCount != 5 {
		t.Fatalf("len = %d, want 5", binaryCount)
	}
	rep := slices.Clone(b.buf)
	rep[8] = byte(b.count) // what write fills in
	wb := grocksdb.WriteBatchFrom(rep)
	defer wb.Destroy()
	type rec struct {
		typ        grocksdb.WriteBatchRecordType
		key, value string
	}
	want := []rec{
		{grocksdb.WriteBatchValueRecord, "\x01k1", "hdrv1"},
		{grocksdb.WriteBatchDeletionRecord, "\x01k2", ""},
		{grocksdb.WriteBatchValueRecord, string(long), string(long)},
		{grocksdb.WriteBatchDeletionRecord, "", ""},
		{grocksdb.WriteBatchRangeDeletion, "\x02", "\x03"},
	}
	var got []rec
	it := wb.NewIterator()
	for it.Next() {
		r := it.Record()
		got = append(got, rec{r.Type, string(r.Key), string(r.Value)})
	}
	if err := it.Error(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("RocksDB parsed\n%q\nwant\n%q", got, want)
	}
}

func TestUploadNames(t *testing.T) {
	name := sstUploadName("000012.sst", 0xdeadbeef)
	if name != "SSTs/000012-00000000deadbeef.sst" {
		t.Fatalf("sstUploadName = %s", name)
	}
	local, sum, isSST, err := localName("m", name)
	if err != nil || local != "000012.sst" || sum != 0xdeadbeef || !isSST {
		t.Fatalf("localName(%s) = %s, %x, %v, %v", name, local, sum, isSST, err)
	}
	for _, f := range []string{"CURRENT", "MANIFEST-000005", "OPTIONS-000007"} {
		name := metaUploadName(20, newToken(), f)
		local, _, isSST, err := localName("m", name)
		if err != nil || local != f || isSST {
			t.Fatalf("localName(%s) = %s, %v, %v", name, local, isSST, err)
		}
	}
	for _, bad := range []string{
		"000012-00000000deadbeef.sst",       // not in SSTs/
		"SSTs/000012.sst",                   // no hash
		"SSTs/00x012-00000000deadbeef.sst",  // not a number
		"SSTs/000012-deadbeef.sst",          // short hash
		"SSTs/20-0123456789abcdef-LOCK",     // not a file a restore needs
		"SSTs/20-0123-CURRENT",              // short token
		"SSTs/x-0123456789abcdef-CURRENT",   // not a version
		"other/20-0123456789abcdef-CURRENT", // not in SSTs/
	} {
		_, _, _, err := localName("state/agg/1/20.manifest", bad)
		var ce *checkpoint.CorruptionError
		if !errors.As(err, &ce) || ce.Path != "state/agg/1/20.manifest" {
			t.Errorf("localName(%q) = %v, want a CorruptionError naming the manifest", bad, err)
		}
	}
}

func TestOverlayKeys(t *testing.T) {
	o := newOverlay()
	for _, k := range []string{"b", "a", "d"} {
		o.set([]byte(k), update{})
	}
	first := o.keys()
	o.set([]byte("c"), update{})
	o.set([]byte("a"), update{del: true}) // not a new key
	o.set([]byte("ab"), update{})
	if got := o.keys(); !slices.Equal(got, []string{"a", "ab", "b", "c", "d"}) {
		t.Fatalf("keys = %q", got)
	}
	if !slices.Equal(first, []string{"a", "b", "d"}) {
		t.Fatalf("an earlier keys() result changed: %q", first)
	}
	if got := o.prefixKeys([]byte("a")); !slices.Equal(got, []string{"a", "ab"}) {
		t.Fatalf("prefixKeys(a) = %q", got)
	}
	if got := o.prefixKeys(nil); len(got) != 5 {
		t.Fatalf("prefixKeys(nil) = %q", got)
	}
	if got := o.prefixKeys([]byte("z")); len(got) != 0 {
		t.Fatalf("prefixKeys(z) = %q", got)
	}
}
