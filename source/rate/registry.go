package rate

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sluicestream/sluice/source"
)

// Name is the name the source is registered under.
const Name = "rate"

func init() { source.Register(Name, open) }

// Option names, as Spark spells them (matched in any case).
const (
	optRowsPerSecond = "rowsPerSecond"
	optRampUpTime    = "rampUpTime"
	optNumPartitions = "numPartitions"
)

// open is the registered factory.
func open(ctx context.Context, raw map[string]string) (source.Source, error) {
	opts, err := normalize(raw, optRowsPerSecond, optRampUpTime, optNumPartitions)
	if err != nil {
		return nil, err
	}
	var o Options
	if v, ok := opts[optRowsPerSecond]; ok {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("rate source: option %q: %q is not a positive integer", optRowsPerSecond, v)
		}
		o.RowsPerSecond = n
	}
	if v, ok := opts[optRampUpTime]; ok {
		if d, err := parseSeconds(v); err != nil || d != 0 {
			return nil, fmt.Errorf("rate source: option %q: %q: ramping up is not supported (only 0)", optRampUpTime, v)
		}
	}
	if v, ok := opts[optNumPartitions]; ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err != nil || n <= 0 {
			return nil, fmt.Errorf("rate source: option %q: %q is not a positive integer", optNumPartitions, v)
		}
	}
	return New(o)
}

// parseSeconds reads a duration as Spark's rampUpTime takes it: a Go
// duration ("5s") or a number of seconds ("5").
func parseSeconds(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(v)
}

// normalize maps the keys of raw to their spelling in known, matched in any
// case; an unknown key, or one given twice in different cases, is an error
// naming it.
func normalize(raw map[string]string, known ...string) (map[string]string, error) {
	out := make(map[string]string, len(raw))
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys) // report the same error every time
	for _, k := range keys {
		name := ""
		for _, kn := range known {
			if strings.EqualFold(k, kn) {
				name = kn
			}
		}
		if name == "" {
			return nil, fmt.Errorf("%s source: unknown option %q (known: %s)", Name, k, strings.Join(known, ", "))
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("%s source: option %q given twice", Name, name)
		}
		out[name] = raw[k]
	}
	return out, nil
}
