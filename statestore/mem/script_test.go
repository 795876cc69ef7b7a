package mem_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/statestore"
	"github.com/sluicestream/sluice/statestore/mem"
)

// TestScripts runs the scripts in testdata/scripts/ (go test -rewrite regenerates
// their expected output). Each file is one session on one store over one
// in-memory checkpoint storage, with a fake clock starting at 0 s.
// Commands:
//
//	open version=N [ttl=D] [fresh] [interval=K]
//	                   open version N (fresh: on a new provider, which must
//	                   restore from storage; interval: its snapshot interval)
//	put / delete       input: "key value" / "key" lines
//	get                input: one key a line
//	scan [prefix=P]    the visible keys with prefix P, in order
//	clock D            set the fake clock to D after the start
//	commit             commit, print the new version and its metrics
//	upload             upload the last commit, print the manifest
//	abort              abort the open store
//	ls                 the store's files in storage, random name parts as *
//	corrupt file=F     flip a byte in the middle of file F of the store
func TestScripts(t *testing.T) {
	datadriven.Walk(t, "testdata/scripts", func(t *testing.T, path string) {
		s := &session{st: checkpoint.NewMem(), start: time.Unix(1_700_000_000, 0)}
		s.now = s.start
		s.p = s.provider(4)
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			out, err := s.run(t, d)
			if err != nil {
				return out + "error: " + err.Error() + "\n"
			}
			return out
		})
		if s.s != nil {
			s.s.Abort()
		}
	})
}

type session struct {
	st       checkpoint.Storage
	p        *mem.Provider
	s        statestore.Store
	snap     statestore.Snapshot
	prev     *statestore.Manifest
	start    time.Time
	now      time.Time
	interval int
}

func (s *session) provider(interval int) *mem.Provider {
	s.interval = interval
	return mem.New(mem.Options{Storage: s.st, SnapshotInterval: interval})
}

func (s *session) run(t *testing.T, d *datadriven.TestData) (string, error) {
	ctx := t.Context()
	var b strings.Builder
	switch d.Cmd {
	case "open":
		return s.open(t, d)
	case "put", "delete":
		for _, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
			k, v, _ := strings.Cut(line, " ")
			var err error
			if d.Cmd == "put" {
				err = s.s.Put([]byte(k), []byte(v))
			} else {
				err = s.s.Delete([]byte(k))
			}
			if err != nil {
				return "", err
			}
		}
		return "ok\n", nil
	case "get":
		for _, k := range strings.Fields(d.Input) {
			v, ok, err := s.s.Get([]byte(k))
			switch {
			case err != nil:
				return b.String(), err
			case ok:
				fmt.Fprintf(&b, "%s = %q\n", k, v)
			default:
				fmt.Fprintf(&b, "%s: absent\n", k)
			}
		}
		return b.String(), nil
	case "scan":
		var prefix string
		if d.HasArg("prefix") {
			d.ScanArgs(t, "prefix", &prefix)
		}
		it := s.s.NewIter([]byte(prefix))
		for it.Next() {
			fmt.Fprintf(&b, "%s = %q\n", it.Key(), it.Value())
		}
		if err := it.Close(); err != nil {
			return b.String(), err
		}
		if b.Len() == 0 {
			return "(none)\n", it.Err()
		}
		return b.String(), it.Err()
	case "clock":
		dur, err := time.ParseDuration(d.CmdArgs[0].Key)
		if err != nil {
			return "", err
		}
		s.now = s.start.Add(dur)
		return fmt.Sprintf("now %s\n", dur), nil
	case "commit":
		snap, err := s.s.Commit(ctx)
		if err != nil {
			return "", err
		}
		s.snap = snap
		m := s.s.Metrics()
		s.s = nil
		return fmt.Sprintf("version %d: rows %d, updated %d, removed %d, evicted %d\n",
			snap.Version(), m.NumRowsTotal, m.NumRowsUpdated, m.NumRowsRemoved, m.NumRowsEvicted), nil
	case "upload":
		m, err := s.snap.Upload(ctx, s.st, s.prev)
		if err != nil {
			return "", err
		}
		s.prev = m
		var names []string
		for _, f := range m.Files {
			names = append(names, f.Name)
		}
		return mask(fmt.Sprintf("manifest: version %d, snapshot %d, files %v\n", m.Version, m.SnapshotVersion, names)), nil
	case "abort":
		s.s.Abort()
		s.s = nil
		return "ok\n", nil
	case "ls":
		return s.ls(t, statestore.StoreID{Operator: "op", Partition: 0}.Dir(), "")
	case "corrupt":
		var name string
		d.ScanArgs(t, "file", &name)
		p := id.Path(name)
		data, err := s.st.Read(ctx, p)
		if err != nil {
			return "", err
		}
		data[len(data)/2] ^= 0xff
		return "ok\n", s.st.Write(ctx, p, data)
	}
	t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
	return "", nil
}

func (s *session) open(t *testing.T, d *datadriven.TestData) (string, error) {
	if s.s != nil {
		s.s.Abort()
		s.s = nil
	}
	var version int64
	d.ScanArgs(t, "version", &version)
	o := statestore.OpenOptions{Now: func() time.Time { return s.now }}
	if d.HasArg("ttl") {
		var ttl string
		d.ScanArgs(t, "ttl", &ttl)
		var err error
		if o.TTL, err = time.ParseDuration(ttl); err != nil {
			return "", err
		}
	}
	if d.HasArg("fresh") {
		interval := s.interval
		if d.HasArg("interval") {
			d.ScanArgs(t, "interval", &interval)
		}
		s.p = s.provider(interval)
	}
	st, err := s.p.Open(t.Context(), id, version, o)
	if err != nil {
		return "", err
	}
	s.s = st
	return fmt.Sprintf("version %d: %d rows\n", version, st.Metrics().NumRowsTotal), nil
}

// ls lists dir recursively, with sizes.
func (s *session) ls(t *testing.T, dir, indent string) (string, error) {
	names, err := s.st.List(t.Context(), dir)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, n := range names {
		if sub, ok := strings.CutSuffix(n, "/"); ok {
			fmt.Fprintf(&b, "%s%s\n", indent, n)
			out, err := s.ls(t, dir+"/"+sub, indent+"  ")
			if err != nil {
				return "", err
			}
			b.WriteString(out)
			continue
		}
		data, err := s.st.Read(t.Context(), dir+"/"+n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s%s (%d bytes)\n", indent, mask(n), len(data))
	}
	return b.String(), nil
}

var randomPart = regexp.MustCompile(`-[0-9a-f]{16}\.kv`)

// mask hides the random part of data file names.
func mask(s string) string { return randomPart.ReplaceAllString(s, "-*.kv") }
