package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// sideBySide is the markdown that bench/cmd/sluicebench writes: Sluice
// measured side by side with DuckDB, Benthos, go-streams and a Go map. The
// bench module owns its workloads, their descriptions and targets, so
// benchmd places the section as written, after its own.
var sideBySide = flag.String("sidebyside", "", "markdown section written by bench/cmd/sluicebench -out, appended as is (empty: none)")

// renderSideBySide appends the -sidebyside file, if one was named.
func renderSideBySide(b *strings.Builder) {
	if err := appendSection(b, *sideBySide); err != nil {
		fatal(err)
	}
}

// appendSection appends the markdown in path, which must hold a "## "
// section; nothing if path is empty.
func appendSection(b *strings.Builder, path string) error {
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("side-by-side section: %w", err)
	}
	text := strings.TrimSpace(string(data))
	if !strings.HasPrefix(text, "## ") {
		return fmt.Errorf("side-by-side section %s: does not start with a \"## \" heading", path)
	}
	b.WriteString("\n" + text + "\n")
	return nil
}
