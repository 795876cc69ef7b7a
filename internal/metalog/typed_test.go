package metalog_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/internal/metalog"
	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
)

// wordCodec is the format of a Typed log of words: the body is the word,
// one or more lower-case letters.
var wordCodec = metalog.Codec[string]{
	Version: 2,
	ParseBody: func(rec metalog.Record) (string, error) {
		if err := checkWord(rec.Body); err != nil {
			return "", rec.Corrupt(0, "word", err)
		}
		return string(rec.Body), nil
	},
	EncodeBody: func(w string) ([]byte, error) { return []byte(w), checkWord([]byte(w)) },
}

func checkWord(b []byte) error {
	if len(b) == 0 {
		return errors.New("empty")
	}
	for i, c := range b {
		if c < 'a' || c > 'z' {
			return &metalog.SyntaxError{Offset: int64(i), Reason: fmt.Sprintf("%q is not a lower-case letter", c)}
		}
	}
	return nil
}

func openWords(st checkpoint.Storage) *metalog.Typed[string] {
	return metalog.NewTyped(st, "words", wordCodec)
}

func TestTyped(t *testing.T) {
	ctx := t.Context()
	st := checkpoint.NewMem()
	l := openWords(st)
	if _, _, err := l.Latest(ctx); !errors.Is(err, metalog.ErrEmpty) {
		t.Fatalf("Latest of a new log: %v, want ErrEmpty", err)
	}
	for i, w := range []string{"alpha", "beta", "gamma"} {
		if err := l.Add(ctx, batch.ID(i), w); err != nil {
			t.Fatal(err)
		}
	}
	if data, _ := st.Read(ctx, "words/2"); string(data) != "v2\ngamma" {
		t.Fatalf("words/2 = %q", data)
	}
	if id, w, err := l.Latest(ctx); err != nil || id != 2 || w != "gamma" {
		t.Fatalf("Latest = %d %q, %v", id, w, err)
	}
	if err := l.Add(ctx, 3, "Delta"); err == nil {
		t.Fatal("Add of a word the codec refuses succeeded")
	}
	if ids, err := l.ListDense(ctx); err != nil || len(ids) != 3 {
		t.Fatalf("after a refused Add: %v, %v; want 3 entries", ids, err)
	}
	if err := st.Create(ctx, "words/3", []byte("v2\nbeTa")); err != nil {
		t.Fatal(err)
	}
	_, err := l.Get(ctx, 3)
	ce := metalogtest.WantCorrupt(t, err, "words/3", "word", "'T'")
	if ce.Offset != 5 {
		t.Errorf("offset %d, want 5 (the T)", ce.Offset)
	}
	if err := l.PurgeBefore(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if err := l.Purge(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if ids, _ := l.List(ctx); len(ids) != 1 || ids[0] != 3 || l.Path(3) != "words/3" {
		t.Fatalf("after purging: %v", ids)
	}
}

func TestCodec(t *testing.T) {
	b, err := wordCodec.Encode("abc")
	if err != nil || string(b) != "v2\nabc" {
		t.Fatalf("Encode = %q, %v", b, err)
	}
	if w, err := wordCodec.Parse("x/1", b); err != nil || w != "abc" {
		t.Fatalf("Parse = %q, %v", w, err)
	}
	if _, err := wordCodec.Encode(""); err == nil {
		t.Fatal("Encode of a refused word succeeded")
	}
	_, err = wordCodec.Parse("x/1", []byte("v3\nabc"))
	metalogtest.WantCorrupt(t, err, "x/1", "newer")
	_, err = wordCodec.Parse("x/1", []byte("v1\n"))
	metalogtest.WantCorrupt(t, err, "x/1", "word", "empty")
	metalogtest.RoundTrip(t, "x/1", []byte("v1\nabc"), wordCodec.Parse, wordCodec.Encode)
}

func TestTypedShared(t *testing.T) {
	t.Run("AddExisting", func(t *testing.T) {
		metalogtest.AddExisting(t, openWords(checkpoint.NewMem()), "first", "second")
	})
	t.Run("ConcurrentAdd", func(t *testing.T) {
		metalogtest.RunStorages(t, func(t *testing.T, st checkpoint.Storage) {
			metalogtest.ConcurrentAdd(t, openWords(st), func(i int) string { return string(rune('a' + i)) })
		})
	})
	t.Run("IOErrors", func(t *testing.T) { metalogtest.IOErrors(t, openWords, "word") })
}

func TestNewTypedRequiresCodec(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("NewTyped without ParseBody did not panic")
		}
	}()
	metalog.NewTyped(checkpoint.NewMem(), "x", metalog.Codec[string]{Version: 1})
}
