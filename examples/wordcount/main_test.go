package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// TestBundledText runs the example as `make example` does and checks the
// counts of the most frequent words of the bundled text.
func TestBundledText(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	runErr := run("", 3)
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)
	if runErr != nil {
		t.Fatal(runErr)
	}
	want := `+----+-----+
|word|count|
+----+-----+
| the|   21|
|  to|   21|
|  of|   17|
+----+-----+
only showing top 3 rows
`
	if string(out) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out, want)
	}
	if !strings.Contains(string(input), "Course of human events") {
		t.Fatal("bundled text missing")
	}
}
