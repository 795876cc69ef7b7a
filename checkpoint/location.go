package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Opener opens the Storage a location URL names, for one URL scheme.
type Opener func(ctx context.Context, u *url.URL) (Storage, error)

var (
	schemesMu sync.RWMutex
	schemes   = map[string]Opener{}
)

// RegisterScheme makes Open hand locations with the URL scheme (such as
// "s3") to opener. Storage packages call it from an init function, so a
// program that imports the package can open its locations:
//
//	import _ "github.com/sluicestream/sluice/checkpoint/s3"
//
// It panics if scheme is empty, is "file" (built in), is not a valid URL
// scheme, or is registered twice: all are programming errors.
func RegisterScheme(scheme string, opener Opener) {
	s := strings.ToLower(scheme)
	switch {
	case !schemeRE.MatchString(s + "://"):
		panic(fmt.Sprintf("checkpoint: RegisterScheme(%q): not a URL scheme", scheme))
	case s == "file":
		panic("checkpoint: RegisterScheme(\"file\"): the file scheme is built in")
	case opener == nil:
		panic(fmt.Sprintf("checkpoint: RegisterScheme(%q): nil opener", scheme))
	}
	schemesMu.Lock()
	defer schemesMu.Unlock()
	if schemes[s] != nil {
		panic(fmt.Sprintf("checkpoint: RegisterScheme(%q) called twice", scheme))
	}
	schemes[s] = opener
}

// Schemes returns the registered URL schemes, sorted, "file" included.
func Schemes() []string {
	schemesMu.RLock()
	defer schemesMu.RUnlock()
	out := []string{"file"}
	for s := range schemes {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// schemeRE matches a location that starts with a URL scheme and "://".
// Anything else, Windows drive letters ("C:\q1") included, is a local path.
var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// Open opens the checkpoint storage at location: a local directory as a
// plain path ("/var/lib/q1", "ck/q1") or a file URL ("file:///var/lib/q1"),
// or a URL whose scheme a storage package registered with RegisterScheme
// ("s3://bucket/prefix", with checkpoint/s3 imported).
func Open(ctx context.Context, location string) (Storage, error) {
	if location == "" {
		return nil, fmt.Errorf("open checkpoint: empty location")
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open checkpoint %s: %w", location, err)
	}
	if !schemeRE.MatchString(location) {
		return OpenLocal(location)
	}
	u, err := url.Parse(location)
	if err != nil {
		// url.Error repeats the URL, password included: keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("open checkpoint: invalid URL: %w", err)
	}
	// Credentials written into a URL never reach an error message.
	location = u.Redacted()
	scheme := strings.ToLower(u.Scheme)
	if scheme == "file" {
		return openFileURL(location, u)
	}
	schemesMu.RLock()
	opener := schemes[scheme]
	schemesMu.RUnlock()
	if opener == nil {
		return nil, fmt.Errorf("open checkpoint %s: no storage registered for scheme %q; import the package that provides it (for s3: import _ \"github.com/sluicestream/sluice/checkpoint/s3\")", location, scheme)
	}
	st, err := opener(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("open checkpoint %s: %w", location, err)
	}
	return st, nil
}

// openFileURL opens a file:// location: an absolute path on this host.
func openFileURL(location string, u *url.URL) (Storage, error) {
	switch {
	case u.Host != "" && u.Host != "localhost":
		return nil, fmt.Errorf("open checkpoint %s: file URL names host %q; only local paths are supported", location, u.Host)
	case u.Path == "":
		return nil, fmt.Errorf("open checkpoint %s: file URL has no path", location)
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("open checkpoint %s: file URL has a query or fragment", location)
	}
	return OpenLocal(u.Path)
}
