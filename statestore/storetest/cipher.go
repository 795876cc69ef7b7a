package storetest

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
)

// testCipher returns a cipher of a key made from seed.
func testCipher(t *testing.T, seed byte) *statestore.Cipher {
	t.Helper()
	c, err := statestore.NewCipher(bytes.Repeat([]byte{seed}, statestore.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// secret is a value the encryption test puts, to look for in storage.
const secret = "sluice-plaintext-secret"

// testEncryption checks that with a cipher no state file holds plaintext,
// every version restores with the same key, and a restore with another key
// or none fails with statestore.ErrWrongKey, as one with a key over plain
// files fails.
func testEncryption(t *testing.T, f Factory) {
	if f.NoCipher {
		t.Skip("provider cannot encrypt")
	}
	e := newEnv(t, f)
	e.cipher = testCipher(t, 1)
	h := newHistory(e, testID)
	r := rand.New(rand.NewPCG(21, 22))
	p := e.provider()
	for range 2*e.interval + 1 {
		h.commit(p, func(s statestore.Store, m model) {
			randomUpdates(t, r, s, m)
			k := "secret-" + randomKey(r)
			mustPut(t, s, k, secret)
			m[k] = secret
		}, true)
	}
	checkNoPlaintext(t, e.st, h.id.Dir(), secret)
	h.checkAll(e.providerWith(testCipher(t, 1)), 0, "same key, fresh provider")

	ctx := t.Context()
	for _, c := range []struct {
		name   string
		cipher *statestore.Cipher
	}{{"another key", testCipher(t, 2)}, {"no key", nil}} {
		q := e.providerWith(c.cipher)
		for _, v := range []int64{1, int64(e.interval), h.latest()} {
			s, err := q.Open(ctx, h.id, v, statestore.OpenOptions{})
			if err == nil {
				s.Abort()
				t.Fatalf("%s: Open of encrypted version %d succeeded", c.name, v)
			}
			if !errors.Is(err, statestore.ErrWrongKey) {
				t.Fatalf("%s: Open of encrypted version %d: %v; want statestore.ErrWrongKey", c.name, v, err)
			}
		}
	}

	// A key over files written without one: corruption, not a wrong key.
	plain := newEnv(t, f)
	ph := newHistory(plain, testID)
	ph.commitRandom(plain.provider(), r, plain.interval+1, true)
	for _, v := range []int64{1, int64(plain.interval), ph.latest()} {
		s, err := plain.providerWith(testCipher(t, 1)).Open(ctx, ph.id, v, statestore.OpenOptions{})
		if err == nil {
			s.Abort()
			t.Fatalf("Open with a key of unencrypted version %d succeeded", v)
		}
		if errors.Is(err, statestore.ErrWrongKey) {
			t.Fatalf("Open with a key of unencrypted version %d: %v; want no ErrWrongKey", v, err)
		}
	}
}

// checkNoPlaintext fails if any file under dir holds s.
func checkNoPlaintext(t *testing.T, st checkpoint.Storage, dir, s string) {
	t.Helper()
	ctx := t.Context()
	names, err := st.List(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatalf("nothing uploaded under %s", dir)
	}
	for _, n := range names {
		p := dir + "/" + n
		if strings.HasSuffix(n, "/") {
			checkNoPlaintext(t, st, strings.TrimSuffix(p, "/"), s)
			continue
		}
		data, err := st.Read(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(s)) {
			t.Fatalf("%s holds a value in plaintext", p)
		}
	}
}
