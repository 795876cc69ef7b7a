package protocol

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/sluicestream/sluice/batch"
)

// TestScripts runs the scripts in testdata/ (go test -rewrite regenerates
// their expected output). Commands:
//
//	recover          print Recover's decision, or the error, for the logs below
//	next max=N       print Next's step for the progress below
//	loop max=N       run the loop through the events below, printing each step
//
// The logs of recover, one directive a line:
//
//	offsets 0..3 5         offset entries; metadata watermark id*1000, timestamp id*1000+1
//	offset 4 wm=5000 ts=7  one offset entry with explicit metadata
//	commits 0..2           commit entries; nextBatchWatermarkMs (id+1)*1000
//	commit 2 next-wm=6000  one commit entry with explicit metadata
//
// The progress of next: "committed N" (or none), "started 4 5", "done 5".
//
// The events of loop: "start" (start the next batch if Next allows, else
// print why not), "done N" (batch N's sink write and uploads finished),
// "commit" (write every commit Next allows), "crash" (recover what the
// simulated logs hold and continue from there).
func TestScripts(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			var out string
			var err error
			switch d.Cmd {
			case "recover":
				out, err = runRecover(d.Input)
			case "next":
				out, err = runNext(d.Input, maxArg(t, d))
			case "loop":
				out, err = runLoop(d.Input, maxArg(t, d))
			default:
				t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
			}
			if err != nil {
				return out + "error: " + err.Error() + "\n"
			}
			return out
		})
	})
}

func maxArg(t *testing.T, d *datadriven.TestData) int {
	var m int
	d.ScanArgs(t, "max", &m)
	return m
}

func runRecover(input string) (string, error) {
	var s LogState
	for _, line := range lines(input) {
		f := strings.Fields(line)
		switch f[0] {
		case "offsets", "commits":
			ids, err := parseIDs(f[1:])
			if err != nil {
				return "", err
			}
			if f[0] == "offsets" {
				s.Offsets = append(s.Offsets, offs(ids...)...)
			} else {
				s.Commits = append(s.Commits, commits(ids...)...)
			}
		case "offset", "commit":
			if err := parseEntry(&s, f); err != nil {
				return "", err
			}
		default:
			return "", fmt.Errorf("unknown directive %q", line)
		}
	}
	d, err := Recover(s)
	if err != nil {
		return "", err
	}
	return d.String(), nil
}

// parseEntry reads "offset ID wm=W ts=T" or "commit ID next-wm=W".
func parseEntry(s *LogState, f []string) error {
	if len(f) < 2 {
		return fmt.Errorf("%s: want an id", f[0])
	}
	id, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return err
	}
	kv := map[string]int64{}
	for _, a := range f[2:] {
		k, v, _ := strings.Cut(a, "=")
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%s: %v", a, err)
		}
		kv[k] = n
	}
	if f[0] == "offset" {
		s.Offsets = append(s.Offsets, OffsetEntry{ID: batch.ID(id), WatermarkMs: kv["wm"], TimestampMs: kv["ts"]})
	} else {
		s.Commits = append(s.Commits, CommitEntry{ID: batch.ID(id), NextWatermarkMs: kv["next-wm"]})
	}
	return nil
}

// parseIDs reads ids and ranges "a..b".
func parseIDs(fields []string) ([]batch.ID, error) {
	var out []batch.ID
	for _, f := range fields {
		lo, hi, isRange := strings.Cut(f, "..")
		a, err := strconv.ParseInt(lo, 10, 64)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = strconv.ParseInt(hi, 10, 64); err != nil {
				return nil, err
			}
		}
		for id := a; id <= b; id++ {
			out = append(out, batch.ID(id))
		}
	}
	return out, nil
}

func runNext(input string, maxU int) (string, error) {
	p := Progress{Committed: NoBatch, MaxUncommitted: maxU}
	for _, line := range lines(input) {
		f := strings.Fields(line)
		ids, err := parseIDs(slices.DeleteFunc(f[1:], func(s string) bool { return s == "none" }))
		if err != nil {
			return "", err
		}
		switch f[0] {
		case "committed":
			if len(ids) == 1 {
				p.Committed = ids[0]
			}
		case "started":
			p.Started = ids
		case "done":
			p.Done = ids
		default:
			return "", fmt.Errorf("unknown directive %q", line)
		}
	}
	s, err := Next(p)
	if err != nil {
		return "", err
	}
	return formatStep(s), nil
}

func formatStep(s Step) string {
	var b strings.Builder
	if len(s.Commit) > 0 {
		fmt.Fprintf(&b, "commit %s; ", formatIDs(s.Commit))
	}
	if s.Start {
		fmt.Fprintf(&b, "start batch %d\n", s.Next)
	} else {
		fmt.Fprintf(&b, "batch %d waits for commit %d\n", s.Next, s.WaitFor)
	}
	return b.String()
}

// runLoop plays the events against Next and a simulated pair of logs.
func runLoop(input string, maxU int) (string, error) {
	var b strings.Builder
	p := Progress{Committed: NoBatch, MaxUncommitted: maxU}
	logged, committed := map[batch.ID]bool{}, map[batch.ID]bool{}
	for _, line := range lines(input) {
		fmt.Fprintf(&b, "%s: ", line)
		s, err := Next(p)
		if err != nil {
			return b.String(), err
		}
		f := strings.Fields(line)
		switch f[0] {
		case "start":
			if !s.Start {
				fmt.Fprintf(&b, "no: batch %d waits for commit %d\n", s.Next, s.WaitFor)
				continue
			}
			logged[s.Next] = true
			p.Started = append(p.Started, s.Next)
			fmt.Fprintf(&b, "offsets/%d\n", s.Next)
		case "done":
			ids, err := parseIDs(f[1:])
			if err != nil {
				return b.String(), err
			}
			p.Done = append(p.Done, ids...)
			fmt.Fprintf(&b, "ok\n")
		case "commit":
			if len(s.Commit) == 0 {
				fmt.Fprintf(&b, "nothing to commit\n")
				continue
			}
			for _, id := range s.Commit {
				committed[id] = true
				p.Committed = id
				p.Started = p.Started[1:]
				p.Done = slices.DeleteFunc(p.Done, func(x batch.ID) bool { return x == id })
			}
			fmt.Fprintf(&b, "commits/%s\n", strings.ReplaceAll(formatIDs(s.Commit), " ", ", commits/"))
		case "crash":
			var ls LogState
			for id := range logged {
				ls.Offsets = append(ls.Offsets, OffsetEntry{ID: id})
			}
			for id := range committed {
				ls.Commits = append(ls.Commits, CommitEntry{ID: id})
			}
			d, err := Recover(ls)
			if err != nil {
				return b.String(), err
			}
			b.WriteString(strings.ReplaceAll(strings.TrimSuffix(d.String(), "\n"), "\n", "\n  "))
			b.WriteString("\n")
			p.Done = nil // the re-run batches start over
		default:
			return b.String(), fmt.Errorf("unknown event %q", line)
		}
	}
	return b.String(), nil
}

func lines(input string) []string {
	var out []string
	for _, l := range strings.Split(input, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}
