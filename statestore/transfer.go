package statestore

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"

	"github.com/sluicestream/sluice/checkpoint"
)

// PutFile stores data at path in dst, encrypted when c is not nil, with an
// atomic replace (Storage.Write). The FileInfo it returns has Name = path
// and the size and CRC32C of the bytes as stored; a caller recording it in
// a Manifest sets Name relative to the store's directory.
func PutFile(ctx context.Context, dst checkpoint.Storage, path string, data []byte, c *Cipher) (FileInfo, error) {
	stored := c.Seal(data)
	if err := dst.Write(ctx, path, stored); err != nil {
		return FileInfo{}, fmt.Errorf("put %s: %w", path, err)
	}
	return FileInfo{Name: path, Size: int64(len(stored)), CRC32C: crc32.Checksum(stored, crc32c)}, nil
}

// PutFileFrom streams the local file localPath to path in dst
// (Storage.Put), encrypting it when c is not nil, without holding it in
// memory. The FileInfo is as PutFile's.
func PutFileFrom(ctx context.Context, dst checkpoint.Storage, path, localPath string, c *Cipher) (FileInfo, error) {
	f, err := os.Open(localPath)
	if err != nil {
		return FileInfo{}, fmt.Errorf("put %s: %w", path, err)
	}
	defer f.Close()
	cr := &countingReader{r: c.SealReader(f), crc: crc32.New(crc32c)}
	if err := dst.Put(ctx, path, cr); err != nil {
		return FileInfo{}, fmt.Errorf("put %s from %s: %w", path, localPath, err)
	}
	if !cr.eof {
		// Put returned without reading everything: the stored file and the
		// FileInfo would disagree.
		if _, err := io.Copy(io.Discard, cr); err != nil {
			return FileInfo{}, fmt.Errorf("put %s from %s: %w", path, localPath, err)
		}
		return FileInfo{}, fmt.Errorf("put %s from %s: storage did not read the whole file", path, localPath)
	}
	return FileInfo{Name: path, Size: cr.n, CRC32C: cr.crc.Sum32()}, nil
}

// GetFile reads path from src, checks it against want (size and CRC32C of
// the stored bytes; nil skips the check, for files that verify themselves)
// and decrypts it when c is not nil. A mismatch or a tampered encrypted file
// is a *checkpoint.CorruptionError naming path; a wrong key wraps
// ErrWrongKey; a missing file wraps checkpoint.ErrNotExist.
func GetFile(ctx context.Context, src checkpoint.Storage, path string, want *FileInfo, c *Cipher) ([]byte, error) {
	data, err := src.Read(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", path, err)
	}
	if want != nil {
		if err := checkStored(path, *want, int64(len(data)), crc32.Checksum(data, crc32c)); err != nil {
			return nil, err
		}
	}
	return c.Open(path, data)
}

// GetFileTo streams path from src to the local file localPath, checking it
// against want and decrypting it when c is not nil, as GetFile does. It
// writes a temporary file next to localPath, fsyncs it and renames it into
// place only when everything checked out, so localPath never holds a
// partial or unverified file.
func GetFileTo(ctx context.Context, src checkpoint.Storage, path string, want FileInfo, c *Cipher, localPath string) (err error) {
	rc, err := src.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("get %s: %w", path, err)
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(filepath.Dir(localPath), "."+filepath.Base(localPath)+".tmp-*")
	if err != nil {
		return fmt.Errorf("get %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	cr := &countingReader{r: rc, crc: crc32.New(crc32c)}
	if _, err := io.Copy(tmp, c.OpenReader(path, cr)); err != nil {
		return fileError(path, localPath, err)
	}
	if _, err := io.Copy(io.Discard, cr); err != nil { // a plaintext copy stops at EOF already
		return fileError(path, localPath, err)
	}
	if err := checkStored(path, want, cr.n, cr.crc.Sum32()); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("get %s to %s: %w", path, localPath, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("get %s to %s: %w", path, localPath, err)
	}
	if err := os.Rename(tmp.Name(), localPath); err != nil {
		return fmt.Errorf("get %s to %s: %w", path, localPath, err)
	}
	return syncDir(filepath.Dir(localPath))
}

// fileError keeps corruption and wrong-key errors as they are and gives
// others context.
func fileError(path, localPath string, err error) error {
	var ce *checkpoint.CorruptionError
	if errors.As(err, &ce) || errors.Is(err, ErrWrongKey) {
		return err
	}
	return fmt.Errorf("get %s to %s: %w", path, localPath, err)
}

// checkStored compares what was read with what the manifest recorded.
func checkStored(path string, want FileInfo, size int64, crc uint32) error {
	switch {
	case size != want.Size:
		return &checkpoint.CorruptionError{Path: path, Offset: -1, Reason: fmt.Sprintf("size %d, manifest says %d", size, want.Size)}
	case crc != want.CRC32C:
		return &checkpoint.CorruptionError{Path: path, Offset: -1, Reason: fmt.Sprintf("CRC32C %08x, manifest says %08x", crc, want.CRC32C)}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// countingReader counts and checksums what passes through it.
type countingReader struct {
	r   io.Reader
	n   int64
	crc hash.Hash32
	eof bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.crc.Write(p[:n])
	if err == io.EOF {
		c.eof = true
	}
	return n, err
}
