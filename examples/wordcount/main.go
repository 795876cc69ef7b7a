// Command wordcount is Sluice's main example: it counts the words of a text
// file with the DataFrame API and prints the ten most frequent.
//
//	go run ./examples/wordcount              # the bundled text
//	go run ./examples/wordcount -input FILE  # any text file, directory or glob
package main

import (
	_ "embed"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sluicestream/sluice"
)

// input is the bundled text: the opening of the US Declaration of
// Independence (public domain).
//
//go:embed input.txt
var input []byte

func main() {
	path := flag.String("input", "", "text file, directory or glob to count (default: the bundled text)")
	top := flag.Int("top", 10, "how many words to print")
	flag.Parse()
	if err := run(*path, *top); err != nil {
		fmt.Fprintln(os.Stderr, "wordcount:", err)
		os.Exit(1)
	}
}

func run(path string, top int) error {
	if path == "" {
		dir, err := os.MkdirTemp("", "sluice-wordcount-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "input.txt")
		if err := os.WriteFile(path, input, 0o644); err != nil {
			return err
		}
	}
	s := sluice.NewSession()
	defer s.Close()
	words := s.Read().Text(path).
		Select(sluice.Explode(sluice.Split(sluice.Lower(sluice.Col("value")), `[^a-z']+`)).As("word")).
		Filter(sluice.Col("word").NotEq(""))
	counts := words.GroupBy("word").Agg(sluice.CountStar().As("count")).
		OrderBy(sluice.Col("count").Desc(), sluice.Col("word"))
	return counts.Show(os.Stdout, top)
}
