package layering

import (
	"bytes"
	"os/exec"
	"path"
	"strings"
	"testing"
)

const module = "github.com/sluicestream/sluice"

// lines is DESIGN.md §1's layer table, top line first. A package may import
// only packages on lines below its own. A pattern ending in "/*" matches every
// package under that directory; a more specific pattern wins.
//
// internal/fileformat is not in DESIGN.md's table: it holds the file formats
// that both the batch readers (root package) and the streaming file source
// (source/file) need, so it sits on L1 where both can reach it.
// internal/benchmd and internal/layering are tools and tests, on the top line.
// internal/registry, the generic named-factory table of source and sink,
// imports nothing of the module and sits on the bottom line, as does
// internal/showtable, the show() formatting of DataFrame.Show and the console
// sink, and internal/benchfmt and internal/benchdata, the machine and number
// formatting and the inputs the benchmarks share.
// checkpoint/storagetest and statestore/storetest, the conformance suites
// every Storage and every state-store provider passes, sit with the
// implementations they test; internal/metalog/metalogtest, the helpers the
// metadata logs' tests share, sits there too.
var lines = [][]string{
	{"cmd/*", "examples/*", "internal/benchmd", "internal/layering", "internal/killtest"},
	{"config"},
	{"source/*", "sink/*", "statestore/rocksdb", "statestore/mem", "checkpoint/s3", "checkpoint/storagetest", "statestore/storetest", "internal/metalog/metalogtest"},
	{""}, // the module root: package sluice
	{"engine"},
	{"engine/protocol"},
	{"exec", "sql", "offsetlog", "commitlog", "internal/sinklog"}, // internal/sinklog: the file sink's manifest, read by the root's readers too
	{"plan", "statestore", "internal/metalog"},
	{"expr", "source", "sink", "checkpoint", "metrics", "internal/fileformat"},
	{"batch", "internal/fsutil", "internal/testutil", "internal/registry", "internal/showtable", "internal/benchfmt", "internal/benchdata"},
}

// rank returns the line of a module-relative package path (0 = top), or -1 if
// the table does not place it.
func rank(rel string) int {
	best, bestLen := -1, -1
	for i, line := range lines {
		for _, pat := range line {
			switch {
			case pat == rel && len(pat) > bestLen:
				best, bestLen = i, len(pat)+1 // exact beats a wildcard of the same length
			case strings.HasSuffix(pat, "/*"):
				dir := strings.TrimSuffix(pat, "/*")
				if strings.HasPrefix(rel, dir+"/") && len(dir) > bestLen {
					best, bestLen = i, len(dir)
				}
			}
		}
	}
	return best
}

// allowed reports whether package from may import package to.
func allowed(from, to string) bool {
	fr, tr := rank(from), rank(to)
	if fr == implementationsLine && (to == "engine" || strings.HasPrefix(to, "engine/")) {
		return false // DESIGN.md §1: implementations never import engine
	}
	return fr >= 0 && tr > fr
}

// implementationsLine is the line of source/*, sink/*, state-store and storage
// implementations.
const implementationsLine = 2

func TestAllowed(t *testing.T) {
	for _, c := range []struct {
		from, to string
		ok       bool
	}{
		{"exec", "plan", true},
		{"exec", "batch", true},
		{"plan", "exec", false}, // upward
		{"exec", "sql", false},  // same line
		{"source/kafka", "engine", false},
		{"engine", "engine/protocol", true},
		{"engine/protocol", "engine", false},
		{"", "engine", true},
		{"engine", "", false},
		{"batch", "internal/fsutil", false},
		{"internal/nope", "batch", false}, // unplaced packages import nothing
	} {
		if got := allowed(c.from, c.to); got != c.ok {
			t.Errorf("allowed(%q, %q) = %v, want %v", c.from, c.to, got, c.ok)
		}
	}
}

func rel(pkg string) string {
	if pkg == module {
		return ""
	}
	return strings.TrimPrefix(pkg, module+"/")
}

func TestRankTable(t *testing.T) {
	for rel, want := range map[string]int{
		"":                     3,
		"batch":                9,
		"source":               8,
		"source/file":          2,
		"cmd/sluice":           0,
		"engine/protocol":      5,
		"statestore/rocksdb":   2,
		"statestore":           7,
		"internal/fileformat":  8,
		"internal/nonexistent": -1,
	} {
		if got := rank(rel); got != want {
			t.Errorf("rank(%q) = %d, want %d", rel, got, want)
		}
	}
}

func TestImportLayering(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		from := rel(f[0])
		fr := rank(from)
		if fr < 0 {
			t.Errorf("package %q is not in the layer table (DESIGN.md §1); place it there and in this test", path.Join(module, from))
			continue
		}
		n++
		for _, imp := range f[1:] {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue
			}
			if !allowed(from, rel(imp)) {
				t.Errorf("%s imports %s: a package may only import packages on lower lines of DESIGN.md §1 (line %d imports line %d)", f[0], imp, fr, rank(rel(imp)))
			}
		}
	}
	if n < 5 {
		t.Fatalf("only %d packages checked; go list output:\n%s", n, out)
	}
}
