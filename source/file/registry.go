package file

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/source"
)

// Name is the name the source is registered under.
const Name = "file"

func init() { source.Register(Name, open) }

// Option names, as Spark spells them; the factory matches them in any case.
const (
	optPath               = "path"
	optFormat             = "format"
	optSchema             = "schema"
	optInferSchema        = "inferSchema"
	optHeader             = "header"
	optDelimiter          = "delimiter"
	optMode               = "mode"
	optMaxFiles           = "maxFilesPerTrigger"
	optLatestFirst        = "latestFirst"
	optCheckpointLocation = "checkpointLocation"
	optSourceIndex        = "sourceIndex"
)

var knownOptions = []string{optPath, optFormat, optSchema, optInferSchema, optHeader, optDelimiter,
	optMode, optMaxFiles, optLatestFirst, optCheckpointLocation, optSourceIndex}

// open is the registered factory. Besides the Options fields it takes
// checkpointLocation (required: the query's checkpoint, opened with
// checkpoint.Open) and sourceIndex (default 0: the log goes to
// sources/<sourceIndex>).
func open(ctx context.Context, raw map[string]string) (source.Source, error) {
	opts, err := normalize(raw)
	if err != nil {
		return nil, err
	}
	o, err := parseOptions(opts)
	if err != nil {
		return nil, err
	}
	loc := opts[optCheckpointLocation]
	if loc == "" {
		return nil, fmt.Errorf("file source: option %q is required (the query's checkpoint, which holds the source log)", optCheckpointLocation)
	}
	if o.Storage, err = checkpoint.Open(ctx, loc); err != nil {
		return nil, fmt.Errorf("file source: option %q: %w", optCheckpointLocation, err)
	}
	return New(ctx, o)
}

// parseOptions reads every option but the checkpoint location.
func parseOptions(opts map[string]string) (o Options, err error) {
	o.Path, o.Format, o.Mode = opts[optPath], strings.ToLower(opts[optFormat]), opts[optMode]
	if v, ok := opts[optSchema]; ok {
		if o.Schema, err = ParseSchema(v); err != nil {
			return o, fmt.Errorf("file source: option %q: %w", optSchema, err)
		}
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{optInferSchema, &o.InferSchema}, {optHeader, &o.Header}, {optLatestFirst, &o.LatestFirst}} {
		if v, ok := opts[b.name]; ok {
			if *b.dst, err = strconv.ParseBool(strings.TrimSpace(v)); err != nil {
				return o, fmt.Errorf("file source: option %q: %q is not true or false", b.name, v)
			}
		}
	}
	if v, ok := opts[optDelimiter]; ok {
		if o.Delimiter, err = parseDelimiter(v); err != nil {
			return o, fmt.Errorf("file source: option %q: %w", optDelimiter, err)
		}
	}
	if v, ok := opts[optMaxFiles]; ok {
		if o.MaxFilesPerTrigger, err = strconv.Atoi(strings.TrimSpace(v)); err != nil || o.MaxFilesPerTrigger <= 0 {
			return o, fmt.Errorf("file source: option %q: %q is not a positive integer", optMaxFiles, v)
		}
	}
	index := 0
	if v, ok := opts[optSourceIndex]; ok {
		if index, err = strconv.Atoi(strings.TrimSpace(v)); err != nil || index < 0 {
			return o, fmt.Errorf("file source: option %q: %q is not a non-negative integer", optSourceIndex, v)
		}
	}
	o.Dir = "sources/" + strconv.Itoa(index)
	return o, nil
}

// parseDelimiter reads one character, or the escape `\t` for a tab.
func parseDelimiter(v string) (rune, error) {
	if v == `\t` {
		return '\t', nil
	}
	r, size := utf8.DecodeRuneInString(v)
	if v == "" || size != len(v) || r == utf8.RuneError {
		return 0, fmt.Errorf("%q is not one character", v)
	}
	return r, nil
}

// normalize maps the keys of raw to their spelling in knownOptions,
// matched in any case; an unknown key, or one given twice in different
// cases, is an error naming it.
func normalize(raw map[string]string) (map[string]string, error) {
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys) // report the same error every time
	out := make(map[string]string, len(raw))
	for _, k := range keys {
		name := ""
		for _, kn := range knownOptions {
			if strings.EqualFold(k, kn) {
				name = kn
			}
		}
		if name == "" {
			return nil, fmt.Errorf("file source: unknown option %q (known: %s)", k, strings.Join(knownOptions, ", "))
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("file source: option %q given twice", name)
		}
		out[name] = raw[k]
	}
	return out, nil
}
