package statestore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
)

func TestPutGetFile(t *testing.T) {
	ctx := context.Background()
	for _, c := range []*Cipher{nil, testCipher(t, 3)} {
		st := checkpoint.NewMem()
		data := randomBytes(1, 2*CipherChunkSize+7)
		fi, err := PutFile(ctx, st, "state/0/1/SSTs/a.sst", data, c)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := st.Read(ctx, "state/0/1/SSTs/a.sst")
		if fi.Name != "state/0/1/SSTs/a.sst" || fi.Size != int64(len(stored)) || fi.CRC32C != crc32cOf(stored) {
			t.Fatalf("FileInfo %+v does not describe the stored bytes", fi)
		}
		if (c == nil) != bytes.Equal(stored, data) {
			t.Fatalf("cipher %v: stored bytes equal to the data: %v", c, bytes.Equal(stored, data))
		}
		for _, want := range []*FileInfo{&fi, nil} {
			got, err := GetFile(ctx, st, fi.Name, want, c)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("GetFile: %v", err)
			}
		}
	}
}

func TestGetFileCorruption(t *testing.T) {
	ctx := context.Background()
	for _, c := range []*Cipher{nil, testCipher(t, 3)} {
		st := checkpoint.NewMem()
		fi, err := PutFile(ctx, st, "f", []byte("some data of a file"), c)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := st.Read(ctx, "f")
		for _, bad := range [][]byte{
			stored[:len(stored)-1],
			append(bytes.Clone(stored), 0),
			func() []byte { b := bytes.Clone(stored); b[len(b)/2] ^= 1; return b }(),
		} {
			st.Write(ctx, "f", bad)
			_, err := GetFile(ctx, st, "f", &fi, c)
			wantCorruption(t, err, "f", "GetFile")
			err = GetFileTo(ctx, st, "f", fi, c, filepath.Join(t.TempDir(), "f"))
			wantCorruption(t, err, "f", "GetFileTo")
		}
		if _, err := GetFile(ctx, st, "missing", &fi, c); !errors.Is(err, checkpoint.ErrNotExist) {
			t.Fatalf("missing file: %v", err)
		}
	}
}

func TestPutFileFromGetFileTo(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := checkpoint.OpenLocal(filepath.Join(dir, "ckpt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*Cipher{nil, testCipher(t, 4)} {
		for _, n := range []int{0, 10, 3*CipherChunkSize + 1} {
			data := randomBytes(uint64(n), n)
			src := filepath.Join(dir, "src.sst")
			if err := os.WriteFile(src, data, 0o644); err != nil {
				t.Fatal(err)
			}
			fi, err := PutFileFrom(ctx, st, "state/0/0/SSTs/x.sst", src, c)
			if err != nil {
				t.Fatal(err)
			}
			stored, err := st.Read(ctx, "state/0/0/SSTs/x.sst")
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size != int64(len(stored)) || fi.CRC32C != crc32cOf(stored) {
				t.Fatalf("FileInfo %+v does not describe the stored bytes (%d)", fi, len(stored))
			}
			if got, err := GetFile(ctx, st, fi.Name, &fi, c); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("GetFile after PutFileFrom: %v", err)
			}
			dst := filepath.Join(dir, "restored.sst")
			if err := GetFileTo(ctx, st, fi.Name, fi, c, dst); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) {
				t.Fatal("GetFileTo wrote other bytes")
			}
		}
	}
	// Nothing but the files themselves is left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Fatalf("%d entries in the local directory, want 3 (no temporary files)", len(entries))
	}
}

func TestGetFileToLeavesNothingOnError(t *testing.T) {
	ctx := context.Background()
	st := checkpoint.NewMem()
	c := testCipher(t, 5)
	fi, _ := PutFile(ctx, st, "f", randomBytes(2, 1000), c)
	dir := t.TempDir()
	if err := GetFileTo(ctx, st, "f", fi, testCipher(t, 6), filepath.Join(dir, "out")); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("wrong key: %v", err)
	}
	fi.CRC32C++
	err := GetFileTo(ctx, st, "f", fi, c, filepath.Join(dir, "out"))
	wantCorruption(t, err, "f", "CRC mismatch")
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left %d files behind", len(entries))
	}
}

// shortPutStorage is a Storage whose Put stops reading early.
type shortPutStorage struct{ checkpoint.Storage }

func (s shortPutStorage) Put(ctx context.Context, path string, r io.Reader) error {
	buf := make([]byte, 10)
	io.ReadFull(r, buf)
	return s.Storage.Write(ctx, path, buf)
}

func TestPutFileFromShortPut(t *testing.T) {
	src := filepath.Join(t.TempDir(), "x")
	os.WriteFile(src, make([]byte, 1000), 0o644)
	if _, err := PutFileFrom(context.Background(), shortPutStorage{checkpoint.NewMem()}, "x", src, nil); err == nil {
		t.Fatal("a Put that read 10 of 1000 bytes was reported as done")
	}
}
